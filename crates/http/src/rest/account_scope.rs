//! [`AccountScope`] as an axum extractor: a route of the account (not of
//! one of its organisations) names it as an argument, and the checks run
//! before the handler does.

use crate::state::HttpState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use numberdesk_adapters::tenancy::{Account, Principal};
use numberdesk_application::auth;
use numberdesk_application::ApiError;

/// The caller of an account route, checked: a valid key (401), then an
/// `X-Account-Id` account of its partner (400 when missing, 403 when not
/// the partner's). The rules are [`auth::authenticate`]'s and
/// [`auth::account_context`]'s.
pub struct AccountScope {
    /// The caller.
    pub principal: Principal,
    /// The `X-Account-Id` account.
    pub account: Account,
}

impl FromRequestParts<HttpState> for AccountScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        let principal = auth::authenticate(&state.app, &parts.headers).await?;
        let account = auth::account_context(&state.app, &principal, &parts.headers).await?;
        Ok(Self { principal, account })
    }
}
