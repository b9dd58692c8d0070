//! Every order the carrier accepted appears on its request, whatever
//! happened meanwhile: an order that lands after the request was cancelled
//! (the cancel slipped in before the order job started) is recorded as
//! `OrderLandedLate`, the job ends DONE (not FAILED), and ops see it in
//! `needsAttention`. And the worker's events are stamped when recorded and
//! carry the correlation and causation of the event that queued them.

use crate::carrier_support::double_with;
use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend};
use axum::http::Method;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::Reason;
use numberdesk_domain::NumberRequestCommand;
use numberdesk_telnyx::fake::{FakeTelnyx, Fault, FaultKind, API_KEY};
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

on_both_stores!(
    "fa":
    an_order_landing_on_a_cancelled_request_is_recorded_and_listed,
    worker_events_are_stamped_when_recorded_and_point_at_their_cause,
    an_accepted_order_the_request_refuses_is_recorded_and_listed,
);

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

async fn an_order_landing_on_a_cancelled_request_is_recorded_and_listed(
    backend: Backend,
    name: &str,
) {
    let fake = double_with(&["+12015550123"]).await;
    {
        let mut state = fake.state();
        // The carrier takes its time: the cancel lands while the POST runs.
        state.faults.push(Fault {
            method: Method::POST,
            path: "/number_orders",
            times: Some(1),
            after_processing: true,
            kind: FaultKind::Delay(Duration::from_millis(1500)),
        });
    }
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
    // The race the API's in-flight check cannot close: a cancel committed
    // between its check and the order job's post.
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
    let job = eventually(30, "the order job to finish", || async {
        app.jobs(&id)
            .await
            .into_iter()
            .find(|j| j["kind"] == "order" && (j["status"] == "DONE" || j["status"] == "FAILED"))
    })
    .await;
    assert_eq!(
        job["status"], "DONE",
        "a bought order never fails its job: {job}"
    );
    let orders = fake.state().orders();
    assert_eq!(orders.len(), 1);
    let history = app.state.desk.history(uuid).await.expect("history");
    let late: Vec<_> = history
        .iter()
        .filter(|e| e.event_type == "OrderLandedLate")
        .collect();
    assert_eq!(late.len(), 1, "{history:?}");
    let view = app
        .state
        .desk
        .request(uuid)
        .await
        .expect("view")
        .expect("request");
    assert_eq!(view.status.as_str(), "cancelled");

    let items = crate::carrier_support::attention(&app).await;
    let item = items
        .iter()
        .find(|i| i["requestId"] == id.as_str())
        .unwrap_or_else(|| panic!("not listed: {items:?}"));
    assert_eq!(item["kind"], "ORDER_LANDED_LATE");
    assert_eq!(item["requestStatus"], "cancelled");
    assert_eq!(item["carrierOrderId"], orders[0].id.as_str());
    assert_eq!(item["phoneNumbers"], json!(["+12015550123"]));
    node.task.abort();
}

/// Audit times and causes (issue 14): a note updated while the order POST
/// runs comes before `Ordered` in the log, so `Ordered` must not carry the
/// time its job started; as-of at every event's time includes that event;
/// the order's events carry the `Assigned`'s correlation id and point at it.
async fn worker_events_are_stamped_when_recorded_and_point_at_their_cause(
    backend: Backend,
    name: &str,
) {
    let fake = double_with(&["+12015550123"]).await;
    {
        let mut state = fake.state();
        state.faults.push(Fault {
            method: Method::POST,
            path: "/number_orders",
            times: Some(1),
            after_processing: true,
            kind: FaultKind::Delay(Duration::from_millis(1500)),
        });
    }
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
            NumberRequestCommand::UpdateNotes {
                notes: numberdesk_domain::values::OpsNotes::parse("while ordering").expect("notes"),
            },
            &CommandMetadata::new("test"),
        )
        .await
        .expect("notes");
    app.wait_status(&id, "PROVISIONED", 30).await;
    let history = app.state.desk.history(uuid).await.expect("history");
    for pair in history.windows(2) {
        assert!(
            pair[0].occurred_at <= pair[1].occurred_at,
            "occurredAt goes backwards: {} {} then {} {}",
            pair[0].event_type,
            pair[0].occurred_at,
            pair[1].event_type,
            pair[1].occurred_at
        );
    }
    for event in &history {
        let as_of = app
            .state
            .desk
            .request_as_of(uuid, event.occurred_at)
            .await
            .expect("as of")
            .expect("existed");
        assert!(
            as_of.version >= event.sequence,
            "as of {} ({}) shows version {}",
            event.occurred_at,
            event.event_type,
            as_of.version
        );
    }
    let assigned = history
        .iter()
        .find(|e| e.event_type == "Assigned")
        .expect("assigned");
    let ordered = history
        .iter()
        .find(|e| e.event_type == "Ordered")
        .expect("ordered");
    assert_eq!(ordered.correlation_id, assigned.correlation_id);
    assert_eq!(
        ordered.causation_id.as_deref(),
        Some(format!("event:{}", assigned.position).as_str())
    );
    node.task.abort();
}

