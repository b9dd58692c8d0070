//! `/api/v1/numbers` and `/api/v1/org/{orgSlug}/numbers`.

use super::contract::{ErrorBody, Pagination, PhoneNumberListBody};
use crate::auth::{account_context, authenticate, organization_in_account};
use crate::error::ApiError;
use crate::http::HttpState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use numberdesk_adapters::{PageRequest, PhoneNumberFilter};
use serde::Deserialize;

/// Paging of number lists.
#[derive(Debug, Deserialize)]
pub struct NumbersQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn respond(
    state: &HttpState,
    filter: PhoneNumberFilter,
    query: NumbersQuery,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let app = &state.app;
    let limit = match query.limit.as_deref() {
        None => app.settings.default_page_size,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=app.settings.max_page_size).contains(n))
            .ok_or_else(|| {
                ApiError::bad_field(
                    "limit",
                    format!(
                        "must be an integer from 1 to {}",
                        app.settings.max_page_size
                    ),
                )
            })?,
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_field("cursor", "is not a cursor returned by this API"))
        })
        .transpose()?;
    let page = app
        .desk
        .list_phone_numbers(
            &filter,
            &PageRequest {
                first: limit,
                after,
            },
        )
        .await?;
    let next_cursor = if page.has_next_page {
        page.items.last().map(|n| n.id.to_string())
    } else {
        None
    };
    let total = page.total_count;
    Ok(Json(PhoneNumberListBody {
        success: true,
        numbers: page.items.into_iter().map(Into::into).collect(),
        pagination: Pagination {
            limit,
            next_cursor,
            total,
        },
    }))
}

/// The phone numbers of the account in `X-Account-Id`.
#[utoipa::path(
    get,
    path = "/api/v1/numbers",
    tag = "Numbers",
    params(
        ("X-Account-Id" = uuid::Uuid, Header, description = "The account whose numbers to list."),
        ("limit" = Option<i32>, Query, description = "Page size, 1-100 (default 20).", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`pagination.next_cursor` of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of provisioned numbers.", body = PhoneNumberListBody),
        (status = 400, description = "Invalid limit or cursor, or missing X-Account-Id.", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key.", body = ErrorBody),
        (status = 403, description = "Account or organization not yours.", body = ErrorBody),
        (status = 404, description = "Unknown organization.", body = ErrorBody),
        (status = 500, description = "Internal error.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
pub async fn of_account(
    State(state): State<HttpState>,
    query: Result<Query<NumbersQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let Query(query) = query?;
    let principal = authenticate(&state.app, &headers).await?;
    let account = account_context(&state.app, &principal, &headers).await?;
    let filter = PhoneNumberFilter {
        account_id: Some(account.id),
        ..PhoneNumberFilter::default()
    };
    respond(&state, filter, query).await
}

/// The phone numbers of one organisation of the account.
#[utoipa::path(
    get,
    path = "/api/v1/org/{orgSlug}/numbers",
    tag = "Numbers",
    params(
        ("orgSlug" = String, Path, description = "Hex-encoded slug of the organization.", pattern = "^[0-9a-f]{1,64}$"),
        ("X-Account-Id" = uuid::Uuid, Header, description = "Account context."),
        ("limit" = Option<i32>, Query, description = "Page size, 1-100 (default 20).", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`pagination.next_cursor` of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of provisioned numbers.", body = PhoneNumberListBody),
        (status = 400, description = "Invalid limit or cursor, or missing X-Account-Id.", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key.", body = ErrorBody),
        (status = 403, description = "Account or organization not yours.", body = ErrorBody),
        (status = 404, description = "Unknown organization.", body = ErrorBody),
        (status = 500, description = "Internal error.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
pub async fn of_organization(
    State(state): State<HttpState>,
    Path(org_slug): Path<String>,
    query: Result<Query<NumbersQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let Query(query) = query?;
    let principal = authenticate(&state.app, &headers).await?;
    let account = account_context(&state.app, &principal, &headers).await?;
    let org = organization_in_account(&state.app, &principal, &account, &org_slug).await?;
    let filter = PhoneNumberFilter {
        organization_ids: Some(vec![org.id]),
        ..PhoneNumberFilter::default()
    };
    respond(&state, filter, query).await
}
