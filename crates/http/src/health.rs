//! `/healthz` (the process answers) and `/readyz` (and reaches its database).

use crate::state::HttpState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use numberdesk_application::AppState;
use serde_json::json;
use tracing::instrument;

/// The health routes.
pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[instrument(skip_all)]
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// A `Response`, not a `Result` (the unavailable answer has its own body),
/// so the span records the outcome as `ready` instead of `err`.
#[instrument(skip_all, fields(ready = tracing::field::Empty))]
async fn readyz(State(app): State<AppState>) -> Response {
    let ping = app.desk.database().ping().await;
    tracing::Span::current().record("ready", ping.is_ok());
    match ping {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "database unreachable"})),
            )
                .into_response()
        }
    }
}