/// The carrier accepts the order but answers 500, and the order it holds
/// turns out to list a number outside the requested area code (212, not
/// 201). The domain refuses it as the request's order; it is still recorded
/// (`OrderLandedLate`), listed in `needsAttention`, the job ends FAILED
/// saying so, and the "posted, outcome unknown" mark is gone, so a cancel is
/// no longer refused for an order in flight. Never a second POST.
async fn an_accepted_order_the_request_refuses_is_recorded_and_listed(
    backend: Backend,
    name: &str,
) {
    let fake = double_with(&["+12015550123"]).await;
    {
        let mut state = fake.state();
        // Created, then 500; listed by reference only 1 s later, so the test
        // swaps the order's number before the job finds it.
        state.reference_lag = Duration::from_secs(1);
        state.faults.push(Fault {
            method: Method::POST,
            path: "/number_orders",
            times: Some(1),
            after_processing: true,
            kind: FaultKind::Status {
                status: 500,
                headers: Vec::new(),
                code: "10007",
            },
        });
    }
    let mut config = fast_fulfilment();
    config.order_reconcile_window_seconds = 60.0;
    let Some((app, node, _)) = spawn_fulfilment(backend, name, config, Some(telnyx(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    app.assign(&id).await;
    eventually(20, "the order POST", || async {
        (fake.state().count(&Method::POST, "/number_orders") == 1).then_some(())
    })
    .await;
    let order_id = fake.state().orders()[0].id.clone();
    assert!(fake
        .state()
        .swap_order_numbers(&order_id, &["+12125550100"]));
    let job = eventually(30, "the order job to finish", || async {
        app.jobs(&id)
            .await
            .into_iter()
            .find(|j| j["kind"] == "order" && (j["status"] == "DONE" || j["status"] == "FAILED"))
    })
    .await;
    assert_eq!(job["status"], "FAILED", "{job}");
    let error = job["lastError"].as_str().unwrap_or_default();
    assert!(
        error.contains("not in area code 201") && error.contains("needing attention"),
        "the job says why: {job}"
    );
    assert!(
        job["orderOutcomeUnknownSince"].is_null(),
        "the order is recorded, its outcome known: {job}"
    );
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let history = app.state.desk.history(uuid).await.expect("history");
    assert!(
        history.iter().any(|e| e.event_type == "OrderLandedLate"),
        "{history:?}"
    );
    let items = crate::carrier_support::attention(&app).await;
    let item = items
        .iter()
        .find(|i| i["requestId"] == id.as_str())
        .unwrap_or_else(|| panic!("not listed: {items:?}"));
    assert_eq!(item["kind"], "ORDER_LANDED_LATE");
    assert_eq!(item["carrierOrderId"], order_id.as_str());
    assert_eq!(item["phoneNumbers"], json!(["+12125550100"]));
    // Nothing is in flight any more: the cancel goes through.
    let cancelled = app
        .graphql_ok(
            &app.tenant.ops_key,
            "mutation($id: ID!) { cancelNumberRequest(id: $id, reason: \"wrong area\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(cancelled["cancelNumberRequest"]["status"], "CANCELLED");
    assert_eq!(fake.state().count(&Method::POST, "/number_orders"), 1);
    node.task.abort();
}
