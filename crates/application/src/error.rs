//! The one place where errors become HTTP statuses, REST error bodies and
//! GraphQL `extensions.code`s: every `From` into [`ApiError`] is here, and
//! every HTTP error answer (REST, GraphQL requests that never reach the
//! executor, webhooks) has the same envelope.

use crate::field_names::{camel_case, rename_in_message};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use numberdesk_adapters::fulfilment::FulfilmentError;
use numberdesk_adapters::{CommandError, StoreError};
use numberdesk_domain::ports::ProviderError;
use numberdesk_domain::values::ValidationErrors;
use numberdesk_domain::NumberRequestError;
use serde_json::json;
use std::collections::BTreeMap;

/// Every way an API call can fail, as clients see it.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into
/// an error without extensions, and every error must carry its `code`, so the
/// conversion below is the only one.
#[derive(Debug)]
pub enum ApiError {
    /// Bad input: which fields and why. 400 / BAD_USER_INPUT.
    BadInput {
        /// A summary.
        message: String,
        /// Field → reason.
        fields: BTreeMap<String, String>,
    },
    /// No or unknown credentials. 401 / UNAUTHENTICATED.
    Unauthenticated(String),
    /// Known caller, not allowed. 403 / FORBIDDEN.
    Forbidden(String),
    /// Missing, or invisible to this caller. 404 / NOT_FOUND.
    NotFound(String),
    /// The request's state refuses the command, or a concurrent write won. 409 / CONFLICT.
    Conflict(String),
    /// An Idempotency-Key reused with another body. 422 / IDEMPOTENCY_KEY_REUSED.
    IdempotencyKeyReused(String),
    /// Body too large. 413 / PAYLOAD_TOO_LARGE.
    PayloadTooLarge(usize),
    /// Not JSON, or an unsupported content encoding. 415 / UNSUPPORTED_MEDIA_TYPE.
    UnsupportedMediaType(String),
    /// The client did not send its request in time. 408 / REQUEST_TIMEOUT.
    RequestTimeout(String),
    /// The route exists, the method does not. 405 / METHOD_NOT_ALLOWED.
    MethodNotAllowed(String),
    /// Too many requests; retry after this many seconds. 429 / RATE_LIMITED.
    RateLimited(u64),
    /// The database or carrier is unreachable; retry later. 503 / UNAVAILABLE.
    Unavailable(String),
    /// A feature this server is not configured for; the message says which
    /// setting it needs. 503 / NOT_CONFIGURED.
    NotConfigured(String),
    /// A bug or unexpected failure; details are logged, never returned. 500 / INTERNAL.
    Internal(String),
}

