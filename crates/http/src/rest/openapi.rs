//! The OpenAPI 3.1 document of the REST API, generated from the handlers'
//! annotations (utoipa) and served at `GET /api/v1/openapi.json`.

use super::body::CreateNumberRequestBody;
use super::contract::{
    ErrorBody, ErrorDetail, NumberRequestBody, NumberRequestEnvelope, NumberRequestListBody,
    Pagination, PhoneNumberBody, PhoneNumberListBody,
};
use super::domain_schemas::{NumberTypeSchema, RequestStatusSchema};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "numberdesk number-request API",
        version = "1.0.0",
        description = "Request phone numbers for an organisation and follow them until they are live. \
                       Every call needs `Authorization: Bearer <api key>` and `X-Account-Id` (an account of the key's partner)."
    ),
    paths(
        super::number_requests::create,
        super::number_requests::list,
        super::number_requests::get_one,
        super::numbers::of_account,
        super::numbers::of_organization,
    ),
    components(schemas(
        CreateNumberRequestBody,
        NumberTypeSchema,
        NumberRequestBody,
        NumberRequestEnvelope,
        NumberRequestListBody,
        PhoneNumberBody,
        PhoneNumberListBody,
        Pagination,
        RequestStatusSchema,
        ErrorBody,
        ErrorDetail
    )),
    modifiers(&BearerAuth),
    security(("bearerAuth" = []))
)]
pub struct ApiDoc;

/// The document's route.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/api/v1/openapi.json", get(document))
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_lists_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serialises");
        assert!(doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")));
        for path in [
            "/api/v1/org/{orgSlug}/number-requests",
            "/api/v1/org/{orgSlug}/number-requests/{id}",
            "/api/v1/numbers",
            "/api/v1/org/{orgSlug}/numbers",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        let create = &doc["paths"]["/api/v1/org/{orgSlug}/number-requests"]["post"];
        for status in [
            "201", "400", "401", "403", "404", "413", "415", "422", "500", "503",
        ] {
            assert!(
                create["responses"][status].is_object(),
                "POST lacks {status}"
            );
        }
    }
}
