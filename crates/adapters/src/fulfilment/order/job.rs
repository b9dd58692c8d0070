//! The order job running an attempt, and its unknown-outcome marker.

use super::super::job_store::JobStore;
use super::super::jobs::{from_millis, millis, Job, JobKind, JobStatus};
use super::super::FulfilmentError;
use crate::store::Sql;
use chrono::{DateTime, Utc};
use serde_json::json;

/// The order job running an attempt: where its unknown-outcome marker
/// (`posted_at` in the payload) is kept.
pub(in crate::fulfilment) struct OrderJob<'a> {
    /// The jobs table.
    pub jobs: &'a JobStore,
    /// The leased job.
    pub job: &'a Job,
    /// Its lease owner.
    pub owner: &'a str,
    /// How long an unknown outcome is only looked up.
    pub window: std::time::Duration,
    /// Runs before it gives up (checked when absence is established).
    pub max_attempts: Option<i64>,
}

/// `payload.posted_at` key: epoch ms of the last post whose outcome is not
/// known yet. Written (durably) before every post, removed when the carrier
/// certainly did nothing.
const POSTED_AT: &str = "posted_at";

/// When an unfinished order job posted an order whose outcome is still
/// unknown (it is being reconciled by reference); `None` for other jobs.
pub fn order_outcome_unknown_since(job: &Job) -> Option<DateTime<Utc>> {
    if job.kind != JobKind::Order || job.status == JobStatus::Done {
        return None;
    }
    posted_at(job)
}

fn posted_at(job: &Job) -> Option<DateTime<Utc>> {
    job.payload
        .get(POSTED_AT)
        .and_then(serde_json::Value::as_i64)
        .map(from_millis)
}

impl OrderJob<'_> {
    /// When the last post with an unknown outcome was sent.
    pub fn posted_at(&self) -> Option<DateTime<Utc>> {
        posted_at(self.job)
    }

    pub(super) async fn mark(
        &self,
        posted_at: Option<DateTime<Utc>>,
    ) -> Result<(), FulfilmentError> {
        let mut payload = self.job.payload.clone();
        if let Some(object) = payload.as_object_mut() {
            match posted_at {
                Some(at) => object.insert(POSTED_AT.to_owned(), json!(millis(at))),
                None => object.remove(POSTED_AT),
            };
        }
        if self
            .jobs
            .set_payload(self.job.id, self.owner, &payload)
            .await?
        {
            Ok(())
        } else {
            Err(FulfilmentError::JobNotFinished(
                "lost the order job's lease before ordering; another worker has it".into(),
            ))
        }
    }

    /// The database's clock now. Posts are stamped, and reconcile windows
    /// judged, on it (like job leases), never on this process's clock: two
    /// servers whose clocks disagree never order again early.
    pub(super) async fn db_now(&self) -> Result<DateTime<Utc>, FulfilmentError> {
        let db = self.jobs.database();
        let ms: i64 = db
            .scalar(Sql::from(format!("SELECT {}", db.dialect().now_ms)))
            .await?;
        Ok(from_millis(ms))
    }

    /// The unknown outcome of the post made at `since` while its reconcile
    /// window is open on the database's clock; `None` once it has passed.
    pub(super) async fn still_unknown(
        &self,
        since: DateTime<Utc>,
        why: String,
    ) -> Result<Option<FulfilmentError>, FulfilmentError> {
        let unknown = self.unknown(since, why);
        if let FulfilmentError::OrderOutcomeUnknown { until, .. } = &unknown {
            if self.db_now().await? < *until {
                return Ok(Some(unknown));
            }
        }
        Ok(None)
    }

    pub(super) fn unknown(&self, since: DateTime<Utc>, why: String) -> FulfilmentError {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        FulfilmentError::OrderOutcomeUnknown {
            since,
            until: since.checked_add_signed(window).unwrap_or(since),
            why,
        }
    }
}
