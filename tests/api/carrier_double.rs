//! The real `numberdesk` binary against the carrier double in its own
//! process (`telnyx_double`), which survives the server's SIGKILL and counts
//! every order POST per `customer_reference`: a kill while the carrier holds
//! the POST, a 5xx after create with a lagging reference filter, a cancel
//! during the POST, and two servers on one PostgreSQL database ordering 300
//! requests. Each asserts exactly one order per request and no orphan.

use crate::carrier_process::{
    assert_no_orphan, assert_one_order_per_reference, graphql, graphql_raw, request, server_env,
    start_server, submit_us, tenant, wait_posts, wait_request, Double, Tenant,
};
use numberdesk_adapters::testing::TestPostgres;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let url = format!("sqlite://{}", dir.path().join("carrier.db").display());
                    super::$name(url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(database) = super::TestPostgres::create(concat!("cd_", stringify!($name))).await
                    else {
                        return;
                    };
                    super::$name(database.url().to_owned()).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_post_outliving_the_client_timeout_orders_once,
    a_kill_while_the_carrier_holds_the_post_orders_once_after_restart,
    a_5xx_after_create_with_a_lagging_reference_filter_posts_once,
    a_cancel_during_the_post_is_a_conflict_and_the_order_is_recorded,
);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn assign(client: &reqwest::Client, base: &str, t: &Tenant, id: &str) {
    graphql(
        client,
        base,
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\") { status } }",
        json!({"id": id}),
    )
    .await
    .unwrap_or_else(|| panic!("assigning {id}"));
}

fn provisioned(r: &Value) -> bool {
    r["status"] == "PROVISIONED"
}

/// The carrier accepts the POST and holds the answer; the server is killed
/// with SIGKILL in that window and started again on the same database. The
/// reference filter lags 10 s behind, so the restarted job does not see the
/// order at first: only the durable "posted, outcome unknown" mark and the
/// reconcile window keep it from posting again.
async fn a_kill_while_the_carrier_holds_the_post_orders_once_after_restart(url: String) {
    let double = Double::start(&["--reference-lag-ms", "10000", "--post-delay-ms", "600000"]);
    let client = client();
    let t = tenant(&url).await;
    let env = server_env(&double, 60.0);
    let (mut first, base) = start_server(&url, &env, &client).await;
    let id = submit_us(&client, &base, &t).await.expect("submitted");
    assign(&client, &base, &t, &id).await;
    wait_posts(&double, &id, 1, 30).await;
    first.kill();
    let held = request(&client, &base, &t, &id).await;
    assert!(held.is_null(), "the first server is gone");
    double.clear_faults().await;

    let (mut second, base) = start_server(&url, &env, &client).await;
    let done = wait_request(&client, &base, &t, &id, 90, provisioned).await;
    let stats = double.stats().await;
    assert_eq!(double.posts_for(&id).await, 1, "posted once: {stats:?}");
    assert_eq!(stats.orders.len(), 1, "{stats:?}");
    assert_one_order_per_reference(&stats);
    assert_no_orphan(&client, &base, &t, &stats).await;
    assert_eq!(
        done["provisionedNumbers"],
        json!(stats.orders[0].phone_numbers)
    );
    second.kill();
}

/// The carrier creates the order but answers only after 4 s, while the
/// client gives up after 1 s (`TELNYX_REQUEST_TIMEOUT_SECS`); the server
/// stays up. The order is listed by reference 6 s late, so only the
/// reconcile window keeps the job from posting again: exactly one order.
async fn a_post_outliving_the_client_timeout_orders_once(url: String) {
    let double = Double::start(&["--post-delay-ms", "4000", "--reference-lag-ms", "6000"]);
    let client = client();
    let t = tenant(&url).await;
    let mut env = server_env(&double, 60.0);
    for (key, value) in &mut env {
        if key == "TELNYX_REQUEST_TIMEOUT_SECS" {
            *value = "1".into();
        }
    }
    let (mut server, base) = start_server(&url, &env, &client).await;
    let id = submit_us(&client, &base, &t).await.expect("submitted");
    assign(&client, &base, &t, &id).await;
    let done = wait_request(&client, &base, &t, &id, 60, provisioned).await;
    let stats = double.stats().await;
    assert_eq!(double.posts_for(&id).await, 1, "posted once: {stats:?}");
    assert_eq!(stats.orders.len(), 1, "{stats:?}");
    assert_one_order_per_reference(&stats);
    assert_no_orphan(&client, &base, &t, &stats).await;
    assert_eq!(
        done["provisionedNumbers"],
        json!(stats.orders[0].phone_numbers)
    );
    server.kill();
}

/// The carrier creates the order, answers 500, and lists it by reference
/// only 3 s later: the job looks it up until it shows and posts once.
async fn a_5xx_after_create_with_a_lagging_reference_filter_posts_once(url: String) {
    let double = Double::start(&["--reference-lag-ms", "3000", "--fail-after-create", "1"]);
    let client = client();
    let t = tenant(&url).await;
    let (mut server, base) = start_server(&url, &server_env(&double, 60.0), &client).await;
    let id = submit_us(&client, &base, &t).await.expect("submitted");
    assign(&client, &base, &t, &id).await;
    wait_request(&client, &base, &t, &id, 60, provisioned).await;
    let stats = double.stats().await;
    assert_eq!(double.posts_for(&id).await, 1, "posted once: {stats:?}");
    assert_eq!(stats.orders.len(), 1, "{stats:?}");
    assert!(
        stats.reference_lookups >= 2,
        "looked the order up until it showed: {stats:?}"
    );
    // Exactly one reference lookup per run of the order job.
    let jobs = graphql(
        &client,
        &base,
        &t.ops_key,
        "query($id: ID!) { jobs(requestId: $id) { kind attempts } }",
        json!({"id": id}),
    )
    .await
    .expect("jobs");
    let runs: i64 = jobs["jobs"]
        .as_array()
        .expect("jobs list")
        .iter()
        .filter(|j| j["kind"] == "order")
        .map(|j| j["attempts"].as_i64().expect("attempts"))
        .sum();
    assert_eq!(
        i64::try_from(stats.reference_lookups).expect("count"),
        runs,
        "one lookup per order attempt: {jobs} {stats:?}"
    );
    assert_no_orphan(&client, &base, &t, &stats).await;
    server.kill();
}

