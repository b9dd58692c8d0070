//! [`OrgScope`] as an axum extractor: every organisation route of the REST
//! API names it as an argument, and the checks run before the handler does.

use crate::state::HttpState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use numberdesk_adapters::tenancy::{Account, Organization, Principal};
use numberdesk_application::auth;
use numberdesk_application::ApiError;
use std::collections::HashMap;

/// The caller of an organisation route, checked: a valid key (401), an
/// `X-Account-Id` account of its partner (400/403), and the route's
/// `{orgSlug}` an organisation of that account (403/404). The rules are
/// [`auth::OrgScope::resolve`]'s.
pub struct OrgScope {
    /// The caller.
    pub principal: Principal,
    /// The `X-Account-Id` account.
    pub account: Account,
    /// The organisation named by the route's `orgSlug`.
    pub org: Organization,
}

impl FromRequestParts<HttpState> for OrgScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::bad_field("path", rejection.body_text()))?;
        let slug = params.get("orgSlug").map_or("", String::as_str);
        let auth::OrgScope {
            principal,
            account,
            org,
        } = auth::OrgScope::resolve(&state.app, &parts.headers, slug).await?;
        Ok(Self {
            principal,
            account,
            org,
        })
    }
}
