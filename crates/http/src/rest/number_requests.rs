//! `/api/v1/org/{orgSlug}/number-requests`.

use super::body::{parse_create_body, require_json, CreateNumberRequestBody};
use super::contract::{raw_json, ErrorBody, NumberRequestEnvelope, NumberRequestListBody};
use super::list_cache::ListKey;
use super::org_scope::OrgScope;
use super::paging::{pagination, PageQuery};
use crate::request_id::request_id;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use numberdesk_adapters::RequestFilter;
use numberdesk_application::auth::metadata;
use numberdesk_application::error::ApiError;
use numberdesk_application::use_cases::{self, IdempotencyKey, Submission};
use numberdesk_domain::request::RequestDetails;
use numberdesk_domain::RequestStatus;
use serde::Deserialize;
use tracing::instrument;

/// The number-request routes.
pub fn router() -> Router<HttpState> {
    Router::new()
        .route(
            "/api/v1/org/{orgSlug}/number-requests",
            get(list).post(create),
        )
        .route("/api/v1/org/{orgSlug}/number-requests/{id}", get(get_one))
}

/// The idempotency header of POSTs.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The header marking a replayed response.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(limit)
        } else {
            ApiError::bad_field("body", rejection.body_text())
        }
    })
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// `POST`: creates a request; `201` with the contract's body. A replayed
/// `Idempotency-Key` gets the first response again (its status, 201, and
/// its body), marked with `Idempotent-Replayed: true`.
#[utoipa::path(
    post,
    path = "/api/v1/org/{orgSlug}/number-requests",
    tag = "Number Requests",
    params(
        ("orgSlug" = String, Path, description = "Hex-encoded slug of the target organization.", pattern = "^[0-9a-f]{1,64}$"),
        ("X-Account-Id" = uuid::Uuid, Header, description = "Account context; must belong to the API key's partner and own the organization."),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body; another body gets 422."),
    ),
    request_body(content = CreateNumberRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Number request created; also the replay of an earlier request with the same Idempotency-Key, then marked `Idempotent-Replayed: true`.", body = NumberRequestEnvelope),
        (status = 400, description = "Invalid input; `error.fields` names each field.", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key.", body = ErrorBody),
        (status = 403, description = "Account not of this key's partner, or organization not of this account.", body = ErrorBody),
        (status = 404, description = "Unknown organization.", body = ErrorBody),
        (status = 409, description = "Same Idempotency-Key still in flight.", body = ErrorBody),
        (status = 413, description = "Body too large.", body = ErrorBody),
        (status = 415, description = "Body is not application/json.", body = ErrorBody),
        (status = 422, description = "Idempotency-Key reused with another body.", body = ErrorBody),
        (status = 429, description = "Rate limit of the API key or client address; see `Retry-After`.", body = ErrorBody),
        (status = 500, description = "Internal error (logged with the request id).", body = ErrorBody),
        (status = 503, description = "Database unavailable; retry later.", body = ErrorBody),
    )
)]
#[instrument(skip_all, fields(organization_id = org.id), err(Debug, level = "info"))]
pub async fn create(
    State(state): State<HttpState>,
    Path(org_slug): Path<String>,
    OrgScope {
        principal,
        account,
        org,
    }: OrgScope,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let app = &state.app;
    require_json(&headers)?;
    let bytes = body_bytes(body, app.settings.max_body_bytes)?;
    let input = parse_create_body(&bytes)?;
    let details = RequestDetails::parse(&input)?;

    let idempotency = idempotency_key(&headers)?
        .map(|key| IdempotencyKey::new(key, &[org_slug.as_bytes(), &bytes[..]]));
    let meta = metadata(&principal, request_id(&headers));
    let submitted = use_cases::submit(
        app,
        &principal,
        (org.id, account.id),
        details,
        idempotency,
        &meta,
        |view| {
            serde_json::to_string(&NumberRequestEnvelope::from(view))
                .map_err(|e| ApiError::Internal(format!("serialising a response: {e}")))
        },
    )
    .await?;
    Ok(match submitted {
        Submission::Created(body) => raw_json(StatusCode::CREATED, body),
        Submission::Replayed(body) => {
            let mut replay = raw_json(StatusCode::CREATED, body);
            replay.headers_mut().insert(
                IDEMPOTENT_REPLAYED,
                axum::http::HeaderValue::from_static("true"),
            );
            replay
        }
    })
}

