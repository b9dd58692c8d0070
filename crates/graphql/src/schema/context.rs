//! The caller of a GraphQL operation, resolved once per HTTP request or
//! websocket connection.

use crate::error::ApiError;
use crate::state::AppState;
use async_graphql::Context;
use numberdesk_adapters::tenancy::Principal;

/// The request id, as GraphQL resolvers see it (recorded in event metadata).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Who is calling: a principal, or why there is none.
#[derive(Clone, Debug)]
pub struct Caller(pub Result<Principal, String>);

impl Caller {
    /// Resolves the caller from an `Authorization` value.
    pub async fn resolve(state: &AppState, authorization: Option<&str>) -> Result<Self, ApiError> {
        match crate::auth::authenticate_value(state, authorization).await {
            Ok(principal) => Ok(Caller(Ok(principal))),
            Err(ApiError::Unauthenticated(why)) => Ok(Caller(Err(why))),
            Err(other) => Err(other),
        }
    }
}

/// The shared state and the authenticated principal, or UNAUTHENTICATED.
pub fn caller<'a>(ctx: &'a Context<'_>) -> Result<(&'a AppState, &'a Principal), ApiError> {
    let state = ctx
        .data::<AppState>()
        .map_err(|e| ApiError::Internal(format!("schema without state: {}", e.message)))?;
    match ctx.data_opt::<Caller>() {
        Some(Caller(Ok(principal))) => Ok((state, principal)),
        Some(Caller(Err(why))) => Err(ApiError::Unauthenticated(why.clone())),
        None => Err(ApiError::Unauthenticated(
            "missing Authorization: Bearer <api key>".into(),
        )),
    }
}

/// Parses a GraphQL `ID` holding a request UUID.
pub fn request_id(id: &async_graphql::ID, field: &str) -> Result<uuid::Uuid, ApiError> {
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
