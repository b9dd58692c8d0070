//! A stored row of the jobs table and its conversion to a [`Job`].

use super::jobs::{from_millis, Job, JobKind, JobStatus};
use crate::StoreError;
use uuid::Uuid;

pub(super) const COLUMNS: &str = "id, kind, request_id, dedupe_key, payload, status, attempts, max_attempts, \
     next_run_at, last_error, last_http_status, lease_owner, lease_until, created_at, updated_at, finished_at";

#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    id: i64,
    kind: String,
    request_id: Option<String>,
    dedupe_key: String,
    payload: String,
    status: String,
    attempts: i64,
    max_attempts: Option<i64>,
    next_run_at: i64,
    last_error: Option<String>,
    last_http_status: Option<i64>,
    lease_owner: Option<String>,
    lease_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl JobRow {
    pub(super) fn into_job(self) -> Result<Job, StoreError> {
        Ok(Job {
            id: self.id,
            kind: JobKind::parse(&self.kind).ok_or_else(|| {
                StoreError::Internal(format!("stored job kind {:?}", self.kind).into())
            })?,
            request_id: self
                .request_id
                .as_deref()
                .map(Uuid::parse_str)
                .transpose()
                .map_err(|e| StoreError::Internal(format!("stored job request id: {e}").into()))?,
            dedupe_key: self.dedupe_key,
            payload: serde_json::from_str(&self.payload)?,
            status: JobStatus::parse(&self.status)?,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            next_run_at: from_millis(self.next_run_at),
            last_error: self.last_error,
            last_http_status: self.last_http_status,
            lease_owner: self.lease_owner,
            lease_until: self.lease_until.map(from_millis),
            created_at: from_millis(self.created_at),
            updated_at: from_millis(self.updated_at),
            finished_at: self.finished_at.map(from_millis),
        })
    }
}
