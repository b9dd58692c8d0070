//! The caller of a GraphQL operation, resolved once per HTTP request or
//! websocket connection, and the one typed way resolvers see it: a
//! [`Scope`] (who calls, which organisations they may see, the metadata of
//! their commands) and the [`OpsOnly`] guard for fields only ops may use.

use async_graphql::{Context, Guard, ID};
use numberdesk_adapters::tenancy::Principal;
use numberdesk_adapters::NumberRequestView;
use numberdesk_application::auth;
use numberdesk_application::{ApiError, AppState};
use numberdesk_domain::metadata::CommandMetadata;

/// The request id, as GraphQL resolvers see it (recorded in event metadata).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Who is calling: a principal, or why there is none.
#[derive(Clone, Debug)]
pub struct Caller(pub Result<Principal, String>);

impl Caller {
    /// Resolves the caller from an `Authorization` value.
    pub async fn resolve(state: &AppState, authorization: Option<&str>) -> Result<Self, ApiError> {
        match auth::authenticate_value(state, authorization).await {
            Ok(principal) => Ok(Caller(Ok(principal))),
            Err(ApiError::Unauthenticated(why)) => Ok(Caller(Err(why))),
            Err(other) => Err(other),
        }
    }
}

/// The authenticated caller of one operation, with the shared state: every
/// tenancy decision of a resolver goes through it (the rules are
/// [`auth`]'s). Obtaining it fails with UNAUTHENTICATED when the request
/// carried no valid key.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The shared state.
    pub state: &'a AppState,
    /// The caller.
    pub principal: &'a Principal,
    request_id: Option<&'a str>,
}

impl<'a> Scope<'a> {
    /// The caller of this operation, as resolved for the request.
    pub fn of(ctx: &'a Context<'_>) -> Result<Self, ApiError> {
        let state = ctx
            .data::<AppState>()
            .map_err(|e| ApiError::Internal(format!("schema without state: {}", e.message)))?;
        let principal = match ctx.data_opt::<Caller>() {
            Some(Caller(Ok(principal))) => principal,
            Some(Caller(Err(why))) => return Err(ApiError::Unauthenticated(why.clone())),
            None => {
                return Err(ApiError::Unauthenticated(
                    "missing Authorization: Bearer <api key>".into(),
                ))
            }
        };
        Ok(Self {
            state,
            principal,
            request_id: ctx.data_opt::<RequestId>().map(|r| r.0.as_str()),
        })
    }

    /// A client's organisation filter narrowed to what the caller may see
    /// (`None`: every organisation, ops without a filter).
    pub async fn organizations(&self, wanted: Option<i64>) -> Result<Option<Vec<i64>>, ApiError> {
        auth::scoped_organizations(self.state, self.principal, wanted).await
    }

    /// One request by its GraphQL id; `None` when it does not exist or the
    /// caller may not see it (the two are indistinguishable).
    pub async fn request(
        &self,
        id: &ID,
        field: &str,
    ) -> Result<Option<NumberRequestView>, ApiError> {
        let id = request_id(id, field)?;
        let Some(view) = self.state.desk.request(id).await? else {
            return Ok(None);
        };
        match auth::ensure_visible(self.state, self.principal, &view).await {
            Ok(()) => Ok(Some(view)),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Like [`Scope::request`], but a request the caller cannot see is NOT_FOUND.
    pub async fn target(&self, id: &ID, field: &str) -> Result<NumberRequestView, ApiError> {
        self.request(id, field)
            .await?
            .ok_or_else(|| ApiError::NotFound("number request not found".into()))
    }

    /// The metadata of a command by this caller in this request.
    pub fn metadata(&self) -> CommandMetadata {
        auth::metadata(self.principal, self.request_id.map(str::to_owned))
    }
}

/// Lets only ops keys resolve the field (FORBIDDEN for partner keys,
/// UNAUTHENTICATED without a key); the text says what they may not do.
pub struct OpsOnly(pub &'static str);

impl Guard for OpsOnly {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let scope = Scope::of(ctx)?;
        auth::require_ops(scope.principal, self.0)?;
        Ok(())
    }
}

/// Parses a GraphQL `ID` holding a request UUID.
pub fn request_id(id: &ID, field: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id.as_str())
        .map_err(|_| ApiError::bad_field(field, "must be a number request UUID"))
}

/// Turns a REST/domain field name into the GraphQL input's spelling.
pub fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn field_names_follow_graphql_spelling() {
        assert_eq!(camel_case("contact_email"), "contactEmail");
        assert_eq!(camel_case("country"), "country");
        assert_eq!(camel_case("callback_url"), "callbackUrl");
    }
}
