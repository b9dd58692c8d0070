//! `/healthz` (the process answers) and `/readyz` (and reaches its database).

use crate::state::HttpState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use numberdesk_application::{ApiError, AppState};
use serde_json::{json, Value};
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

/// `{"status": "ready"}`, or 503 with the API's error envelope (code
/// `UNAVAILABLE`; the cause is logged, not returned) while the database is
/// unreachable.
#[instrument(skip_all, fields(ready = tracing::field::Empty))]
async fn readyz(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let ping = app.desk.database().ping().await;
    tracing::Span::current().record("ready", ping.is_ok());
    match ping {
        Ok(()) => Ok(Json(json!({"status": "ready"}))),
        Err(error) => Err(ApiError::Unavailable(format!(
            "not ready: database unreachable: {error}"
        ))),
    }
}
