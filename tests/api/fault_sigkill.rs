//! Fault suite: the real `numberdesk` binary, killed with SIGKILL in the
//! middle of a write load and started again on the same database (SQLite
//! file and PostgreSQL). Nothing acknowledged is lost, the views catch up by
//! themselves, and no request is ordered twice in one attempt.

use numberdesk_adapters::tenancy::{Role, TenancyStore};
use numberdesk_adapters::Database;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Tenant {
    org_id: i64,
    slug: String,
    account: String,
    partner_key: String,
    ops_key: String,
}

async fn tenant(url: &str) -> Tenant {
    let db = Database::connect(url).await.expect("database");
    let tenancy = TenancyStore::new(db.clone());
    let partner = tenancy.create_partner("kill").await.expect("partner");
    let account = tenancy
        .create_account(partner.id, "kill account")
        .await
        .expect("account");
    let org = tenancy
        .create_organization(account.id, "kill org")
        .await
        .expect("org");
    let partner_key = tenancy
        .issue_key(partner.id, Role::Partner, "kill")
        .await
        .expect("key")
        .secret;
    let ops_key = tenancy
        .issue_key(partner.id, Role::Ops, "kill ops")
        .await
        .expect("key")
        .secret;
    db.close().await;
    Tenant {
        org_id: org.id,
        slug: org.slug,
        account: account.id.to_string(),
        partner_key,
        ops_key,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The server child process; killed when dropped (also when a test panics).
struct Server(Child);

impl Server {
    /// SIGKILL, and reap.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the server binary and waits until it answers /healthz.
async fn start(url: &str, client: &reqwest::Client) -> (Server, String) {
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_numberdesk"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("BIND", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DEMO_SEED", "false")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the numberdesk binary starts");
        let base = format!("http://127.0.0.1:{port}");
        let mut child = child;
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break; // exited (port taken?): try another port
            }
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    return (Server(child), base);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("the server did not come up");
}

/// Acknowledged work: REST-created request numbers and GraphQL commands.
#[derive(Default)]
struct Acked {
    rest_numbers: Vec<i64>,
    /// (request UUID, event type the acknowledged command recorded).
    commands: Vec<(String, &'static str)>,
}

async fn graphql(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> Option<Value> {
    let response = client
        .post(format!("{base}/graphql"))
        .bearer_auth(key)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    if body.get("errors").is_some() {
        return None;
    }
    Some(body["data"].clone())
}

async fn writer(
    client: reqwest::Client,
    base: String,
    t: Arc<Tenant>,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Acked>>,
    n: usize,
) {
    for i in 0..400 {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if (n + i) % 2 == 0 {
            let response = client
                .post(format!("{base}/api/v1/org/{}/number-requests", t.slug))
                .bearer_auth(&t.partner_key)
                .header("X-Account-Id", &t.account)
                .header("Content-Type", "application/json")
                .body(r#"{"country":"NL","number_type":"local","use_case":"kill test","contact_name":"Jane","contact_email":"jane@acme.example"}"#)
                .send()
                .await;
            let Ok(response) = response else { return };
            if response.status().as_u16() == 201 {
                if let Ok(body) = response.json::<Value>().await {
                    if let Some(id) = body["numberRequest"]["id"].as_i64() {
                        acked.lock().expect("lock").rest_numbers.push(id);
                    }
                }
            }
            continue;
        }
        let Some(data) = graphql(
            &client,
            &base,
            &t.partner_key,
            "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
            json!({"input": {"organizationId": t.org_id, "country": "NL", "numberType": "local",
                "useCase": "kill test", "contactName": "Jane", "contactEmail": "jane@acme.example"}}),
        )
        .await
        else {
            return;
        };
        let Some(id) = data["submitNumberRequest"]["id"]
            .as_str()
            .map(str::to_owned)
        else {
            return;
        };
        acked
            .lock()
            .expect("lock")
            .commands
            .push((id.clone(), "Submitted"));
        let steps: [(&str, &'static str); 2] = [
            (
                "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"kill\") { status } }",
                "Assigned",
            ),
            ("mutation($id: ID!) { orderNumbers(id: $id) { status } }", "Provisioned"),
        ];
        for (query, event) in steps {
            match graphql(&client, &base, &t.ops_key, query, json!({"id": id})).await {
                Some(_) => acked
                    .lock()
                    .expect("lock")
                    .commands
                    .push((id.clone(), event)),
                None => return,
            }
        }
    }
}

async fn kill_and_restart(url: String) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let t = Arc::new(tenant(&url).await);
    let (mut child, base) = start(&url, &client).await;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Acked::default()));
    let writers: Vec<_> = (0..12)
        .map(|n| {
            tokio::spawn(writer(
                client.clone(),
                base.clone(),
                t.clone(),
                stop.clone(),
                acked.clone(),
                n,
            ))
        })
        .collect();
    // Let the load build up, then kill -9 in the middle of it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let done = acked.lock().expect("lock").commands.len();
        if done >= 60 {
            break;
        }
    }
    child.kill();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.await;
    }
    let acked = std::mem::take(&mut *acked.lock().expect("lock"));
    eprintln!(
        "acknowledged before the kill: {} REST creates, {} GraphQL commands",
        acked.rest_numbers.len(),
        acked.commands.len()
    );
    assert!(
        !acked.commands.is_empty(),
        "nothing was acknowledged before the kill"
    );

    let (mut child, base) = start(&url, &client).await;
    for number in &acked.rest_numbers {
        let r = client
            .get(format!(
                "{base}/api/v1/org/{}/number-requests/{number}",
                t.slug
            ))
            .bearer_auth(&t.partner_key)
            .header("X-Account-Id", &t.account)
            .send()
            .await
            .expect("get");
        assert_eq!(
            r.status().as_u16(),
            200,
            "acknowledged request {number} lost"
        );
    }
    let mut ids: Vec<&String> = acked.commands.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let data = graphql(
            &client,
            &base,
            &t.partner_key,
            "query($id: ID!) { history(requestId: $id) { eventType payload } numberRequest(id: $id) { id } }",
            json!({"id": id}),
        )
        .await
        .unwrap_or_else(|| panic!("history of {id} after restart"));
        assert!(
            data["numberRequest"]["id"].is_string(),
            "the view of {id} is missing after restart"
        );
        let events: Vec<&str> = data["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|e| e["eventType"].as_str())
            .collect();
        for (_, event) in acked.commands.iter().filter(|(i, _)| i == id) {
            assert!(
                events.contains(event),
                "acknowledged {event} of {id} lost: {events:?}"
            );
        }
        let mut attempts: Vec<i64> = data["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter(|e| e["eventType"] == "Ordered")
            .filter_map(|e| e["payload"]["ordered"]["attempt"].as_i64())
            .collect();
        let orders = attempts.len();
        attempts.dedup();
        assert_eq!(attempts.len(), orders, "{id} ordered twice in one attempt");
    }
    child.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_on_sqlite_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kill.db").display());
    kill_and_restart(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_on_postgres_loses_nothing_acknowledged() {
    let Some(url) = numberdesk_adapters::testing::fresh_postgres_url("fault_sigkill").await else {
        return;
    };
    kill_and_restart(url.clone()).await;
    numberdesk_adapters::testing::drop_postgres_database(&url).await;
}
