//! The durable jobs table's shapes: what a job is, its status and how a
//! run ended. The table itself is `job_store.rs`.

use crate::StoreError;
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use std::time::Duration;
use uuid::Uuid;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Auto-fulfilment: assign a submitted request to `system`.
    AutoAssign,
    /// Search and order the numbers of one attempt (never twice).
    Order,
    /// Reconcile an order still pending at the carrier.
    Poll,
    /// Apply a stored Telnyx webhook.
    Webhook,
    /// POST the request to the customer's callback URL.
    Callback,
    /// Release one number at the carrier, then record it (`release.rs`).
    Release,
}

impl JobKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::AutoAssign => "auto_assign",
            JobKind::Order => "order",
            JobKind::Poll => "poll",
            JobKind::Webhook => "webhook",
            JobKind::Callback => "callback",
            JobKind::Release => "release",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<JobKind> {
        [
            JobKind::AutoAssign,
            JobKind::Order,
            JobKind::Poll,
            JobKind::Webhook,
            JobKind::Callback,
            JobKind::Release,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `next_run_at`.
    Pending,
    /// Leased by a worker until `lease_until`.
    Running,
    /// Finished.
    Done,
    /// Gave up (attempts exhausted) or refused for good; `last_error` says why.
    Failed,
}

impl JobStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<JobStatus, StoreError> {
        match text {
            "pending" => Ok(JobStatus::Pending),
            "running" => Ok(JobStatus::Running),
            "done" => Ok(JobStatus::Done),
            "failed" => Ok(JobStatus::Failed),
            other => Err(StoreError::Internal(
                format!("stored job status {other:?}").into(),
            )),
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// The request it works on.
    pub request_id: Option<Uuid>,
    /// Unique per unit of work; a second enqueue with the key is ignored.
    pub dedupe_key: String,
    /// Kind-specific JSON.
    pub payload: serde_json::Value,
    /// Give up after this many runs; `None` = never.
    pub max_attempts: Option<u32>,
    /// Not before this instant.
    pub run_at: DateTime<Utc>,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// What it does.
    pub kind: JobKind,
    /// The request it works on.
    pub request_id: Option<Uuid>,
    /// Its unique key.
    pub dedupe_key: String,
    /// Kind-specific JSON.
    pub payload: serde_json::Value,
    /// Where it stands.
    pub status: JobStatus,
    /// Runs started so far (a run whose worker died counts).
    pub attempts: i64,
    /// Limit of runs, if any.
    pub max_attempts: Option<i64>,
    /// When it runs next (if pending).
    pub next_run_at: DateTime<Utc>,
    /// Why the last run failed.
    pub last_error: Option<String>,
    /// HTTP status of the last callback delivery.
    pub last_http_status: Option<i64>,
    /// Who holds the lease.
    pub lease_owner: Option<String>,
    /// Until when.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it finished (done or failed).
    pub finished_at: Option<DateTime<Utc>>,
}

/// One finished run of a job.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct JobAttemptRow {
    /// Which run (1-based).
    pub attempt: i64,
    /// The worker that ran it.
    pub worker: String,
    /// Start, epoch milliseconds.
    pub started_at: i64,
    /// End, epoch milliseconds.
    pub finished_at: i64,
    /// `ok`, `retry` or `failed`.
    pub outcome: String,
    /// HTTP status (callbacks).
    pub http_status: Option<i64>,
    /// The error, if any.
    pub error: Option<String>,
}

impl JobAttemptRow {
    /// The start as a time.
    pub fn started(&self) -> DateTime<Utc> {
        from_millis(self.started_at)
    }
    /// The end as a time.
    pub fn finished(&self) -> DateTime<Utc> {
        from_millis(self.finished_at)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Finished.
    Done {
        /// HTTP status (callbacks).
        http_status: Option<u16>,
    },
    /// Failed; run again after the delay unless attempts are exhausted.
    Retry {
        /// Why.
        error: String,
        /// When to run again.
        after: Duration,
        /// HTTP status (callbacks).
        http_status: Option<u16>,
    },
    /// Not finished and not failed (e.g. the order is still pending): run
    /// again after the delay; never gives up.
    Later {
        /// When to look again.
        after: Duration,
        /// A note, kept as `last_error` for visibility.
        note: Option<String>,
    },
    /// Refused for good.
    Failed {
        /// Why.
        error: String,
        /// HTTP status (callbacks).
        http_status: Option<u16>,
    },
}

/// Epoch milliseconds of a time.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The time of epoch milliseconds.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}
