//! The whole HTTP surface: every resource's routes, request ids, tracing and
//! body limits.

use crate::request_id::REQUEST_ID_HEADER;
use crate::rest::list_cache::ListCache;
use crate::state::HttpState;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use numberdesk_graphql::error::ApiError;
use numberdesk_graphql::{build_schema, AppState};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Builds the whole HTTP surface.
pub fn router(app: AppState) -> Router {
    let schema = build_schema(app.clone());
    let max_body = app.settings.max_body_bytes;
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
        .merge(crate::rest::router())
        .merge(crate::webhooks::router())
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body))
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
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}
