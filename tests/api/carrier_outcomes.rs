//! Carrier outcomes that must not leave a request stuck ORDERED:
//!
//! * an order-level `number_order.complete` (status `success`) that names
//!   no numbers makes the worker read the order at once (not at the next
//!   poll, which these tests push two minutes away);
//! * an order the carrier answers 404 for after it was recorded ends, after
//!   `ORDER_MISSING_AFTER` answers, as `OrderMissing`, listed for ops in
//!   `needsAttention` (a Relay connection), and its poll job ends instead
//!   of retrying for ever.

use crate::carrier_support::{attention, double_with, post_signed, provider};
use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend};
use axum::http::{Method, StatusCode};
use numberdesk_adapters::fulfilment::ORDER_MISSING_AFTER;
use numberdesk_telnyx::fake::{order_webhook_body, WebhookSigner};
use numberdesk_telnyx::types::OrderStatus;
use serde_json::json;

on_both_stores!(
    "co":
    an_order_level_success_without_numbers_reads_the_order_at_once,
    an_order_the_carrier_lost_needs_attention,
    a_webhook_for_an_order_of_a_cancelled_request_records_it,
);

async fn an_order_level_success_without_numbers_reads_the_order_at_once(
    backend: Backend,
    name: &str,
) {
    let fake = double_with(&["+12015550123"]).await;
    fake.state().pending_polls = 1_000;
    let signer = WebhookSigner::new(11);
    let mut config = fast_fulfilment();
    config.telnyx_webhook_public_key = Some(signer.public_key_base64());
    // Only the webhook can settle the order within this test.
    config.poll_pending_after_seconds = 120.0;
    let Some((app, node, _)) = spawn_fulfilment(backend, name, config, Some(provider(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    app.assign(&id).await;
    app.wait_status(&id, "ORDERED", 20).await;
    let mut order = fake.state().orders().pop().expect("an order");
    let path = format!("/number_orders/{}", order.id);
    assert!(fake.state().settle_order(&order.id));
    let reads_before = fake.state().count(&Method::GET, &path);

    // Telnyx's order-level report: status success, no per-number detail.
    order.status = Some(OrderStatus::Success);
    order.phone_numbers.clear();
    let body = order_webhook_body("5f0c8a52-0000-4000-8000-00000000c0de", &order);
    let (status, answer) = post_signed(&app, &body, chrono::Utc::now().timestamp(), &signer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let view = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(
        view["provisionedNumbers"],
        json!(["+12015550123"]),
        "{view}"
    );
    assert!(
        fake.state().count(&Method::GET, &path) > reads_before,
        "the order was read from the carrier"
    );
    node.task.abort();
}

async fn an_order_the_carrier_lost_needs_attention(backend: Backend, name: &str) {
    let fake = double_with(&["+12015550123"]).await;
    fake.state().pending_polls = 1_000;
    let Some((app, node, _)) =
        spawn_fulfilment(backend, name, fast_fulfilment(), Some(provider(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    app.assign(&id).await;
    app.wait_status(&id, "ORDERED", 20).await;
    let order = fake.state().orders().pop().expect("an order");
    assert!(fake.state().forget_order(&order.id));
    let path = format!("/number_orders/{}", order.id);

    let poll = eventually(30, "the poll job to end", || async {
        app.jobs(&id)
            .await
            .into_iter()
            .find(|j| j["kind"] == "poll" && (j["status"] == "DONE" || j["status"] == "FAILED"))
    })
    .await;
    assert_eq!(poll["status"], "DONE", "{poll}");
    let reads = fake.state().count(&Method::GET, &path);
    assert!(
        reads >= usize::try_from(ORDER_MISSING_AFTER).expect("small"),
        "bounded retries before giving up: {reads} reads"
    );
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let history = app.state.desk.history(uuid).await.expect("history");
    let missing = history
        .iter()
        .filter(|e| e.event_type == "OrderMissing")
        .count();
    assert_eq!(missing, 1, "{history:?}");

    let items = attention(&app).await;
    let item = items
        .iter()
        .find(|i| i["requestId"] == id.as_str())
        .unwrap_or_else(|| panic!("not listed: {items:?}"));
    assert_eq!(item["kind"], "ORDER_MISSING");
    assert_eq!(item["carrierOrderId"], order.id.as_str());
    assert_eq!(item["requestStatus"], "ordered");
    assert!(
        item["reason"].as_str().is_some_and(|r| r.contains("404")),
        "{item}"
    );

    // A Relay connection like the others: last/before, and a cursor this
    // API never handed out is refused.
    let body = app
        .graphql_ok(
            &app.tenant.ops_key,
            "{ needsAttention(last: 1) { edges { node { kind } } pageInfo { hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["needsAttention"]["edges"][0]["node"]["kind"],
        "ORDER_MISSING"
    );
    for bad in ["nope", "-5", "007"] {
        let body = app
            .graphql(
                &app.tenant.ops_key,
                "query($c: String) { needsAttention(after: $c) { edges { cursor } } }",
                json!({"c": bad}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{bad}: {body}"
        );
    }
    node.task.abort();
}

/// A signed webhook reports a completed order for a request that was
/// cancelled and never recorded an order: the carrier holds bought numbers,
/// so the order is recorded (`OrderLandedLate`) and listed for ops, never
/// ignored as "another attempt's order".
async fn a_webhook_for_an_order_of_a_cancelled_request_records_it(backend: Backend, name: &str) {
    use numberdesk_telnyx::types::{NumberOrderWithPhoneNumbers, OrderPhoneNumber};
    let fake = double_with(&["+12015550123"]).await;
    let signer = WebhookSigner::new(12);
    let mut config = fast_fulfilment();
    config.telnyx_webhook_public_key = Some(signer.public_key_base64());
    let Some((app, node, _)) = spawn_fulfilment(backend, name, config, Some(provider(&fake))).await
    else {
        return;
    };
    let id = app
        .submit_with(json!({"country": "US", "areaCode": "201", "quantity": 1}))
        .await;
    let cancelled = app
        .graphql_ok(
            &app.tenant.ops_key,
            "mutation($id: ID!) { cancelNumberRequest(id: $id, reason: \"changed my mind\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(cancelled["cancelNumberRequest"]["status"], "CANCELLED");
    let order = NumberOrderWithPhoneNumbers {
        id: "ord-landed-by-webhook".into(),
        status: Some(OrderStatus::Success),
        customer_reference: Some(id.clone()),
        phone_numbers: vec![OrderPhoneNumber {
            phone_number: "+12015550123".into(),
            status: Some(OrderStatus::Success),
            ..OrderPhoneNumber::default()
        }],
        ..NumberOrderWithPhoneNumbers::default()
    };
    let body = order_webhook_body("5f0c8a52-0000-4000-8000-00000000beef", &order);
    let (status, answer) = post_signed(&app, &body, chrono::Utc::now().timestamp(), &signer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let item = eventually(20, "the order to be listed", || async {
        attention(&app)
            .await
            .into_iter()
            .find(|i| i["requestId"] == id.as_str())
    })
    .await;
    assert_eq!(item["kind"], "ORDER_LANDED_LATE", "{item}");
    assert_eq!(item["carrierOrderId"], "ord-landed-by-webhook");
    assert_eq!(item["phoneNumbers"], json!(["+12015550123"]));
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let history = app.state.desk.history(uuid).await.expect("history");
    assert_eq!(
        history
            .iter()
            .filter(|e| e.event_type == "OrderLandedLate")
            .count(),
        1,
        "{history:?}"
    );
    node.task.abort();
}
