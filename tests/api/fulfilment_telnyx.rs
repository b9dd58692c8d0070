//! Fulfilment end to end against the stateful fake Telnyx: the real server
//! (with its workers, on SQLite and PostgreSQL) ordering through the real
//! Telnyx client. Rate limits, a carrier failing for ever, a requirements
//! failure, signed webhooks (bad, stale, duplicate, out of order), and a
//! worker killed between the carrier accepting an order and our event.

use crate::helpers::{eventually, fast_fulfilment, restart, spawn_fulfilment, Backend, TestApp};
use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use numberdesk_domain::ports::{
    AvailableNumber, CarrierOrder, NumberProvider, NumberSearch, OrderRequest, ProviderError,
};
use numberdesk_telnyx::fake::{
    order_webhook_body, FakeTelnyx, Fault, FaultKind, InventoryItem, WebhookSigner, API_KEY,
};
use numberdesk_telnyx::types::OrderStatus;
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

on_both_stores!(
    "ft":
    a_rate_limit_is_retried_and_orders_once,
    a_carrier_failing_for_ever_leaves_the_request_assigned_and_visible,
    a_requirements_failure_fails_with_the_carriers_reason,
    webhooks_are_verified_deduplicated_and_applied_once,
    a_crash_after_the_carrier_accepted_the_order_never_orders_twice,
    a_5xx_after_create_with_a_lagging_reference_filter_orders_once,
    cancelling_while_the_order_is_posted_is_a_conflict,
);

const NUMBERS: [&str; 3] = ["+12015550123", "+12015550124", "+12015550125"];

async fn fake() -> FakeTelnyx {
    let fake = FakeTelnyx::start().await;
    {
        let mut state = fake.state();
        for number in NUMBERS {
            state.inventory.push(InventoryItem {
                country: "US",
                ndc: "201",
                number: number.to_owned(),
                best_effort: false,
            });
        }
    }
    fake
}

/// The real Telnyx provider on the fake, without client-side retries (the
/// jobs retry), so every carrier failure is visible in the job.
fn telnyx(fake: &FakeTelnyx) -> Arc<TelnyxProvider> {
    let mut config = TelnyxConfig::new(ApiKey::new(API_KEY).expect("key"));
    config.client.base_url = fake.base_url.clone();
    config.client.request_timeout = Duration::from_secs(2);
    config.client.connect_timeout = Duration::from_secs(2);
    config.client.retry = RetryPolicy {
        max_attempts: 1,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    Arc::new(TelnyxProvider::new(&config).expect("provider"))
}

async fn app_on(backend: Backend, name: &str, fake: &FakeTelnyx) -> Option<TestApp> {
    spawn_fulfilment(backend, name, fast_fulfilment(), Some(telnyx(fake)))
        .await
        .map(|(app, _, _)| app)
}

async fn submit_us(app: &TestApp, quantity: i64) -> String {
    app.submit_with(json!({"country": "US", "areaCode": "201", "quantity": quantity}))
        .await
}

fn order_job(jobs: &[Value]) -> Value {
    jobs.iter()
        .find(|j| j["kind"] == "order")
        .cloned()
        .unwrap_or_else(|| panic!("no order job in {jobs:?}"))
}

async fn a_rate_limit_is_retried_and_orders_once(backend: Backend, name: &str) {
    let fake = fake().await;
    fake.state().faults.push(Fault {
        method: Method::GET,
        path: "/available_phone_numbers",
        times: Some(1),
        after_processing: false,
        kind: FaultKind::Status {
            status: 429,
            headers: vec![],
            code: "10011",
        },
    });
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_us(&app, 2).await;
    app.assign(&id).await;
    let done = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(done["provisionedNumbers"].as_array().map(Vec::len), Some(2));
    // The run records its outcome just after its events.
    let job = eventually(20, "the order job to finish", || async {
        let job = order_job(&app.jobs(&id).await);
        (job["status"] == "DONE").then_some(job)
    })
    .await;
    // 2 runs; on a loaded machine a run whose lease expired is taken over
    // and counts as one more.
    assert!(job["attempts"].as_i64().is_some_and(|a| a >= 2), "{job}");
    assert_eq!(job["runs"][0]["outcome"], "retry", "{job}");
    assert!(
        job["runs"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("rate limit")),
        "{job}"
    );
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 1);
    assert_eq!(state.order_count(), 1);
}

