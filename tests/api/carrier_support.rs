//! Shared pieces of the carrier tests: the Telnyx provider on the in-process
//! double, its inventory, and signed webhook deliveries.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use numberdesk_telnyx::fake::{FakeTelnyx, InventoryItem, WebhookSigner, API_KEY};
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The double with `numbers` for sale in US area code 201.
pub async fn double_with(numbers: &[&str]) -> FakeTelnyx {
    let fake = FakeTelnyx::start().await;
    {
        let mut state = fake.state();
        for number in numbers {
            state.inventory.push(InventoryItem {
                country: "US",
                ndc: "201",
                number: (*number).to_owned(),
                best_effort: false,
            });
        }
    }
    fake
}

/// The real Telnyx provider on the double, without client-side retries (the
/// jobs retry), so every carrier answer is visible in the job.
pub fn provider(fake: &FakeTelnyx) -> Arc<TelnyxProvider> {
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

/// POSTs a webhook body signed by `signer` at `timestamp`.
pub async fn post_signed(
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

/// The ops console's `needsAttention` items (every page's first 100).
pub async fn attention(app: &TestApp) -> Vec<Value> {
    let body = app
        .graphql_ok(
            &app.tenant.ops_key,
            "{ needsAttention(first: 100) { edges { cursor node { kind requestId requestStatus \
             carrierOrderId phoneNumbers reason } } } }",
            serde_json::json!({}),
        )
        .await;
    body["needsAttention"]["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}