/// `cancelNumberRequest` while the carrier holds the order POST (3 s):
/// refused with CONFLICT; the order lands on the request, nothing orphaned.
async fn a_cancel_during_the_post_is_a_conflict_and_the_order_is_recorded(url: String) {
    let double = Double::start(&["--post-delay-ms", "3000"]);
    let client = client();
    let t = tenant(&url).await;
    let (mut server, base) = start_server(&url, &server_env(&double, 60.0), &client).await;
    let id = submit_us(&client, &base, &t).await.expect("submitted");
    assign(&client, &base, &t, &id).await;
    wait_posts(&double, &id, 1, 30).await;
    let body = graphql_raw(
        &client,
        &base,
        &t.ops_key,
        "mutation($id: ID!) { cancelNumberRequest(id: $id, reason: \"changed my mind\") { status } }",
        json!({"id": id}),
    )
    .await
    .expect("cancel answered");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "cancel during the POST: {body}"
    );
    wait_request(&client, &base, &t, &id, 60, provisioned).await;
    let stats = double.stats().await;
    assert_eq!(stats.orders.len(), 1, "{stats:?}");
    assert_one_order_per_reference(&stats);
    assert_no_orphan(&client, &base, &t, &stats).await;
    server.kill();
}

const REQUESTS: usize = 300;

/// Two server processes on one PostgreSQL database, both with
/// AUTO_FULFILMENT and workers, order 300 requests through one double that
/// answers some POSTs 500 after creating the order, lists by reference 20 s
/// late, keeps orders pending and reports them by webhook (to one server)
/// or to the poller. Every request ends PROVISIONED or visibly FAILED, each
/// with exactly one order, and no order is orphaned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_order_300_requests_once_each() {
    let Some(database) = TestPostgres::create("cd_two_servers").await else {
        return;
    };
    let url = database.url();
    // The listing lags 20 s (inside the 60 s window): long enough that the
    // retry of a 500-after-create comes before the order is listed, even
    // behind a queue of 300 jobs, so only the reconcile window stops a
    // second POST (with 1 s the queue alone hid the lag).
    let double = Double::start(&[
        "--reference-lag-ms",
        "20000",
        "--fail-after-create",
        "15",
        "--pending-polls",
        "2",
    ]);
    let client = client();
    let t = Arc::new(tenant(url).await);
    let signer = numberdesk_telnyx::fake::WebhookSigner::new(7);
    let mut env = server_env(&double, 60.0);
    env.push(("AUTO_FULFILMENT".into(), "true".into()));
    env.push((
        "TELNYX_WEBHOOK_PUBLIC_KEY".into(),
        signer.public_key_base64(),
    ));
    let (mut a, base_a) = start_server(url, &env, &client).await;
    let (mut b, base_b) = start_server(url, &env, &client).await;
    double
        .knobs(json!({"webhook_url": format!("{base_a}/webhooks/telnyx"),
            "webhook_seed": 7, "webhook_delay_ms": 300}))
        .await;

    let writers: Vec<_> = (0..10)
        .map(|w| {
            let (client, t) = (client.clone(), t.clone());
            let base = if w % 2 == 0 {
                base_a.clone()
            } else {
                base_b.clone()
            };
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..REQUESTS / 10 {
                    ids.push(submit_us(&client, &base, &t).await.expect("submitted"));
                }
                ids
            })
        })
        .collect();
    let mut ids = Vec::new();
    for w in writers {
        ids.extend(w.await.expect("writer"));
    }
    assert_eq!(ids.len(), REQUESTS);

    // Bounded wait until every request is settled; no timing is asserted.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut open = ids.clone();
    let mut settled: Vec<Value> = Vec::new();
    while !open.is_empty() {
        let mut still = Vec::new();
        for id in open {
            let now = request(&client, &base_b, &t, &id).await;
            match now["status"].as_str() {
                Some("PROVISIONED" | "FAILED") => settled.push(now),
                _ if Instant::now() > deadline => {
                    panic!("request {id} not settled in 300 s: {now}")
                }
                _ => still.push(id),
            }
        }
        open = still;
        if !open.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let stats = double.stats().await;
    assert_one_order_per_reference(&stats);
    assert_no_orphan(&client, &base_a, &t, &stats).await;
    for r in &settled {
        let id = r["id"].as_str().expect("id");
        let orders = stats
            .orders
            .iter()
            .filter(|o| {
                o.customer_reference
                    .as_deref()
                    .and_then(numberdesk_adapters::fulfilment::request_of_reference)
                    .is_some_and(|u| u.to_string() == id)
            })
            .count();
        if r["status"] == "PROVISIONED" {
            assert_eq!(orders, 1, "{id}: {r}");
        } else {
            assert!(orders <= 1, "{id}: {r}");
            assert!(r["reason"].is_string(), "a FAILED request says why: {r}");
        }
    }
    let failed = settled.iter().filter(|r| r["status"] == "FAILED").count();
    eprintln!(
        "{REQUESTS} requests: {} provisioned, {failed} failed; {} POSTs, {} orders",
        REQUESTS - failed,
        stats.posts,
        stats.orders.len()
    );
    a.kill();
    b.kill();
}
