//! Processes for the carrier tests: the `telnyx_double` binary (the fake
//! Telnyx in its own process, which outlives a killed server and counts
//! every order POST per `customer_reference`) and the real `numberdesk`
//! binary pointed at it, plus a tenant and GraphQL helpers.

use numberdesk_adapters::tenancy::{Role, TenancyStore};
use numberdesk_adapters::Database;
use numberdesk_telnyx::fake::control::Stats;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An organization with a partner key and an ops key.
pub struct Tenant {
    pub org_id: i64,
    pub slug: String,
    pub account: String,
    pub partner_key: String,
    pub ops_key: String,
}

/// Creates a tenant directly in the database (before or between servers).
pub async fn tenant(url: &str) -> Tenant {
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

fn logs() -> Stdio {
    if std::env::var_os("TEST_LOG").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    }
}

/// A child process, killed with SIGKILL when dropped (also when a test panics).
pub struct Process(Child);

impl Process {
    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The carrier double process and its addresses.
pub struct Double {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    client: reqwest::Client,
    _process: Process,
}

/// The binary to run: `$NUMBERDESK_TEST_BIN_DIR/{name}` when that is set
/// (a copy taken right after the build, when several checkouts share one
/// cargo target directory and may overwrite `target/debug/{name}`),
/// otherwise cargo's.
fn binary(name: &str, built: &str) -> std::path::PathBuf {
    match std::env::var_os("NUMBERDESK_TEST_BIN_DIR") {
        Some(dir) => std::path::Path::new(&dir).join(name),
        None => built.into(),
    }
}

impl Double {
    /// Starts `telnyx_double` with these flags; waits for its "listening" line.
    pub fn start(args: &[&str]) -> Double {
        let mut child = Command::new(binary("telnyx_double", env!("CARGO_BIN_EXE_telnyx_double")))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(logs())
            .spawn()
            .expect("the telnyx_double binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let process = Process(child);
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the double's first line");
        let origin = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the double said {line:?}"))
            .to_owned();
        Double {
            origin,
            client: reqwest::Client::new(),
            _process: process,
        }
    }

    /// The Telnyx base URL to give the server.
    pub fn base_url(&self) -> String {
        format!("{}/v2", self.origin)
    }

    /// What the double saw and holds.
    pub async fn stats(&self) -> Stats {
        self.client
            .get(format!("{}/_double/stats", self.origin))
            .send()
            .await
            .expect("double stats")
            .json()
            .await
            .expect("double stats json")
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) {
        let response = self
            .client
            .request(method, format!("{}/_double/{path}", self.origin))
            .json(&body)
            .send()
            .await
            .expect("double control");
        assert!(
            response.status().is_success(),
            "double {path}: {response:?}"
        );
    }

    /// Changes knobs (see `fake::control::Knobs`).
    pub async fn knobs(&self, knobs: Value) {
        self.control(reqwest::Method::PUT, "knobs", knobs).await;
    }

    /// Removes every scripted fault.
    pub async fn clear_faults(&self) {
        self.control(reqwest::Method::DELETE, "faults", Value::Null)
            .await;
    }

    /// POSTs the double counted for `reference`.
    pub async fn posts_for(&self, reference: &str) -> usize {
        self.stats()
            .await
            .posts_by_reference
            .get(reference)
            .copied()
            .unwrap_or(0)
    }
}

/// Server settings for the carrier tests: fast jobs, the double as carrier.
pub fn server_env(double: &Double, reconcile_window_seconds: f64) -> Vec<(String, String)> {
    [
        (
            "TELNYX_API_KEY",
            numberdesk_telnyx::fake::API_KEY.to_owned(),
        ),
        ("TELNYX_BASE_URL", double.base_url()),
        ("TELNYX_REQUEST_TIMEOUT_SECS", "30".to_owned()),
        ("FULFILMENT_IDLE_POLL_MS", "50".to_owned()),
        ("JOB_LEASE_SECONDS", "2".to_owned()),
        ("JOB_MAX_ATTEMPTS", "10".to_owned()),
        ("JOB_BACKOFF_BASE_MS", "100".to_owned()),
        ("JOB_BACKOFF_MAX_SECONDS", "1".to_owned()),
        ("POLL_PENDING_AFTER_SECONDS", "0.2".to_owned()),
        (
            "ORDER_RECONCILE_WINDOW_SECONDS",
            reconcile_window_seconds.to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Starts the `numberdesk` binary on `url` with extra settings and waits
/// until it answers /healthz; returns it and its base URL.
pub async fn start_server(
    url: &str,
    env: &[(String, String)],
    client: &reqwest::Client,
) -> (Process, String) {
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(binary("numberdesk", env!("CARGO_BIN_EXE_numberdesk")))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("BIND", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DEMO_SEED", "false")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(logs())
            .stderr(logs())
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
                    return (Process(child), base);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("the server did not come up");
}

/// A GraphQL call; `None` when it failed or answered errors.
pub async fn graphql(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> Option<Value> {
    let body = graphql_raw(client, base, key, query, variables).await?;
    if body.get("errors").is_some() {
        return None;
    }
    Some(body["data"].clone())
}

/// A GraphQL call's whole answer (data and errors); `None` on transport failure.
pub async fn graphql_raw(
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
    response.json().await.ok()
}

/// Submits a US request for area code 201 (the double's inventory); its UUID.
pub async fn submit_us(client: &reqwest::Client, base: &str, t: &Tenant) -> Option<String> {
    let data = graphql(
        client,
        base,
        &t.partner_key,
        "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
        json!({"input": {"organizationId": t.org_id, "country": "US", "numberType": "local",
            "areaCode": "201", "quantity": 1, "useCase": "carrier test",
            "contactName": "Jane", "contactEmail": "jane@acme.example"}}),
    )
    .await?;
    data["submitNumberRequest"]["id"]
        .as_str()
        .map(str::to_owned)
}

/// A request's status, carrier order and numbers, as ops sees it.
pub async fn request(client: &reqwest::Client, base: &str, t: &Tenant, id: &str) -> Value {
    graphql(
        client,
        base,
        &t.ops_key,
        "query($id: ID!) { numberRequest(id: $id) { id status reason carrierOrderId orderedNumbers provisionedNumbers } }",
        json!({"id": id}),
    )
    .await
    .map(|d| d["numberRequest"].clone())
    .unwrap_or(Value::Null)
}

/// Polls the request until `done` holds, for at most `secs` (then panics).
pub async fn wait_request(
    client: &reqwest::Client,
    base: &str,
    t: &Tenant,
    id: &str,
    secs: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let now = request(client, base, t, id).await;
        if done(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "request {id} did not get there in {secs} s: {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the double counted `n` POSTs for `reference` (at most `secs`).
pub async fn wait_posts(double: &Double, reference: &str, n: usize, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while double.posts_for(reference).await < n {
        assert!(
            Instant::now() < deadline,
            "the double did not see {n} POSTs for {reference} in {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each attempt reference was posted once and holds one order (never paid twice).
pub fn assert_one_order_per_reference(stats: &Stats) {
    for (reference, posts) in &stats.posts_by_reference {
        assert_eq!(*posts, 1, "{reference} was posted {posts} times: {stats:?}");
    }
    let mut references: Vec<_> = stats
        .orders
        .iter()
        .map(|o| o.customer_reference.clone().unwrap_or_default())
        .collect();
    let all = references.len();
    references.sort();
    references.dedup();
    assert_eq!(
        references.len(),
        all,
        "two orders for one reference: {stats:?}"
    );
}

/// The orders the double holds that are not the recorded order of their
/// request (orphans: bought and tracked nowhere), with what the request says.
pub async fn orphans(
    client: &reqwest::Client,
    base: &str,
    t: &Tenant,
    stats: &Stats,
) -> Vec<String> {
    let mut orphans = Vec::new();
    for order in &stats.orders {
        let reference = order.customer_reference.clone().unwrap_or_default();
        let Some(id) = numberdesk_adapters::fulfilment::request_of_reference(&reference) else {
            orphans.push(format!("order {} has reference {reference:?}", order.id));
            continue;
        };
        let now = request(client, base, t, &id.to_string()).await;
        if now["carrierOrderId"] != order.id.as_str() {
            orphans.push(format!("order {} of {reference}: {now}", order.id));
        }
    }
    orphans
}

/// Every order the double holds is the recorded order of its request.
pub async fn assert_no_orphan(client: &reqwest::Client, base: &str, t: &Tenant, stats: &Stats) {
    let orphans = orphans(client, base, t, stats).await;
    assert!(orphans.is_empty(), "orphaned orders: {orphans:?}");
}
