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

pub mod account_scope;
pub mod body;
pub mod callback;
pub mod contract;
pub mod domain_schemas;
pub(crate) mod duplicate_keys;
mod field_names;
pub mod list_cache;
mod number_requests;
mod numbers;
pub mod openapi;
pub mod org_scope;
mod paging;

use crate::state::HttpState;
use axum::Router;

/// The REST routes.
pub fn router() -> Router<HttpState> {
    Router::new()
        .merge(number_requests::router())
        .merge(numbers::router())
        .merge(openapi::router())
}
