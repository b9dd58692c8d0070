//! Signed carrier webhooks that match no request are stored and listed for
//! ops (`unmatchedCarrierWebhooks`, a Relay connection), not turned into
//! failed jobs: one whose `customer_reference` names no request gets no job
//! at all; one naming a request that does not exist here ends its job DONE.
//! Unsigned or badly signed ones are still refused and not stored.

use crate::carrier_support::{double_with, post_signed, provider};
use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend, TestApp};
use axum::http::StatusCode;
use numberdesk_adapters::fulfilment::JobStatus;
use numberdesk_telnyx::fake::{order_webhook_body, WebhookSigner};
use numberdesk_telnyx::types::{NumberOrderWithPhoneNumbers, OrderPhoneNumber, OrderStatus};
use serde_json::{json, Value};

#[tokio::test]
async fn sqlite_unmatched_webhooks_are_stored_and_listed() {
    unmatched_webhooks_are_stored_and_listed(Backend::Sqlite, "cu_unmatched").await;
}

#[tokio::test]
async fn postgres_unmatched_webhooks_are_stored_and_listed() {
    unmatched_webhooks_are_stored_and_listed(Backend::Postgres, "cu_unmatched").await;
}

fn order_body(event_id: &str, reference: &str) -> String {
    let order = NumberOrderWithPhoneNumbers {
        id: uuid::Uuid::new_v4().to_string(),
        status: Some(OrderStatus::Success),
        customer_reference: Some(reference.to_owned()),
        phone_numbers: vec![OrderPhoneNumber {
            phone_number: "+12015550199".into(),
            status: Some(OrderStatus::Success),
            ..OrderPhoneNumber::default()
        }],
        ..NumberOrderWithPhoneNumbers::default()
    };
    order_webhook_body(event_id, &order)
}

const LIST: &str = "query($first: Int, $after: String) { unmatchedCarrierWebhooks(first: $first, after: $after) { \
     totalCount pageInfo { hasNextPage } edges { cursor node { eventId eventType customerReference reason } } } }";

async fn listed(app: &TestApp, first: i64, after: Option<&str>) -> Value {
    app.graphql_ok(
        &app.tenant.ops_key,
        LIST,
        json!({"first": first, "after": after}),
    )
    .await["unmatchedCarrierWebhooks"]
        .clone()
}

async fn unmatched_webhooks_are_stored_and_listed(backend: Backend, name: &str) {
    let fake = double_with(&[]).await;
    let signer = WebhookSigner::new(21);
    let mut config = fast_fulfilment();
    config.telnyx_webhook_public_key = Some(signer.public_key_base64());
    let Some((app, node, _)) = spawn_fulfilment(backend, name, config, Some(provider(&fake))).await
    else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let fulfilment = &app.state.fulfilment;

    // Refused and not stored: another key's signature, and no signature.
    let stranger = order_body("0d7c7e6a-0000-4000-8000-0000000000aa", "not-a-request");
    let (status, _) = post_signed(&app, &stranger, now, &WebhookSigner::new(22)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .post(format!("{}/webhooks/telnyx", app.base))
        .header("content-type", "application/json")
        .body(stranger.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(fulfilment.webhook_event_count().await.expect("count"), 0);

    // A reference that names no request: stored as unmatched, no job.
    let (status, answer) = post_signed(&app, &stranger, now, &signer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        fulfilment
            .jobs()
            .by_key("webhook:0d7c7e6a-0000-4000-8000-0000000000aa")
            .await
            .expect("job"),
        None
    );
    let page = listed(&app, 10, None).await;
    assert_eq!(page["totalCount"], 1, "{page}");
    let node0 = &page["edges"][0]["node"];
    assert_eq!(node0["eventId"], "0d7c7e6a-0000-4000-8000-0000000000aa");
    assert_eq!(node0["eventType"], "number_order.complete");
    assert_eq!(node0["customerReference"], "not-a-request");

    // A reference naming a request that does not exist here: its job finds
    // no request, ends DONE, and the event is listed.
    let ghost = uuid::Uuid::new_v4().to_string();
    let event = "0d7c7e6a-0000-4000-8000-0000000000bb";
    let (status, answer) = post_signed(&app, &order_body(event, &ghost), now, &signer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let job = eventually(20, "the webhook job to end", || async {
        fulfilment
            .jobs()
            .by_key(&format!("webhook:{event}"))
            .await
            .expect("job")
            .filter(|j| matches!(j.status, JobStatus::Done | JobStatus::Failed))
    })
    .await;
    assert_eq!(job.status, JobStatus::Done, "{:?}", job.last_error);
    assert_eq!(
        fulfilment.jobs().count(JobStatus::Failed).await.expect("n"),
        0
    );

    // Paged like every connection.
    let first = listed(&app, 1, None).await;
    assert_eq!(first["totalCount"], 2, "{first}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let cursor = first["edges"][0]["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let second = listed(&app, 1, Some(&cursor)).await;
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let node1 = &second["edges"][0]["node"];
    assert_eq!(node1["eventId"], event);
    assert_eq!(node1["customerReference"], ghost.as_str());
    assert!(
        node1["reason"]
            .as_str()
            .is_some_and(|r| r.contains("does not exist")),
        "{node1}"
    );
    let body = app
        .graphql(
            &app.tenant.ops_key,
            LIST,
            json!({"first": 1, "after": "not-a-cursor"}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    // Not for customers.
    let body = app
        .graphql(&app.tenant.partner_key, LIST, json!({"first": 1}))
        .await;
    assert!(body["errors"].is_array(), "{body}");
    node.task.abort();
}
