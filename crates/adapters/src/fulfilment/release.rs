//! The release job: one number of one request, released at the carrier and
//! then recorded as `NumberReleased`.
//!
//! Durable like the order job: the consumer enqueues it (key
//! `release:{request}:{number}`) for every committed `ReleaseRequested`, in
//! the transaction that moves its checkpoint, so a crash anywhere leaves
//! either the intent with its job or the finished release. The carrier call
//! is idempotent ([`NumberProvider::release_number`] answers `NotHeld` for a
//! number released by an earlier run whose answer was lost), and recording
//! it twice changes nothing, so the job is simply run again after any
//! failure, with the usual backoff and attempt limit.

use super::jobs::{Job, JobKind, NewJob};
use super::{FulfilmentError, FulfilmentSettings};
use crate::NumberDesk;
use chrono::{DateTime, Utc};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{NumberProvider, ReleaseOutcome};
use numberdesk_domain::values::PhoneNumber;
use numberdesk_domain::NumberRequestCommand;
use serde_json::json;
use uuid::Uuid;

/// The job releasing `phone_number` of `request`.
pub(super) fn release_job(
    settings: &FulfilmentSettings,
    request: Uuid,
    phone_number: &PhoneNumber,
    now: DateTime<Utc>,
) -> NewJob {
    NewJob {
        kind: JobKind::Release,
        request_id: Some(request),
        dedupe_key: format!("release:{request}:{}", phone_number.as_str()),
        payload: json!({"phone_number": phone_number.as_str()}),
        max_attempts: Some(settings.max_attempts),
        run_at: now,
    }
}

/// Runs a release job: the carrier first, then the event.
pub(super) async fn run_release(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    job: &Job,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let text = job
        .payload
        .get("phone_number")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| FulfilmentError::Invalid("release job without a phone_number".into()))?;
    let phone_number = PhoneNumber::parse(text)
        .map_err(|e| FulfilmentError::Invalid(format!("stored phone number: {}", e.reason)))?;
    let outcome = provider.release_number(&phone_number).await?;
    match outcome {
        ReleaseOutcome::Released => {
            tracing::info!(%request, number = %phone_number, "released at the carrier")
        }
        ReleaseOutcome::NotHeld => {
            tracing::info!(%request, number = %phone_number, "the carrier no longer holds it; recording the release")
        }
    }
    let mut meta = meta.clone();
    meta.occurred_at = Utc::now();
    desk.execute(
        request,
        NumberRequestCommand::RecordReleased { phone_number },
        &meta,
    )
    .await?;
    Ok(())
}
