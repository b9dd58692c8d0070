//! Submitting a request: idempotently when the client sends a key (REST),
//! or to an organisation named by id (GraphQL). Both refuse a callback URL
//! naming a private host, unless private callbacks are allowed.

use crate::auth;
use crate::callback_policy::check_callback_url;
use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::tenancy::Principal;
use numberdesk_adapters::{Idempotency, NumberRequestView, Reservation};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::{RequestDetails, RequestInput};
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

/// The field a refused callback URL is reported on (transports rename it).
const CALLBACK_URL: &str = "callback_url";

/// Refuses a callback URL naming a host callbacks are never sent to (see
/// [`crate::callback_policy`]), unless the fulfilment settings allow them.
fn check_callback(state: &AppState, details: &RequestDetails) -> Result<(), ApiError> {
    match &details.callback_url {
        Some(url) => {
            let allow = state.fulfilment.settings().allow_private_callbacks;
            check_callback_url(url, allow, CALLBACK_URL)
        }
        None => Ok(()),
    }
}

/// Runs `Submit` (the desk counts it by outcome).
async fn create(
    state: &AppState,
    (organization_id, account_id): (i64, Uuid),
    details: RequestDetails,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    Ok(state
        .desk
        .submit(organization_id, account_id, details, meta)
        .await?)
}

/// Opens a request for `organization_id` (of `account_id`), already
/// checked as the caller's. The callback URL is checked first. With a key:
/// reserves it (a replay answers the stored body, another body is refused,
/// a key in flight conflicts), frees it when the submit fails, and stores
/// `render`'s body when it succeeds. Only successful creates are stored, so
/// a replay always stands for a create.
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
    check_callback(state, &details)?;
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
    let body = create(state, (organization_id, account_id), details, meta)
        .await
        .and_then(render);
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

/// Opens a request for organisation `organization_id`, which must be one
/// the caller may use (ops: any; a partner key: its partner's), else
/// NOT_FOUND — before the input is read, so another tenant's organisation
/// answers as a missing one whatever the input. Then the input is parsed
/// (BAD_USER_INPUT naming the domain's fields, e.g. `contact_email`) and
/// the callback URL checked (`callback_url`).
#[instrument(skip_all, fields(organization_id, request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn submit_to_organization(
    state: &AppState,
    principal: &Principal,
    organization_id: i64,
    input: &RequestInput,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    tracing::Span::current().record("organization_id", organization_id);
    let visible = auth::scoped_organizations(state, principal, Some(organization_id)).await?;
    let org = match visible {
        Some(ids) if ids.is_empty() => None,
        _ => state.tenancy.organization(organization_id).await?,
    }
    .ok_or_else(|| ApiError::NotFound(format!("organization {organization_id} not found")))?;
    let details = RequestDetails::parse(input)?;
    check_callback(state, &details)?;
    create(state, (org.id, org.account_id), details, meta).await
}
