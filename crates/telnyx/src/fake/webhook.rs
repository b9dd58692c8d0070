//! The fake's webhooks: signed like Telnyx's, and (with a [`WebhookTarget`])
//! sent by the fake itself when it settles a pending order.

use super::{lock, resolve, FakeState};
use crate::types::NumberOrderWithPhoneNumbers;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// Where and how the fake reports a pending order complete: after `delay`
/// it settles the order and posts a signed `number_order.complete` webhook,
/// retried (as Telnyx does) until the receiver answers 2xx or `attempts` run out.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The receiver, e.g. `http://127.0.0.1:8080/webhooks/telnyx`.
    pub url: Url,
    /// The signing key.
    pub signer: WebhookSigner,
    /// How long an order stays pending before the webhook.
    pub delay: Duration,
    /// Deliveries of one webhook before the fake gives up.
    pub attempts: u32,
}

/// After the target's delay, settles order `id` and reports it by a signed
/// webhook (retried until a 2xx).
pub(super) fn report_later(state: Arc<Mutex<FakeState>>, target: WebhookTarget, id: String) {
    tokio::spawn(async move {
        tokio::time::sleep(target.delay).await;
        let order = {
            let mut s = lock(&state);
            let failing = s.failing_numbers.clone();
            let Some(stored) = s.orders.iter_mut().find(|o| o.order.id == id) else {
                return;
            };
            stored.polls_left = 0;
            resolve(&mut stored.order, &failing);
            stored.order.clone()
        };
        let body = order_webhook_body(&uuid::Uuid::new_v4().to_string(), &order);
        let client = reqwest::Client::new();
        for _ in 0..target.attempts {
            let timestamp = chrono::Utc::now().timestamp().to_string();
            let sent = client
                .post(target.url.clone())
                .header("telnyx-timestamp", &timestamp)
                .header(
                    "telnyx-signature-ed25519",
                    target.signer.sign(&timestamp, body.as_bytes()),
                )
                .header("content-type", "application/json")
                .body(body.clone())
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            if sent.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

/// Signs webhooks the way Telnyx does (Ed25519 over
/// `"{timestamp}|{raw body}"`), for tests of webhook receivers.
#[derive(Debug, Clone)]
pub struct WebhookSigner {
    key: ed25519_dalek::SigningKey,
}

impl WebhookSigner {
    /// A signer with a fixed test key derived from `seed`.
    pub fn new(seed: u8) -> Self {
        Self {
            key: ed25519_dalek::SigningKey::from_bytes(&[seed; 32]),
        }
    }

    /// The base64 public key (what `TELNYX_WEBHOOK_PUBLIC_KEY` holds).
    pub fn public_key_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    /// The base64 `telnyx-signature-ed25519` value of a body sent at `timestamp`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        use base64::Engine;
        use ed25519_dalek::Signer;
        let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
        signed.extend_from_slice(timestamp.as_bytes());
        signed.push(b'|');
        signed.extend_from_slice(body);
        base64::engine::general_purpose::STANDARD.encode(self.key.sign(&signed).to_bytes())
    }
}

/// A `number_order.complete` webhook body carrying `order`, as Telnyx sends it.
pub fn order_webhook_body(event_id: &str, order: &NumberOrderWithPhoneNumbers) -> String {
    serde_json::json!({
        "data": {
            "event_type": "number_order.complete",
            "id": event_id,
            "occurred_at": chrono::Utc::now().to_rfc3339(),
            "record_type": "event",
            "payload": order,
        },
        "meta": {"attempt": 1, "delivered_to": "https://numberdesk.example/webhooks/telnyx"}
    })
    .to_string()
}
