//! `/api/v1/numbers` and `/api/v1/org/{orgSlug}/numbers`.

use super::contract::{Pagination, PhoneNumberBody};
use crate::auth::{account_context, authenticate, organization_in_account};
use crate::error::ApiError;
use crate::http::HttpState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use numberdesk_adapters::{PageRequest, PhoneNumberFilter};
use serde::Deserialize;
use serde_json::json;

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
) -> Result<Json<serde_json::Value>, ApiError> {
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
    let numbers: Vec<PhoneNumberBody> = page.items.into_iter().map(Into::into).collect();
    Ok(Json(json!({
        "success": true,
        "numbers": numbers,
        "pagination": Pagination { limit, next_cursor, total },
    })))
}

/// The phone numbers of the account in `X-Account-Id`.
pub async fn of_account(
    State(state): State<HttpState>,
    Query(query): Query<NumbersQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let principal = authenticate(&state.app, &headers).await?;
    let account = account_context(&state.app, &principal, &headers).await?;
    let filter = PhoneNumberFilter {
        account_id: Some(account.id),
        ..PhoneNumberFilter::default()
    };
    respond(&state, filter, query).await
}

/// The phone numbers of one organisation of the account.
pub async fn of_organization(
    State(state): State<HttpState>,
    Path(org_slug): Path<String>,
    Query(query): Query<NumbersQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let principal = authenticate(&state.app, &headers).await?;
    let account = account_context(&state.app, &principal, &headers).await?;
    let org = organization_in_account(&state.app, &principal, &account, &org_slug).await?;
    let filter = PhoneNumberFilter {
        organization_ids: Some(vec![org.id]),
        ..PhoneNumberFilter::default()
    };
    respond(&state, filter, query).await
}