impl ApiError {
    /// One bad field.
    pub fn bad_field(field: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), reason.clone());
        ApiError::BadInput {
            message: format!("{field}: {reason}"),
            fields,
        }
    }

    /// The same error with every bad field renamed by `rename`, in `fields`
    /// and where the message names it (`field:`): how a transport spells
    /// the use cases' field names (`callback_url` → `input.callbackUrl`).
    /// Any other error is returned as it is.
    pub fn rename_fields(self, rename: impl Fn(&str) -> String) -> Self {
        match self {
            ApiError::BadInput {
                mut message,
                fields,
            } => {
                let fields = fields
                    .into_iter()
                    .map(|(field, reason)| {
                        let renamed = rename(&field);
                        if renamed != field {
                            message = rename_in_message(&message, &field, &renamed);
                        }
                        (renamed, reason)
                    })
                    .collect();
                ApiError::BadInput { message, fields }
            }
            other => other,
        }
    }

    /// The sentence shown to clients (never internal details).
    pub fn message(&self) -> String {
        match self {
            ApiError::BadInput { message, .. } => message.clone(),
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::IdempotencyKeyReused(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::RequestTimeout(m)
            | ApiError::MethodNotAllowed(m)
            | ApiError::NotConfigured(m) => m.clone(),
            ApiError::RateLimited(seconds) => {
                format!("too many requests; retry after {seconds} s")
            }
            ApiError::PayloadTooLarge(limit) => {
                format!("request body is larger than {limit} bytes")
            }
            ApiError::Unavailable(_) => "service temporarily unavailable, retry later".into(),
            ApiError::Internal(_) => "internal error".into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadInput { .. } => "BAD_USER_INPUT",
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::IdempotencyKeyReused(_) => "IDEMPOTENCY_KEY_REUSED",
            ApiError::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            ApiError::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            ApiError::RequestTimeout(_) => "REQUEST_TIMEOUT",
            ApiError::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            ApiError::RateLimited(_) => "RATE_LIMITED",
            ApiError::Unavailable(_) => "UNAVAILABLE",
            ApiError::NotConfigured(_) => "NOT_CONFIGURED",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadInput { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::IdempotencyKeyReused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::NotConfigured(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn fields(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            ApiError::BadInput { fields, .. } => Some(fields),
            _ => None,
        }
    }

    /// Logs what must not reach the client.
    fn log(&self) {
        match self {
            ApiError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            ApiError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "dependency unavailable")
            }
            _ => {}
        }
    }

    /// The REST contract's error body.
    pub fn body(&self) -> serde_json::Value {
        let mut error = self.details();
        error["message"] = json!(self.message());
        json!({"success": false, "error": error})
    }

    /// `code` and, for bad input, `fields`: the REST `error` object and the
    /// GraphQL `extensions` carry the same details.
    fn details(&self) -> serde_json::Value {
        let mut details = json!({"code": self.code()});
        if let Some(fields) = self.fields() {
            details["fields"] = json!(fields);
        }
        details
    }

    /// The same error for GraphQL clients whose request never reached the
    /// executor (not JSON, too large): a GraphQL response with one error.
    pub fn into_graphql_response(self) -> Response {
        self.log();
        let body = json!({"errors": [{"message": self.message(), "extensions": self.details()}]});
        (self.status(), axum::Json(body)).into_response()
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::BadInput {
            message: errors.to_string(),
            fields: errors.fields().clone(),
        }
    }
}

impl From<NumberRequestError> for ApiError {
    fn from(error: NumberRequestError) -> Self {
        match error {
            NumberRequestError::NotFound => ApiError::NotFound("number request not found".into()),
            NumberRequestError::Invalid { field, reason } => ApiError::bad_field(field, reason),
            NumberRequestError::InvalidTransition { command, status } => ApiError::Conflict(
                format!("cannot {} a request that is {status}", api_action(command)),
            ),
            NumberRequestError::AlreadySubmitted | NumberRequestError::AlreadyReleased { .. } => {
                ApiError::Conflict(error.to_string())
            }
        }
    }
}

/// A domain command's name in the API's words, so that no internal name
/// (`record_provisioned`) reaches a client. Unknown names lose their
/// underscores rather than leak as identifiers.
fn api_action(command: &str) -> String {
    let words = match command {
        "submit" => "submit",
        "assign" => "assign",
        "update_notes" => "update the ops notes of",
        "record_order" => "order numbers for",
        "record_provisioned" => "mark numbers provisioned on",
        "provision_manually" => "mark numbers provisioned on",
        "record_order_failure" => "record a failed carrier order on",
        "reject" => "reject",
        "cancel" => "cancel",
        "record_late_order" => "record a late carrier order on",
        "record_order_missing" => "record a missing carrier order on",
        other => return other.replace('_', " "),
    };
    words.to_owned()
}

/// Database constraints that clients can run into, by name: the one place a
/// unique or foreign-key violation becomes an answer (the idea of
/// realworld-axum-sqlx's `on_constraint`). The events primary key is not here:
/// the store itself reports it as the optimistic-lock conflict. Any other
/// violation stays an internal error (a bug, logged).
fn on_constraint(name: &str) -> Option<ApiError> {
    let conflict = |m: &str| Some(ApiError::Conflict(m.to_owned()));
    let not_found = |m: &str| Some(ApiError::NotFound(m.to_owned()));
    match name {
        "number_requests_uuid_key" => conflict("the number request already exists"),
        "idempotency_keys_pkey" | "idempotency_keys_partner_id_key_key" => {
            conflict("a request with this Idempotency-Key is still in flight; retry later")
        }
        "jobs_dedupe_key_key" => conflict("this fulfilment step is already scheduled"),
        "phone_numbers_request_id_phone_number_key" => {
            conflict("the number is already recorded on this request")
        }
        "organizations_slug_key" => conflict("an organization with this slug already exists"),
        "api_keys_digest_key" => conflict("this API key already exists"),
        "phone_numbers_request_id_fkey" => not_found("number request not found"),
        "organizations_account_id_fkey" => not_found("account not found"),
        "accounts_partner_id_fkey" | "api_keys_partner_id_fkey" => not_found("partner not found"),
        _ => None,
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if let Some(mapped) = error
            .constraint()
            .and_then(|c| c.name)
            .and_then(|name| on_constraint(&name))
        {
            return mapped;
        }
        match error {
            StoreError::Unavailable(detail) => ApiError::Unavailable(detail.to_string()),
            StoreError::Conflict => ApiError::Conflict(
                "the request was changed concurrently; reload it and try again".into(),
            ),
            StoreError::Internal(detail) => ApiError::Internal(detail.to_string()),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::Domain(error) => error.into(),
            CommandError::Store(error) => error.into(),
        }
    }
}

impl From<ProviderError> for ApiError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::RateLimited { .. } | ProviderError::Unavailable(_) => {
                ApiError::Unavailable(format!("carrier: {error}"))
            }
            ProviderError::Rejected { .. } => ApiError::Conflict(error.to_string()),
            ProviderError::NotFound => ApiError::Internal("carrier lost an order".into()),
        }
    }
}

impl From<FulfilmentError> for ApiError {
    fn from(error: FulfilmentError) -> Self {
        match error {
            FulfilmentError::Store(error) => error.into(),
            FulfilmentError::Command(error) => error.into(),
            FulfilmentError::Carrier(error) => error.into(),
            FulfilmentError::Invalid(detail) => ApiError::Internal(detail),
            error @ (FulfilmentError::NotEnoughNumbers { .. }
            | FulfilmentError::NotAssigned(_)
            | FulfilmentError::JobNotFinished(_)
            | FulfilmentError::GaveUp(_)
            | FulfilmentError::OrderOutcomeUnknown { .. }) => ApiError::Conflict(error.to_string()),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::bad_field("query", rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        (self.status(), axum::Json(self.body())).into_response()
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        error.log();
        // GraphQL clients see the GraphQL field names, in `fields` and in the message.
        let error = error.rename_fields(camel_case);
        let details = async_graphql::Value::from_json(error.details());
        async_graphql::ErrorExtensions::extend_with(
            async_graphql::Error::new(error.message()),
            |_, ext| {
                if let Ok(async_graphql::Value::Object(details)) = details {
                    for (key, value) in details {
                        ext.set(key.as_str(), value);
                    }
                }
            },
        )
    }
}
