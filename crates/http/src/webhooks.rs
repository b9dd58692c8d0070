//! `POST /webhooks/telnyx`: the carrier's number-order webhooks.
//!
//! * The Ed25519 signature (`telnyx-signature-ed25519` over
//!   `"{telnyx-timestamp}|{raw body}"`) is checked over the exact bytes
//!   received, with the configured public key (`TELNYX_WEBHOOK_PUBLIC_KEY`);
//!   a bad signature or a timestamp more than 5 minutes away is refused with
//!   401 and changes nothing. Without a key the route answers 503.
//! * Answers have the API's envelope: `{"success": true, "message": …}`, or
//!   an [`ApiError`] body.
//! * A verified event is stored durably, with the job that applies it, in one
//!   transaction **before** 200 is answered; Telnyx stops retrying once it
//!   sees 200, so an event is never acknowledged and lost.
//! * Events are deduplicated on `data.id` (a duplicate answers 200 and
//!   changes nothing); the job applies reports idempotently and reconciles
//!   contradicting (late, out-of-order) ones by reading the order.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use numberdesk_adapters::fulfilment::{InboundWebhook, WebhookReceipt};
use numberdesk_application::error::ApiError;
use numberdesk_application::AppState;
use numberdesk_telnyx::carrier_order_from_telnyx;
use numberdesk_telnyx::webhook::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use numberdesk_telnyx::{verify_webhook, WebhookError};
use serde_json::json;

/// The webhook routes.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    AppState: axum::extract::FromRef<S>,
{
    Router::new().route("/webhooks/telnyx", post(telnyx))
}

fn stored(message: &str) -> Json<serde_json::Value> {
    Json(json!({"success": true, "message": message}))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tracing::instrument(skip_all, fields(bytes = body.len()), err(Debug, level = "info"))]
async fn telnyx(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(key) = app.settings.telnyx_webhook_public_key.as_deref() else {
        return Err(ApiError::NotConfigured(
            "Telnyx webhooks are not configured: set TELNYX_WEBHOOK_PUBLIC_KEY to the account's \
             Ed25519 public key (Mission Control → Keys & Credentials → Public Key)"
                .into(),
        ));
    };
    let verified = verify_webhook(
        key,
        header(&headers, SIGNATURE_HEADER),
        header(&headers, TIMESTAMP_HEADER),
        &body,
        Utc::now(),
        DEFAULT_TOLERANCE,
    );
    let webhook = match verified {
        Ok(webhook) => webhook,
        Err(error) if error.is_unauthenticated() => {
            tracing::warn!(%error, "refused a Telnyx webhook");
            return Err(ApiError::Unauthenticated(error.to_string()));
        }
        Err(error @ WebhookError::InvalidPublicKey(_)) => {
            tracing::error!(%error, "TELNYX_WEBHOOK_PUBLIC_KEY is unusable");
            return Err(ApiError::NotConfigured(
                "the configured TELNYX_WEBHOOK_PUBLIC_KEY is invalid".into(),
            ));
        }
        Err(error) => return Err(ApiError::bad_field("body", error.to_string())),
    };
    let order = match webhook.number_order().map(carrier_order_from_telnyx) {
        None => None,
        Some(Ok(order)) => Some(order),
        Some(Err(error)) => {
            // Signed by Telnyx but unusable: keep it for inspection and
            // acknowledge it, since a retry would carry the same body.
            tracing::error!(%error, event = %webhook.event_id, "unusable number order in a webhook");
            None
        }
    };
    let event = InboundWebhook {
        event_id: webhook.event_id.clone(),
        event_type: webhook.event_type.clone(),
        occurred_at: webhook
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        order,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    match app.fulfilment.store_webhook(&event).await {
        Ok(WebhookReceipt::Stored) => Ok(stored("stored")),
        Ok(WebhookReceipt::Duplicate) => Ok(stored("duplicate; already stored")),
        Err(error) => {
            // Not stored: make Telnyx retry.
            tracing::error!(%error, event = %webhook.event_id, "cannot store a Telnyx webhook");
            Err(ApiError::Unavailable(format!(
                "cannot store Telnyx event {}",
                webhook.event_id
            )))
        }
    }
}
