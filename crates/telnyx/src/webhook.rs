//! Verifying and parsing Telnyx webhooks.
//!
//! Telnyx signs each webhook with Ed25519 over the bytes
//! `"{telnyx-timestamp}|{raw body}"` and sends the base64 signature in the
//! `telnyx-signature-ed25519` header. [`verify_webhook`] checks that
//! signature against the account's public key over the exact raw bytes
//! received (never re-serialised JSON), refuses timestamps outside the
//! tolerance (stale or too far ahead), and only then parses the body.
//!
//! Events can arrive twice, late or out of order: deduplicate on
//! [`NumberOrderWebhook::event_id`] and reconcile by
//! [`NumberOrderWebhook::occurred_at`] or by reading the order.

use crate::types::{NumberOrderWithPhoneNumbers, WebhookDeliveryMeta, WebhookEvent};
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use std::time::Duration;

/// Header holding the base64 Ed25519 signature.
pub const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// Header holding the Unix timestamp (seconds) that was signed.
pub const TIMESTAMP_HEADER: &str = "telnyx-timestamp";
/// How far a timestamp may be from now: 5 minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// The event type Telnyx documents for finished number orders.
pub const NUMBER_ORDER_COMPLETE: &str = "number_order.complete";

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The configured public key is not base64 of 32 bytes (a setup error,
    /// not the sender's fault).
    #[error("webhook public key is invalid: {0}")]
    InvalidPublicKey(String),
    /// The signature header is not base64 of a 64-byte signature.
    #[error("malformed {SIGNATURE_HEADER} header: {0}")]
    MalformedSignature(String),
    /// The timestamp header is not a Unix time in seconds.
    #[error("malformed {TIMESTAMP_HEADER} header")]
    MalformedTimestamp,
    /// The signature does not match the key, timestamp and body.
    #[error("webhook signature does not match")]
    BadSignature,
    /// The timestamp is older than the tolerance (a replay, or a very late
    /// delivery).
    #[error("webhook timestamp is {age_secs} s old, more than the {tolerance_secs} s allowed")]
    Stale {
        /// Age of the timestamp.
        age_secs: i64,
        /// The tolerance.
        tolerance_secs: u64,
    },
    /// The timestamp is further in the future than the tolerance.
    #[error("webhook timestamp is {ahead_secs} s in the future")]
    FromTheFuture {
        /// How far ahead.
        ahead_secs: i64,
    },
    /// The signature is valid but the body is not a Telnyx event.
    #[error("webhook body is not a telnyx event: {0}")]
    MalformedBody(String),
}

impl WebhookError {
    /// Whether the sender failed to prove who it is (answer 401); the
    /// others are a bad body (400) or our own setup ([`Self::InvalidPublicKey`], 500).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            WebhookError::MalformedSignature(_)
                | WebhookError::MalformedTimestamp
                | WebhookError::BadSignature
                | WebhookError::Stale { .. }
                | WebhookError::FromTheFuture { .. }
        )
    }
}

/// What a verified webhook is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookKind {
    /// A number order changed (`number_order.*` with a number order payload).
    NumberOrder(Box<NumberOrderWithPhoneNumbers>),
    /// Any other event: acknowledge it and do nothing.
    Ignorable,
}

/// A verified, parsed Telnyx webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberOrderWebhook {
    /// `data.id`: the event id, for deduplication.
    pub event_id: String,
    /// `data.event_type` as sent.
    pub event_type: String,
    /// `data.occurred_at`.
    pub occurred_at: DateTime<Utc>,
    /// The number order, or [`WebhookKind::Ignorable`].
    pub kind: WebhookKind,
    /// `meta` (attempt, delivered_to), when sent.
    pub delivery: Option<WebhookDeliveryMeta>,
}

