//! Submitting a request, idempotently when the client sends a key.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::tenancy::Principal;
use numberdesk_adapters::{Idempotency, NumberRequestView, Reservation};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::RequestDetails;
use sha2::{Digest, Sha256};
use tracing::instrument;
use uuid::Uuid;

/// A client's idempotency key and what identifies its request's content.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The key as sent.
    pub key: String,
    /// A digest of everything that must match for a replay (route and body).
    pub fingerprint: String,
}

impl IdempotencyKey {
    /// A key whose fingerprint is the SHA-256 of `parts` joined by newlines.
    pub fn new(key: String, parts: &[&[u8]]) -> Self {
        let fingerprint = hex::encode(Sha256::digest(parts.join(&b"\n"[..])));
        Self { key, fingerprint }
    }
}

/// What a submit answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A new request; the rendered body (stored for replays of its key).
    Created(String),
    /// The first answer of this key again.
    Replayed(String),
}

/// Opens a request for `organization_id` (of `account_id`). With a key:
/// reserves it first (a replay answers the stored body, another body is
/// refused, a key in flight conflicts), frees it when the submit fails, and
/// stores `render`'s body when it succeeds. Only successful creates are
/// stored, so a replay always stands for a create.
#[instrument(skip_all, fields(organization_id, idempotent = idempotency.is_some(), request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn submit(
    state: &AppState,
    principal: &Principal,
    (organization_id, account_id): (i64, Uuid),
    details: RequestDetails,
    idempotency: Option<IdempotencyKey>,
    meta: &CommandMetadata,
    render: impl FnOnce(NumberRequestView) -> Result<String, ApiError>,
) -> Result<Submission, ApiError> {
    tracing::Span::current().record("organization_id", organization_id);
    let store = Idempotency::new(state.desk.database().clone());
    if let Some(key) = &idempotency {
        match store
            .reserve(principal.partner_id, &key.key, &key.fingerprint)
            .await?
        {
            Reservation::Reserved => {}
            Reservation::Replay { body } => return Ok(Submission::Replayed(body)),
            Reservation::Mismatch => {
                return Err(ApiError::IdempotencyKeyReused(
                    "this Idempotency-Key was used with a different request body".into(),
                ))
            }
            Reservation::InFlight => {
                return Err(ApiError::Conflict(
                    "a request with this Idempotency-Key is still being processed".into(),
                ))
            }
        }
    }
    let result = state
        .desk
        .submit(organization_id, account_id, details, meta)
        .await;
    super::command::count("submit", &result);
    let body = result.map_err(ApiError::from).and_then(render);
    match (body, &idempotency) {
        (Ok(body), Some(key)) => {
            store
                .complete(principal.partner_id, &key.key, &body)
                .await?;
            Ok(Submission::Created(body))
        }
        (Ok(body), None) => Ok(Submission::Created(body)),
        (Err(error), Some(key)) => {
            store.release(principal.partner_id, &key.key).await?;
            Err(error)
        }
        (Err(error), None) => Err(error),
    }
}
