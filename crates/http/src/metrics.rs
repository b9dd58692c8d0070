//! Prometheus metrics, served at `GET /metrics` (text exposition format).
//!
//! * `http_requests_total{method, route, status}`: every answered request,
//!   by its route template (`/api/v1/org/{orgSlug}/number-requests`, or
//!   `unmatched`), so ids never become labels.
//! * `http_request_duration_seconds{method, route, status}`: a histogram of
//!   the time to the response head.
//! * `db_pool_connections{state="idle"|"in_use"}`: the database pool, read
//!   at each scrape.
//! * `numberdesk_commands_total{command, outcome="ok"|"refused"|"error"}`:
//!   every command run on the desk (`numberdesk-adapters`, counted where
//!   every command passes: the API's use cases and the fulfilment workers'
//!   order outcomes, auto-assign and webhooks alike).
//! * `numberdesk_jobs{kind, status}` and `numberdesk_job_attempts{kind,
//!   status}`: the durable job queue (depth by kind and status, and the
//!   attempts spent), sampled from the `jobs` table at each scrape; callback
//!   outcomes are the `kind="callback"` rows (`done`, `failed`, `pending`).
//! * `numberdesk_consumer_lag_events{consumer="views"|"fulfilment"}`: how
//!   many events the projector and the fulfilment consumer are behind the
//!   log head, sampled at each scrape.
//!
//! The recorder is process-wide (the `metrics` facade has one), installed by
//! the first router built; every router of the process serves the same
//! registry.

use crate::state::HttpState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use numberdesk_adapters::fulfilment::JobStore;
use numberdesk_adapters::{Database, NumberDesk};
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's Prometheus registry (installed on first use).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            Err(error) => {
                // Another recorder is installed (an embedding service's):
                // serve an empty registry of our own.
                tracing::warn!(%error, "metrics: a global recorder is already installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// The `/metrics` route.
pub fn router() -> Router<HttpState> {
    Router::new().route("/metrics", get(scrape))
}

async fn scrape(State(state): State<HttpState>) -> Response {
    record_pool(state.app.desk.database());
    record_jobs(&JobStore::new(state.app.desk.database().clone())).await;
    record_lag(&state.app.desk).await;
    let handle = handle();
    handle.run_upkeep();
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
        .into_response()
}

const JOB_KINDS: &[&str] = &[
    "auto_assign",
    "order",
    "poll",
    "webhook",
    "callback",
    "release",
];
const JOB_STATUSES: &[&str] = &["pending", "running", "done", "failed"];

/// Samples the job queue; a failed sample keeps the last values (and logs).
async fn record_jobs(jobs: &JobStore) {
    let rows = match jobs.queue_counts().await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::warn!(%error, "metrics: sampling the job queue failed");
            return;
        }
    };
    // Known series drop to 0 when their rows are gone.
    for kind in JOB_KINDS {
        for status in JOB_STATUSES {
            let row = rows.iter().find(|r| r.kind == *kind && r.status == *status);
            let (count, attempts) = row.map_or((0, 0), |r| (r.jobs, r.attempts));
            metrics::gauge!("numberdesk_jobs", "kind" => *kind, "status" => *status)
                .set(count as f64);
            metrics::gauge!("numberdesk_job_attempts", "kind" => *kind, "status" => *status)
                .set(attempts as f64);
        }
    }
}

/// Samples how far the projector and the fulfilment consumer are behind the
/// log head, in events.
async fn record_lag(desk: &NumberDesk) {
    match desk.consumer_lag().await {
        Ok(lags) => {
            for (consumer, lag) in lags {
                metrics::gauge!("numberdesk_consumer_lag_events", "consumer" => consumer)
                    .set(lag as f64);
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: sampling the consumer lag failed"),
    }
}

fn record_pool(database: &Database) {
    let (size, idle) = database.pool_stats();
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
}

/// Middleware counting and timing every request by route and status.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