impl NumberOrderWebhook {
    /// The number order, unless the event is ignorable.
    pub fn number_order(&self) -> Option<&NumberOrderWithPhoneNumbers> {
        match &self.kind {
            WebhookKind::NumberOrder(order) => Some(order),
            WebhookKind::Ignorable => None,
        }
    }

    /// Whether the event can be acknowledged without doing anything.
    pub fn is_ignorable(&self) -> bool {
        matches!(self.kind, WebhookKind::Ignorable)
    }
}

/// Verifies a Telnyx webhook and parses it.
///
/// `public_key_base64` is the account's Ed25519 public key;
/// `signature_header` and `timestamp_header` are the values of
/// [`SIGNATURE_HEADER`] and [`TIMESTAMP_HEADER`]; `raw_body` the exact bytes
/// received. The timestamp must be within `tolerance` of `now` either way
/// (use [`DEFAULT_TOLERANCE`]).
pub fn verify_webhook(
    public_key_base64: &str,
    signature_header: &str,
    timestamp_header: &str,
    raw_body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<NumberOrderWebhook, WebhookError> {
    verify_signature(
        public_key_base64,
        signature_header,
        timestamp_header,
        raw_body,
        now,
        tolerance,
    )?;
    parse_webhook(raw_body)
}

/// Checks the signature and the timestamp window only.
pub fn verify_signature(
    public_key_base64: &str,
    signature_header: &str,
    timestamp_header: &str,
    raw_body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let key_bytes: [u8; 32] = engine
        .decode(public_key_base64.trim())
        .map_err(|e| WebhookError::InvalidPublicKey(e.to_string()))?
        .try_into()
        .map_err(|bytes: Vec<u8>| {
            WebhookError::InvalidPublicKey(format!("{} bytes, expected 32", bytes.len()))
        })?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|e| WebhookError::InvalidPublicKey(e.to_string()))?;

    let timestamp = timestamp_header.trim();
    if timestamp.is_empty()
        || timestamp.len() > 12
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(WebhookError::MalformedTimestamp);
    }
    let sent_at: i64 = timestamp
        .parse()
        .map_err(|_| WebhookError::MalformedTimestamp)?;

    let signature_bytes = engine
        .decode(signature_header.trim())
        .map_err(|e| WebhookError::MalformedSignature(e.to_string()))?;
    let signature = Signature::from_slice(&signature_bytes).map_err(|_| {
        WebhookError::MalformedSignature(format!("{} bytes, expected 64", signature_bytes.len()))
    })?;

    let mut signed = Vec::with_capacity(timestamp.len() + 1 + raw_body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'|');
    signed.extend_from_slice(raw_body);
    key.verify_strict(&signed, &signature)
        .map_err(|_| WebhookError::BadSignature)?;

    let tolerance_secs = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age = now.timestamp().saturating_sub(sent_at);
    if age > tolerance_secs {
        return Err(WebhookError::Stale {
            age_secs: age,
            tolerance_secs: tolerance.as_secs(),
        });
    }
    if -age > tolerance_secs {
        return Err(WebhookError::FromTheFuture { ahead_secs: -age });
    }
    Ok(())
}

/// Parses a webhook body without checking any signature (only for bodies
/// already verified, or for tests).
pub fn parse_webhook(raw_body: &[u8]) -> Result<NumberOrderWebhook, WebhookError> {
    let event: WebhookEvent =
        serde_json::from_slice(raw_body).map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
    let data = event.data;
    let kind = if data.event_type.starts_with("number_order") {
        let order: NumberOrderWithPhoneNumbers = serde_json::from_value(data.payload)
            .map_err(|e| WebhookError::MalformedBody(format!("payload: {e}")))?;
        WebhookKind::NumberOrder(Box::new(order))
    } else {
        WebhookKind::Ignorable
    };
    Ok(NumberOrderWebhook {
        event_id: data.id,
        event_type: data.event_type,
        occurred_at: data.occurred_at,
        kind,
        delivery: event.meta,
    })
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
