//! The sandbox carrier's orders live in the service's database: the real
//! `numberdesk` binary in its default carrier mode (the sandbox), on a
//! SQLite file and on PostgreSQL, orders a request in the sandbox's pending
//! area, is killed with SIGKILL while the order is still pending, and is
//! started again on the same database. The poller finds the order after the
//! restart and the request completes (PROVISIONED) with the numbers of that
//! one order — no second order, no "order not found".

use crate::carrier_process::{graphql, start_server, tenant, Tenant};
use numberdesk_adapters::{Database, SqlSandboxOrders};
use numberdesk_domain::ports::SandboxOrderStore;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long the sandbox keeps the pending area pending: longer than a kill
/// and a restart take, so the order completes only after the restart.
const PENDING_DELAY_MS: u64 = 6000;

fn sandbox_env() -> Vec<(String, String)> {
    [
        // No Telnyx key: the sandbox carrier.
        ("TELNYX_API_KEY", String::new()),
        ("SANDBOX_PENDING_DELAY_MS", PENDING_DELAY_MS.to_string()),
        ("FULFILMENT_IDLE_POLL_MS", "50".to_owned()),
        ("JOB_LEASE_SECONDS", "2".to_owned()),
        ("JOB_MAX_ATTEMPTS", "10".to_owned()),
        ("JOB_BACKOFF_BASE_MS", "100".to_owned()),
        ("JOB_BACKOFF_MAX_SECONDS", "1".to_owned()),
        ("POLL_PENDING_AFTER_SECONDS", "0.2".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

const REQUEST_FIELDS: &str = "status carrierOrderId orderedNumbers provisionedNumbers reason";

async fn request(client: &reqwest::Client, base: &str, t: &Tenant, id: &str) -> Option<Value> {
    let data = graphql(
        client,
        base,
        &t.ops_key,
        &format!("query($id: ID!) {{ numberRequest(id: $id) {{ {REQUEST_FIELDS} }} }}"),
        json!({"id": id}),
    )
    .await?;
    Some(data["numberRequest"].clone())
}

async fn wait_status(
    client: &reqwest::Client,
    base: &str,
    t: &Tenant,
    id: &str,
    status: &str,
    secs: u64,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        if let Some(r) = request(client, base, t, id).await {
            if r["status"] == status {
                return r;
            }
            last = r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("request {id} not {status} after {secs} s: {last}");
}

async fn a_pending_sandbox_order_completes_after_a_restart(url: String) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let t = tenant(&url).await;
    let env = sandbox_env();
    let (mut server, base) = start_server(&url, &env, &client).await;
    let submitted = graphql(
        &client,
        &base,
        &t.partner_key,
        "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
        json!({"input": {"organizationId": t.org_id, "country": "NL", "numberType": "local",
            "city": "pending", "quantity": 1, "useCase": "restart test", "contactName": "Jane",
            "contactEmail": "jane@acme.example"}}),
    )
    .await
    .expect("submit");
    let id = submitted["submitNumberRequest"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    graphql(
        &client,
        &base,
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }",
        json!({"id": id}),
    )
    .await
    .expect("assign");
    let ordered = wait_status(&client, &base, &t, &id, "ORDERED", 30).await;
    let order_id = ordered["carrierOrderId"]
        .as_str()
        .expect("order id")
        .to_owned();
    assert_eq!(ordered["provisionedNumbers"], json!([]), "{ordered}");
    // The order is pending at the sandbox for PENDING_DELAY_MS: kill now.
    server.kill();

    let (_server, base) = start_server(&url, &env, &client).await;
    let done = wait_status(&client, &base, &t, &id, "PROVISIONED", 40).await;
    assert_eq!(done["carrierOrderId"], json!(order_id), "{done}");
    assert_eq!(
        done["provisionedNumbers"], ordered["orderedNumbers"],
        "{done}"
    );
    // One order: one Ordered event, nothing missing, and the sandbox holds
    // exactly the order of the first attempt.
    let history = graphql(
        &client,
        &base,
        &t.ops_key,
        "query($id: ID!) { history(requestId: $id) { eventType } }",
        json!({"id": id}),
    )
    .await
    .expect("history");
    let events: Vec<&str> = history["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert_eq!(
        events.iter().filter(|e| **e == "Ordered").count(),
        1,
        "{events:?}"
    );
    assert!(!events.contains(&"OrderMissing"), "{events:?}");
    let store = SqlSandboxOrders::new(Database::connect(&url).await.expect("database"));
    let held = store.order_by_reference(&id).await.expect("store");
    assert_eq!(held.map(|o| o.id), Some(order_id));
    let second = store
        .order_by_reference(&format!("{id}:attempt-2"))
        .await
        .expect("store");
    assert_eq!(second, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_sandbox_order_survives_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sandbox.db").display());
    a_pending_sandbox_order_completes_after_a_restart(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_sandbox_order_survives_a_restart_on_postgres() {
    let Some(database) =
        numberdesk_adapters::testing::TestPostgres::create("sandbox_restart").await
    else {
        return;
    };
    a_pending_sandbox_order_completes_after_a_restart(database.url().to_owned()).await;
}