/// Query of the list route.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageQuery,
    status: Option<String>,
}

/// `GET`: the organisation's requests, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/org/{orgSlug}/number-requests",
    tag = "Number Requests",
    params(
        ("orgSlug" = String, Path, description = "Hex-encoded slug of the organization.", pattern = "^[0-9a-f]{1,64}$"),
        ("X-Account-Id" = uuid::Uuid, Header, description = "Account context."),
        ("limit" = Option<i32>, Query, description = "Page size, 1-100 (default 20).", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`pagination.next_cursor` of the previous page."),
        ("status" = Option<String>, Query, description = "Comma-separated statuses to keep, e.g. `submitted,assigned`."),
    ),
    responses(
        (status = 200, description = "A page of requests.", body = NumberRequestListBody),
        (status = 400, description = "Invalid limit, cursor or status.", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key.", body = ErrorBody),
        (status = 403, description = "Account or organization not yours.", body = ErrorBody),
        (status = 404, description = "Unknown organization.", body = ErrorBody),
        (status = 500, description = "Internal error.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[instrument(skip_all, fields(organization_id = org.id), err(Debug, level = "info"))]
pub async fn list(
    State(state): State<HttpState>,
    query: Result<Query<ListQuery>, QueryRejection>,
    OrgScope { org, .. }: OrgScope,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let app = &state.app;
    let page_request = query.page.page_request(&app.settings)?;
    let statuses = match query.status.as_deref() {
        None | Some("") => vec![],
        Some(list) => list
            .split(',')
            .map(|s| {
                s.parse::<RequestStatus>()
                    .map_err(|e| ApiError::bad_field("status", e.reason))
            })
            .collect::<Result<_, _>>()?,
    };
    let key = ListKey {
        organization_id: org.id,
        statuses,
        limit: page_request.first,
        cursor: page_request.after,
    };
    // Read before the views are: see `list_cache.rs`.
    let generation = app.desk.refresh_views_generation().await;
    if let Some(body) = state.list_cache.get(&key, generation) {
        return Ok(raw_json(StatusCode::OK, body));
    }
    let filter = RequestFilter {
        organization_ids: Some(vec![org.id]),
        statuses: key.statuses.clone(),
        ..RequestFilter::default()
    };
    let page = app.desk.list_requests(&filter, &page_request).await?;
    let pagination = pagination(&page, page_request.first, |v| v.id);
    let body = serde_json::to_vec(&NumberRequestListBody {
        success: true,
        number_requests: page.items.into_iter().map(Into::into).collect(),
        pagination,
    })
    .map_err(|e| ApiError::Internal(format!("serialising a response: {e}")))?;
    let body = Bytes::from(body);
    state.list_cache.put(key, generation, body.clone());
    Ok(raw_json(StatusCode::OK, body))
}

/// `GET /{id}`: one request of the organisation.
#[utoipa::path(
    get,
    path = "/api/v1/org/{orgSlug}/number-requests/{id}",
    tag = "Number Requests",
    params(
        ("orgSlug" = String, Path, description = "Hex-encoded slug of the organization.", pattern = "^[0-9a-f]{1,64}$"),
        ("id" = i64, Path, description = "The request's integer id."),
        ("X-Account-Id" = uuid::Uuid, Header, description = "Account context."),
    ),
    responses(
        (status = 200, description = "The request.", body = NumberRequestEnvelope),
        (status = 400, description = "Missing X-Account-Id.", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key.", body = ErrorBody),
        (status = 403, description = "Account or organization not yours.", body = ErrorBody),
        (status = 404, description = "Unknown organization or request.", body = ErrorBody),
        (status = 500, description = "Internal error.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[instrument(skip_all, fields(organization_id = org.id, id = %id), err(Debug, level = "info"))]
pub async fn get_one(
    State(state): State<HttpState>,
    Path((_, id)): Path<(String, String)>,
    OrgScope { org, .. }: OrgScope,
) -> Result<Response, ApiError> {
    let app = &state.app;
    let not_found = || ApiError::NotFound(format!("number request {id:?} not found"));
    let number: i64 = id.parse().map_err(|_| not_found())?;
    let view = app
        .desk
        .request_by_number(number)
        .await?
        .filter(|v| v.organization_id == org.id)
        .ok_or_else(not_found)?;
    Ok(Json(NumberRequestEnvelope::from(view)).into_response())
}
