//! Fault suite: the real `numberdesk` binary, killed with SIGKILL in the
//! middle of a write load and started again on the same database (SQLite
//! file and PostgreSQL). Nothing acknowledged is lost, the views catch up by
//! themselves, and no request is ordered twice: the carrier is the
//! `telnyx_double` process (it outlives the kill and counts the order POSTs
//! per `customer_reference`), holding every order POST 1 s (so the kill
//! lands while some are in flight) and its reference filter lagging 3 s behind.

use crate::carrier_process::{
    assert_one_order_per_reference, graphql, orphans, server_env, start_server, tenant, Double,
    Tenant,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Acknowledged work: REST-created request numbers and GraphQL commands.
#[derive(Default)]
struct Acked {
    rest_numbers: Vec<i64>,
    /// (request UUID, event type the acknowledged command recorded).
    commands: Vec<(String, &'static str)>,
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
                .body(r#"{"country":"US","number_type":"local","area_code":"201","use_case":"kill test","contact_name":"Jane","contact_email":"jane@acme.example"}"#)
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
            json!({"input": {"organizationId": t.org_id, "country": "US", "numberType": "local", "areaCode": "201",
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
    let double = Double::start(&["--reference-lag-ms", "3000", "--post-delay-ms", "1000"]);
    let env = server_env(&double, 30.0);
    let (mut child, base) = start_server(&url, &env, &client).await;
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

    let (mut child, base) = start_server(&url, &env, &client).await;
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
    // The carrier was asked once per attempt, and every order it accepted
    // (also those whose POST the kill cut off) lands on its request.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stats = double.stats().await;
        assert_one_order_per_reference(&stats);
        let orphans = orphans(&client, &base, &t, &stats).await;
        if orphans.is_empty() {
            eprintln!(
                "{} order POSTs, {} orders, none orphaned",
                stats.posts,
                stats.orders.len()
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "orphaned orders after 60 s: {orphans:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
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
    let Some(database) = numberdesk_adapters::testing::TestPostgres::create("fault_sigkill").await
    else {
        return;
    };
    kill_and_restart(database.url().to_owned()).await;
}