async fn a_carrier_failing_for_ever_leaves_the_request_assigned_and_visible(
    backend: Backend,
    name: &str,
) {
    let fake = fake().await;
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: None,
        after_processing: false,
        kind: FaultKind::Status {
            status: 500,
            headers: vec![],
            code: "10007",
        },
    });
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_us(&app, 1).await;
    app.assign(&id).await;
    let job = eventually(30, "the order job to give up", || async {
        let jobs = app.jobs(&id).await;
        jobs.into_iter()
            .find(|j| j["kind"] == "order" && j["status"] == "FAILED")
    })
    .await;
    let error = job["lastError"].as_str().unwrap_or_default();
    assert!(
        error.contains("no order exists at the carrier") && error.contains("gave up"),
        "{job}"
    );
    let request = app.request_at(&app.base, &id).await;
    assert_eq!(request["status"], "ASSIGNED", "{request}");
    // Every post had an unknown outcome: each was followed by lookups over
    // the reconcile window before the next, and the posts stay within the
    // job's attempts.
    let posts = fake.state().count(&Method::POST, "/number_orders");
    assert!((1..=4).contains(&posts), "{posts} posts: {job}");
    assert!(
        fake.state().count(&Method::GET, "/number_orders") > posts,
        "lookups between posts"
    );
    assert_eq!(fake.state().order_count(), 0);
    let attempts = job["attempts"].as_i64().unwrap_or_default();

    // Nothing is lost: once the carrier is back, orderNumbers runs the job.
    fake.state().faults.clear();
    let ordered = app
        .graphql_ok(
            &app.tenant.ops_key,
            "mutation($id: ID!) { orderNumbers(id: $id) { status provisionedNumbers } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        ordered["orderNumbers"]["status"], "PROVISIONED",
        "{ordered}"
    );
    assert_eq!(fake.state().order_count(), 1);
    let job = order_job(&app.jobs(&id).await);
    assert_eq!(job["status"], "DONE");
    assert_eq!(job["attempts"], attempts + 1);
}

async fn a_requirements_failure_fails_with_the_carriers_reason(backend: Backend, name: &str) {
    let fake = fake().await;
    fake.state()
        .failing_numbers
        .extend(NUMBERS.iter().map(|n| (*n).to_owned()));
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_us(&app, 1).await;
    app.assign(&id).await;
    let failed = app.wait_status(&id, "FAILED", 20).await;
    let reason = failed["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("regulatory requirements not met"),
        "{failed}"
    );
    assert_eq!(failed["failedNumbers"].as_array().map(Vec::len), Some(1));
    assert_eq!(fake.state().order_count(), 1);
}

