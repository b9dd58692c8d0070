//! The whole HTTP surface: every resource's routes, request ids, tracing,
//! body limits and request metrics.

use crate::limits::HttpLimits;
use crate::request_id::REQUEST_ID_HEADER;
use crate::rest::list_cache::ListCache;
use crate::state::HttpState;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use numberdesk_application::error::ApiError;
use numberdesk_application::AppState;
use numberdesk_graphql::build_schema;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Builds the whole HTTP surface, with the default [`HttpLimits`].
pub fn router(app: AppState) -> Router {
    router_with(app, &HttpLimits::default())
}

/// Builds the whole HTTP surface with these limits (body read timeout,
/// drain limit).
pub fn router_with(app: AppState, limits: &HttpLimits) -> Router {
    // Install the recorder before the first request is counted.
    crate::metrics::handle();
    let schema = build_schema(app.clone());
    let max_body = app.settings.max_body_bytes;
    let body_limits = crate::limits::body::BodyLimits {
        max_body_bytes: max_body,
        limits: limits.clone(),
    };
    let list_cache = ListCache::new(app.settings.list_cache_bytes);
    let state = HttpState {
        app,
        schema,
        list_cache,
    };
    let header = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .merge(crate::graphql::router())
        .merge(crate::health::router())
        .merge(crate::metrics::router())
        .merge(crate::rest::router())
        .merge(crate::webhooks::router())
        .merge(crate::console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body))
        // Each layer wraps those above it, so the body reader (the last)
        // runs first: the body is read before the encoding check or a rate
        // limit refuses the request, and every refusal reaches the client.
        .layer(axum::middleware::from_fn_with_state(
            crate::limits::rate::RateLimits::new(limits.per_address, limits.per_key),
            crate::limits::rate::limit,
        ))
        .layer(axum::middleware::from_fn(
            crate::limits::encoding::refuse_encoded,
        ))
        .layer(axum::middleware::from_fn_with_state(
            body_limits,
            crate::limits::body::read_body,
        ))
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
        .layer(axum::middleware::from_fn(crate::metrics::track))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not allowed on this route"))
}
