//! The one authorisation module for REST and GraphQL.
//!
//! Rules: a request needs a valid Bearer key (401). Partner keys see and
//! change only their partner's organisations; anything else is reported as
//! missing (404), so another tenant's data is indistinguishable from none.
//! Ops keys work every request. REST routes also need `X-Account-Id`, an
//! account of the key's partner (403), and an org of that account (403).

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::HeaderMap;
use numberdesk_adapters::tenancy::{Account, Organization, Principal, Role};
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use uuid::Uuid;

/// The header naming the account context of REST calls.
pub const ACCOUNT_HEADER: &str = "x-account-id";

/// Extracts the token of an `Authorization: Bearer <token>` value.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The principal behind an `Authorization` header value.
pub async fn authenticate_value(
    state: &AppState,
    authorization: Option<&str>,
) -> Result<Principal, ApiError> {
    let value = authorization.ok_or_else(|| {
        ApiError::Unauthenticated("missing Authorization: Bearer <api key> header".into())
    })?;
    let token = bearer_token(value).ok_or_else(|| {
        ApiError::Unauthenticated("the Authorization header must be \"Bearer <api key>\"".into())
    })?;
    state
        .tenancy
        .authenticate(token)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("unknown or revoked API key".into()))
}

/// The principal of an HTTP request.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    authenticate_value(state, value).await
}

/// Organisations the principal may see: `None` means all (ops).
pub async fn visible_organizations(
    state: &AppState,
    principal: &Principal,
) -> Result<Option<Vec<i64>>, ApiError> {
    match principal.role {
        Role::Ops => Ok(None),
        Role::Partner => Ok(Some(
            state
                .tenancy
                .organizations_of_partner(principal.partner_id)
                .await?
                .iter()
                .map(|o| o.id)
                .collect(),
        )),
    }
}

/// Narrows a client's organisation filter to what the principal may see.
pub async fn scoped_organizations(
    state: &AppState,
    principal: &Principal,
    wanted: Option<i64>,
) -> Result<Option<Vec<i64>>, ApiError> {
    let visible = visible_organizations(state, principal).await?;
    Ok(match (visible, wanted) {
        (None, None) => None,
        (None, Some(org)) => Some(vec![org]),
        (Some(visible), None) => Some(visible),
        (Some(visible), Some(org)) => Some(visible.into_iter().filter(|o| *o == org).collect()),
    })
}

/// Whether the principal may see this request; otherwise it does not exist for them.
pub async fn ensure_visible(
    state: &AppState,
    principal: &Principal,
    view: &NumberRequestView,
) -> Result<(), ApiError> {
    if principal.role == Role::Ops {
        return Ok(());
    }
    let owner = match state.tenancy.organization(view.organization_id).await? {
        Some(org) => state.tenancy.account(org.account_id).await?,
        None => None,
    };
    match owner {
        Some(account) if account.partner_id == principal.partner_id => Ok(()),
        _ => Err(ApiError::NotFound("number request not found".into())),
    }
}

/// Refuses non-ops callers: assigning, ordering and rejecting are ops work.
pub fn require_ops(principal: &Principal, action: &str) -> Result<(), ApiError> {
    match principal.role {
        Role::Ops => Ok(()),
        Role::Partner => Err(ApiError::Forbidden(format!("only ops keys may {action}"))),
    }
}

/// The REST account context: `X-Account-Id` must name an account of the key's partner.
pub async fn account_context(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
) -> Result<Account, ApiError> {
    let raw = headers
        .get(ACCOUNT_HEADER)
        .ok_or_else(|| ApiError::bad_field("X-Account-Id", "header is required"))?;
    let forbidden =
        || ApiError::Forbidden("X-Account-Id is not an account of this API key's partner".into());
    let id = raw
        .to_str()
        .ok()
        .and_then(|text| Uuid::parse_str(text.trim()).ok())
        .ok_or_else(forbidden)?;
    match state.tenancy.account(id).await? {
        Some(account) if account.partner_id == principal.partner_id => Ok(account),
        _ => Err(forbidden()),
    }
}

/// The organisation of a REST route: it must belong to the account context.
/// An org of another partner is reported as missing, not forbidden, so slugs
/// of other tenants cannot be probed.
pub async fn organization_in_account(
    state: &AppState,
    principal: &Principal,
    account: &Account,
    slug: &str,
) -> Result<Organization, ApiError> {
    let not_found = || ApiError::NotFound(format!("organization {slug:?} not found"));
    if slug.is_empty() || slug.len() > 64 || !slug.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let org = state
        .tenancy
        .organization_by_slug(slug)
        .await?
        .ok_or_else(not_found)?;
    if org.account_id == account.id {
        return Ok(org);
    }
    match state.tenancy.account(org.account_id).await? {
        Some(owner) if owner.partner_id == principal.partner_id => Err(ApiError::Forbidden(
            "the organization does not belong to the account in X-Account-Id".into(),
        )),
        _ => Err(not_found()),
    }
}

/// The checks every organisation route of the REST API starts with: a valid
/// key, an account of its partner, and an organisation of that account.
pub struct OrgScope {
    /// The caller.
    pub principal: Principal,
    /// The `X-Account-Id` account.
    pub account: Account,
    /// The organisation named by the route's `orgSlug`.
    pub org: Organization,
}

impl OrgScope {
    /// Runs the three checks in order (401, then 400/403, then 403/404).
    pub async fn resolve(
        state: &AppState,
        headers: &HeaderMap,
        org_slug: &str,
    ) -> Result<Self, ApiError> {
        let principal = authenticate(state, headers).await?;
        let account = account_context(state, &principal, headers).await?;
        let org = organization_in_account(state, &principal, &account, org_slug).await?;
        Ok(Self {
            principal,
            account,
            org,
        })
    }
}

/// Event metadata for a command by this principal. A request id that is a
/// UUID (the server makes one for every request that comes without) is also
/// the correlation id, so the events of the request, the fulfilment jobs they
/// cause and those jobs' spans all carry the id the client saw in
/// `x-request-id`; any other request id gets a fresh correlation id.
pub fn metadata(principal: &Principal, request_id: Option<String>) -> CommandMetadata {
    let mut meta = CommandMetadata::new(principal.actor());
    if let Some(id) = request_id
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok())
    {
        meta.correlation_id = id;
    }
    meta.request_id = request_id;
    meta
}
