//! `/api/v1/numbers` and `/api/v1/org/{orgSlug}/numbers`.

use super::account_scope::AccountScope;
use super::contract::{ErrorBody, PhoneNumberListBody};
use super::org_scope::OrgScope;
use super::paging::{pagination, PageQuery};
use crate::state::HttpState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use numberdesk_adapters::PhoneNumberFilter;
use numberdesk_application::error::ApiError;
use tracing::instrument;

/// The phone-number routes.
pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/api/v1/numbers", get(of_account))
        .route("/api/v1/org/{orgSlug}/numbers", get(of_organization))
}

async fn respond(
    state: &HttpState,
    filter: PhoneNumberFilter,
    query: PageQuery,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let app = &state.app;
    let page_request = query.page_request(&app.settings)?;
    let page = app.desk.list_phone_numbers(&filter, &page_request).await?;
    let pagination = pagination(&page, page_request.first, |n| n.id);
    Ok(Json(PhoneNumberListBody {
        success: true,
        numbers: page.items.into_iter().map(Into::into).collect(),
        pagination,
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
#[instrument(skip_all, fields(account_id = %account.id), err(Debug, level = "info"))]
pub async fn of_account(
    State(state): State<HttpState>,
    query: Result<Query<PageQuery>, QueryRejection>,
    AccountScope { account, .. }: AccountScope,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let Query(query) = query?;
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
#[instrument(skip_all, fields(organization_id = org.id), err(Debug, level = "info"))]
pub async fn of_organization(
    State(state): State<HttpState>,
    query: Result<Query<PageQuery>, QueryRejection>,
    OrgScope { org, .. }: OrgScope,
) -> Result<Json<PhoneNumberListBody>, ApiError> {
    let Query(query) = query?;
    let filter = PhoneNumberFilter {
        organization_ids: Some(vec![org.id]),
        ..PhoneNumberFilter::default()
    };
    respond(&state, filter, query).await
}
