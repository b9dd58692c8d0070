//! The REST contract of the number-request API
//! (`shared/seeds/lumenia-number-requests-api.txt`), honoured to the letter,
//! on the same domain, event log and authorisation as GraphQL.
//!
//! Pagination of lists (not specified by the contract): `?limit=` 1–100
//! (default 20) and `?cursor=` taken from the previous page's
//! `pagination.next_cursor`; requests are listed newest first and may be
//! filtered with `?status=submitted,assigned`.
//!
//! Unknown body fields are refused (400 naming the field), so a misspelt
//! optional field is never silently dropped.

mod body;
pub mod contract;
pub mod list_cache;
mod number_requests;
mod numbers;
pub mod openapi;
mod paging;

use crate::http::HttpState;
use axum::routing::get;
use axum::Router;

/// The REST routes.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route(
            "/api/v1/org/{orgSlug}/number-requests",
            get(number_requests::list).post(number_requests::create),
        )
        .route(
            "/api/v1/org/{orgSlug}/number-requests/{id}",
            get(number_requests::get_one),
        )
        .route("/api/v1/numbers", get(numbers::of_account))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route(
            "/api/v1/org/{orgSlug}/numbers",
            get(numbers::of_organization),
        )
}
