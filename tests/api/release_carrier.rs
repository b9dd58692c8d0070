//! Releasing numbers against the fake Telnyx through the real provider, on
//! SQLite and PostgreSQL: a DELETE whose answer is lost (the carrier
//! released the number, then answered 500) is retried by the worker and
//! the carrier sees exactly one DELETE; the numbers an order bought for a
//! cancelled request (listed in `needsAttention`) are released the same way
//! and leave `needsAttention`.

use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend};
use crate::release::RELEASE;
use axum::http::Method;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::Reason;
use numberdesk_domain::NumberRequestCommand;
use numberdesk_telnyx::fake::{FakeTelnyx, Fault, FaultKind, InventoryItem, API_KEY};
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

on_both_stores!(
    "rc":
    a_lost_delete_answer_is_retried_and_the_carrier_sees_one_delete,
    numbers_bought_for_a_cancelled_request_are_released_and_leave_attention,
);

const NUMBER: &str = "+12015550123";

async fn fake() -> FakeTelnyx {
    let fake = FakeTelnyx::start().await;
    fake.state().inventory.push(InventoryItem {
        country: "US",
        ndc: "201",
        number: NUMBER.to_owned(),
        best_effort: false,
    });
    fake
}

/// The real provider on the fake, without client-side retries (the jobs
/// retry).
fn telnyx(fake: &FakeTelnyx) -> Arc<TelnyxProvider> {
    let mut config = TelnyxConfig::new(ApiKey::new(API_KEY).expect("key"));
    config.client.base_url = fake.base_url.clone();
    config.client.request_timeout = Duration::from_secs(5);
    config.client.retry = RetryPolicy {
        max_attempts: 1,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    Arc::new(TelnyxProvider::new(&config).expect("provider"))
}

async fn release_job(app: &crate::helpers::TestApp, id: &str) -> Value {
    eventually(30, "the release job to finish", || async {
        app.jobs(id)
            .await
            .into_iter()
            .find(|j| j["kind"] == "release" && (j["status"] == "DONE" || j["status"] == "FAILED"))
    })
    .await
}

async fn a_lost_delete_answer_is_retried_and_the_carrier_sees_one_delete(
    backend: Backend,
    name: &str,
) {
    let fake = fake().await;
    let Some((app, node, _)) =
        spawn_fulfilment(backend, name, fast_fulfilment(), Some(telnyx(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    app.assign(&id).await;
    app.wait_status(&id, "PROVISIONED", 30).await;
    // The carrier releases the number, then its answer is lost (500).
    fake.state().faults.push(Fault {
        method: Method::DELETE,
        path: "/phone_numbers/",
        times: Some(1),
        after_processing: true,
        kind: FaultKind::Status {
            status: 500,
            headers: vec![],
            code: "10007",
        },
    });
    app.graphql_ok(
        &app.tenant.ops_key,
        RELEASE,
        json!({"id": id, "n": NUMBER, "r": "customer left"}),
    )
    .await;
    let job = release_job(&app, &id).await;
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(job["attempts"], 2, "the lost answer was retried: {job}");
    let (released, deletes, lookups) = {
        let state = fake.state();
        (
            state.is_released(NUMBER),
            state.release_deletes(),
            state.count(&Method::GET, "/phone_numbers"),
        )
    };
    assert!(released);
    assert_eq!(
        deletes, 1,
        "the carrier sees exactly one DELETE across the retry"
    );
    assert_eq!(lookups, 2, "each run looks the number up first");
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let numbers = app
        .state
        .desk
        .list_phone_numbers(
            &numberdesk_adapters::PhoneNumberFilter {
                request_id: Some(uuid),
                ..Default::default()
            },
            &numberdesk_adapters::PageRequest {
                first: 10,
                ..Default::default()
            },
        )
        .await
        .expect("numbers");
    assert_eq!(numbers.items.len(), 1);
    assert_eq!(numbers.items[0].status, "released");
    node.task.abort();
}

async fn numbers_bought_for_a_cancelled_request_are_released_and_leave_attention(
    backend: Backend,
    name: &str,
) {
    let fake = fake().await;
    // The carrier takes its time: the cancel lands while the POST runs.
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: Some(1),
        after_processing: true,
        kind: FaultKind::Delay(Duration::from_millis(1500)),
    });
    let Some((app, node, _)) =
        spawn_fulfilment(backend, name, fast_fulfilment(), Some(telnyx(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    app.assign(&id).await;
    eventually(20, "the order POST to be in flight", || async {
        (fake.state().count(&Method::POST, "/number_orders") == 1).then_some(())
    })
    .await;
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    app.state
        .desk
        .execute(
            uuid,
            NumberRequestCommand::Cancel {
                reason: Some(Reason::parse("changed my mind").expect("reason")),
            },
            &CommandMetadata::new("test"),
        )
        .await
        .expect("cancel");
    let listed = eventually(30, "the late order in needsAttention", || async {
        crate::carrier_support::attention(&app)
            .await
            .into_iter()
            .find(|i| i["requestId"] == id.as_str())
    })
    .await;
    assert_eq!(listed["phoneNumbers"], json!([NUMBER]));

    app.graphql_ok(
        &app.tenant.ops_key,
        RELEASE,
        json!({"id": id, "n": NUMBER, "r": "bought for a cancelled request"}),
    )
    .await;
    let job = release_job(&app, &id).await;
    assert_eq!(job["status"], "DONE", "{job}");
    assert!(fake.state().is_released(NUMBER));
    assert_eq!(fake.state().release_deletes(), 1);
    let items = crate::carrier_support::attention(&app).await;
    assert!(
        items.iter().all(|i| i["requestId"] != id.as_str()),
        "released: nothing needs attention any more: {items:?}"
    );
    let request = app.request_at(&app.base, &id).await;
    assert_eq!(request["status"], "CANCELLED");
    node.task.abort();
}