async fn post_webhook(
    app: &TestApp,
    body: &str,
    timestamp: i64,
    signer: &WebhookSigner,
) -> (StatusCode, Value) {
    let timestamp = timestamp.to_string();
    let response = app
        .client
        .post(format!("{}/webhooks/telnyx", app.base))
        .header("telnyx-timestamp", &timestamp)
        .header(
            "telnyx-signature-ed25519",
            signer.sign(&timestamp, body.as_bytes()),
        )
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("webhook request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn webhooks_are_verified_deduplicated_and_applied_once(backend: Backend, name: &str) {
    let fake = fake().await;
    fake.state().pending_polls = 1_000;
    let signer = WebhookSigner::new(7);
    let mut config = fast_fulfilment();
    config.telnyx_webhook_public_key = Some(signer.public_key_base64());
    // Only the webhook may settle the order in this test.
    config.poll_pending_after_seconds = 120.0;
    let Some((app, _node, _)) = spawn_fulfilment(backend, name, config, Some(telnyx(&fake))).await
    else {
        return;
    };
    let id = submit_us(&app, 1).await;
    app.assign(&id).await;
    app.wait_status(&id, "ORDERED", 20).await;

    let pending = fake.state().orders().pop().expect("an order");
    let mut complete = pending.clone();
    complete.status = Some(OrderStatus::Success);
    for number in &mut complete.phone_numbers {
        number.status = Some(OrderStatus::Success);
    }
    let body = order_webhook_body("8d3a7a4e-0000-4000-8000-000000000001", &complete);
    let now = chrono::Utc::now().timestamp();
    let before = app.log_length().await;

    // A signature by another key, and a stale one: 401, nothing stored.
    let (status, _) = post_webhook(&app, &body, now, &WebhookSigner::new(8)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, answer) = post_webhook(&app, &body, now - 600, &signer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    // A body changed after signing.
    let timestamp = now.to_string();
    let signature = signer.sign(&timestamp, body.as_bytes());
    let tampered = body.replace("success", "failure");
    let response = app
        .client
        .post(format!("{}/webhooks/telnyx", app.base))
        .header("telnyx-timestamp", &timestamp)
        .header("telnyx-signature-ed25519", signature)
        .body(tampered)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.state
            .fulfilment
            .webhook_event_count()
            .await
            .expect("count"),
        0
    );
    assert_eq!(app.log_length().await, before);
    assert_eq!(app.request_at(&app.base, &id).await["status"], "ORDERED");

    // The real thing: stored, applied, provisioned.
    let (status, answer) = post_webhook(&app, &body, now, &signer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    app.wait_status(&id, "PROVISIONED", 20).await;
    let after = app.log_length().await;
    assert_eq!(after, before + 1, "exactly one Provisioned event");

    // A duplicate delivery and a late, out-of-order "pending" report change nothing.
    let (status, answer) = post_webhook(&app, &body, now, &signer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["message"], "duplicate; already stored");
    let late = order_webhook_body("8d3a7a4e-0000-4000-8000-000000000000", &pending);
    let (status, _) = post_webhook(&app, &late, now, &signer).await;
    assert_eq!(status, StatusCode::OK);
    eventually(20, "every webhook job done", || async {
        let jobs = app.jobs(&id).await;
        let webhooks: Vec<&Value> = jobs.iter().filter(|j| j["kind"] == "webhook").collect();
        (webhooks.len() == 2 && webhooks.iter().all(|j| j["status"] == "DONE")).then_some(())
    })
    .await;
    assert_eq!(
        app.state
            .fulfilment
            .webhook_event_count()
            .await
            .expect("count"),
        2
    );
    assert_eq!(app.log_length().await, after);
    assert_eq!(
        app.request_at(&app.base, &id).await["status"],
        "PROVISIONED"
    );
}

/// A carrier whose `place_order` never returns after the carrier accepted
/// the order while `hang` is set: the process is killed in that window.
struct HangAfterPlacing {
    inner: Arc<TelnyxProvider>,
    hang: AtomicBool,
}

#[async_trait]
impl NumberProvider for HangAfterPlacing {
    async fn search(&self, search: &NumberSearch) -> Result<Vec<AvailableNumber>, ProviderError> {
        self.inner.search(search).await
    }
    async fn place_order(&self, order: &OrderRequest) -> Result<CarrierOrder, ProviderError> {
        let placed = self.inner.place_order(order).await;
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        placed
    }
    async fn order_status(&self, id: &str) -> Result<CarrierOrder, ProviderError> {
        self.inner.order_status(id).await
    }
    async fn find_order_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<CarrierOrder>, ProviderError> {
        self.inner.find_order_by_reference(reference).await
    }
    async fn release_number(
        &self,
        phone_number: &numberdesk_domain::values::PhoneNumber,
    ) -> Result<numberdesk_domain::ports::ReleaseOutcome, ProviderError> {
        self.inner.release_number(phone_number).await
    }
}

async fn a_crash_after_the_carrier_accepted_the_order_never_orders_twice(
    backend: Backend,
    name: &str,
) {
    let fake = fake().await;
    let hanging = Arc::new(HangAfterPlacing {
        inner: telnyx(&fake),
        hang: AtomicBool::new(true),
    });
    let Some((mut app, first, url)) =
        spawn_fulfilment(backend, name, fast_fulfilment(), Some(hanging)).await
    else {
        return;
    };
    let id = submit_us(&app, 2).await;
    app.assign(&id).await;
    eventually(20, "the carrier to accept the order", || async {
        (fake.state().order_count() == 1).then_some(())
    })
    .await;
    // Kill the process (workers included) before it records the order.
    first.task.abort();
    let _ = first.task.await;
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let view = app
        .state
        .desk
        .request(uuid)
        .await
        .expect("view")
        .expect("request");
    assert_eq!(view.status.as_str(), "assigned");

    // A new process takes the job over once the dead worker's lease expires.
    let second = restart(&url, fast_fulfilment(), Some(telnyx(&fake))).await;
    app.base = second.base.clone();
    let done = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(
        done["provisionedNumbers"].as_array().map(Vec::len),
        Some(2),
        "{done}"
    );
    let (orders, posts, placed) = {
        let state = fake.state();
        (
            state.order_count(),
            state.count(&Method::POST, "/number_orders"),
            state.orders(),
        )
    };
    assert_eq!(orders, 1, "the carrier holds exactly one order");
    assert_eq!(posts, 1);
    assert_eq!(done["carrierOrderId"], placed[0].id.as_str());
    // The run records its outcome just after the events.
    let job = eventually(20, "the order job to finish", || async {
        let job = order_job(&app.jobs(&id).await);
        (job["status"] == "DONE").then_some(job)
    })
    .await;
    assert_eq!(job["attempts"], 2, "the killed run counts: {job}");
    second.task.abort();
}

/// The carrier creates the order but answers 500, and its reference filter
/// shows the order only 1.5 s later. The job must not post again while the
/// order may exist: it looks the reference up (visible in GraphQL as an
/// unknown outcome) until the order shows, and records that one order.
async fn a_5xx_after_create_with_a_lagging_reference_filter_orders_once(
    backend: Backend,
    name: &str,
) {
    let fake = fake().await;
    {
        let mut state = fake.state();
        state.reference_lag = Duration::from_millis(1500);
        state.faults.push(Fault {
            method: Method::POST,
            path: "/number_orders",
            times: Some(1),
            after_processing: true,
            kind: FaultKind::Status {
                status: 500,
                headers: vec![],
                code: "10007",
            },
        });
    }
    let mut config = fast_fulfilment();
    config.order_reconcile_window_seconds = 6.0;
    let Some((app, node, _)) = spawn_fulfilment(backend, name, config, Some(telnyx(&fake))).await
    else {
        return;
    };
    let id = submit_us(&app, 2).await;
    app.assign(&id).await;
    let waiting = eventually(
        20,
        "the order job to wait on an unknown outcome",
        || async {
            app.jobs(&id).await.into_iter().find(|j| {
                j["kind"] == "order"
                    && j["status"] == "PENDING"
                    && !j["orderOutcomeUnknownSince"].is_null()
            })
        },
    )
    .await;
    assert!(
        waiting["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("order outcome unknown")),
        "{waiting}"
    );
    let done = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(done["provisionedNumbers"].as_array().map(Vec::len), Some(2));
    let (posts, orders) = {
        let state = fake.state();
        (state.count(&Method::POST, "/number_orders"), state.orders())
    };
    assert_eq!(posts, 1, "posted once");
    assert_eq!(orders.len(), 1);
    assert_eq!(done["carrierOrderId"], orders[0].id.as_str());
    let mut job = order_job(&app.jobs(&id).await);
    for _ in 0..200 {
        if job["status"] == "DONE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        job = order_job(&app.jobs(&id).await);
    }
    assert_eq!(job["status"], "DONE", "{job}");
    assert!(job["orderOutcomeUnknownSince"].is_null(), "{job}");
    node.task.abort();
}

/// `cancelNumberRequest` while the order POST is in flight (the carrier
/// takes 1.5 s): refused with CONFLICT, and the order lands on the request.
async fn cancelling_while_the_order_is_posted_is_a_conflict(backend: Backend, name: &str) {
    let fake = fake().await;
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: Some(1),
        after_processing: true,
        kind: FaultKind::Delay(Duration::from_millis(1500)),
    });
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_us(&app, 1).await;
    app.assign(&id).await;
    eventually(20, "the order POST to be in flight", || async {
        (fake.state().count(&Method::POST, "/number_orders") == 1).then_some(())
    })
    .await;
    let body = app
        .graphql(
            &app.tenant.ops_key,
            "mutation($id: ID!) { cancelNumberRequest(id: $id, reason: \"changed my mind\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert!(body.to_string().contains("order of this request"), "{body}");
    let done = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(done["carrierOrderId"], fake.state().orders()[0].id.as_str());
    assert_eq!(fake.state().order_count(), 1);
}
