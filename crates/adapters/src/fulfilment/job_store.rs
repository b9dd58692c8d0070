//! The durable jobs table: enqueue once per unit of work, lease, finish.
//!
//! Leasing takes the oldest due job (pending and due, or running with an
//! expired lease, i.e. its worker died) and marks it running for one owner
//! until a deadline, in one statement:
//!
//! * PostgreSQL: `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)`, so
//!   workers in several processes never wait for, or take, the same row;
//! * SQLite: the same `UPDATE … RETURNING` inside `BEGIN IMMEDIATE` (one
//!   writer at a time).
//!
//! A request's callbacks are leased in order: a callback job waits while an
//! earlier one of the same request is pending or running (so receivers see
//! statuses in order; one that gave up no longer blocks the next).
//!
//! Leases are taken, renewed and judged expired on the **database's clock**
//! (`now()` / `unixepoch('subsec')` in the statement), never the process's:
//! two servers whose clocks disagree by more than a lease still never hold
//! one job at once. Retry schedules are set on the same clock.
//!
//! Every finishing write is conditional on the lease owner, so a worker whose
//! lease expired and was taken over cannot overwrite the new owner's result.

use super::job_row::{JobRow, COLUMNS};
use super::jobs::{millis, Job, JobAttemptRow, JobKind, JobStatus, NewJob};
use crate::store::{Conn, Sql};
use crate::{Database, StoreError};
use chrono::Utc;
use std::time::Duration;
use uuid::Uuid;

/// The database's clock in epoch milliseconds, as SQL: leases are taken,
/// renewed and judged expired on it, so servers whose clocks disagree still
/// never hold one job at once.
pub(super) fn db_now(db: &Database) -> &'static str {
    db.dialect().now_ms
}

pub(super) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// One row of [`JobStore::queue_counts`].
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobQueueCount {
    /// The job kind (`order`, `callback`, ...).
    pub kind: String,
    /// The job status (`pending`, `running`, `done`, `failed`).
    pub status: String,
    /// How many jobs are of this kind in this status.
    pub jobs: i64,
    /// The attempts those jobs spent.
    pub attempts: i64,
}

/// The jobs table on the service's database.
#[derive(Debug, Clone)]
pub struct JobStore {
    db: Database,
}

/// Binds a new job's columns as `$1`–`$6`: kind, request, key, payload,
/// attempts allowed, first run.
fn bind_new_job(sql: Sql, job: &NewJob) -> Sql {
    sql.arg(job.kind.as_str())
        .arg(job.request_id.map(|id| id.to_string()))
        .arg(&job.dedupe_key)
        .arg(job.payload.to_string())
        .arg(job.max_attempts.map(i64::from))
        .arg(millis(job.run_at))
}

/// Inserts a job unless one with its key exists (on a pooled connection or
/// inside a caller's transaction); `false` when one exists.
pub(crate) async fn insert_job(
    conn: &mut Conn<'_>,
    job: &NewJob,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = conn
        .execute(
            bind_new_job(
                Sql::new(
                    "INSERT INTO jobs (kind, request_id, dedupe_key, payload, status, attempts, max_attempts, \
                     next_run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7, $7) \
                     ON CONFLICT (dedupe_key) DO NOTHING",
                ),
                job,
            )
            .arg(now),
        )
        .await?;
    Ok(inserted == 1)
}

impl JobStore {
    /// Uses the given (migrated) database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Enqueues a job; `false` when one with its key already exists.
    pub async fn enqueue(&self, job: &NewJob) -> Result<bool, StoreError> {
        let now = millis(Utc::now());
        insert_job(&mut self.db.acquire().await?.conn(), job, now).await
    }

    /// Enqueues a job already leased by `owner` until now + `lease` (its
    /// first run starts at once, in the caller), in one statement: no
    /// worker can lease it in between. `None` when a job with its key
    /// exists (then [`JobStore::by_key`] and [`JobStore::claim`] it).
    pub async fn enqueue_claimed(
        &self,
        job: &NewJob,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<Job>, StoreError> {
        let now = db_now(&self.db);
        let sql = format!(
            "INSERT INTO jobs (kind, request_id, dedupe_key, payload, status, attempts, max_attempts, \
             next_run_at, created_at, updated_at, lease_owner, lease_until) \
             VALUES ($1, $2, $3, $4, 'running', 1, $5, $6, {now}, {now}, $7, {now} + $8) \
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING {COLUMNS}"
        );
        let row: Option<JobRow> = self
            .db
            .fetch_optional(
                bind_new_job(Sql::from(sql), job)
                    .arg(owner)
                    .arg(duration_ms(lease)),
            )
            .await?;
        row.map(JobRow::into_job).transpose()
    }

    /// A job by id.
    pub async fn get(&self, id: i64) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row: Option<JobRow> = self.db.fetch_optional(Sql::from(sql).arg(id)).await?;
        row.map(JobRow::into_job).transpose()
    }

    /// A job by its unique key.
    pub async fn by_key(&self, key: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE dedupe_key = $1");
        let row: Option<JobRow> = self.db.fetch_optional(Sql::from(sql).arg(key)).await?;
        row.map(JobRow::into_job).transpose()
    }

    /// Every job of a request, oldest first, optionally of one kind.
    pub async fn for_request(
        &self,
        request_id: Uuid,
        kind: Option<JobKind>,
    ) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE request_id = $1 AND ($2 = '' OR kind = $2) ORDER BY id"
        );
        let kind = kind.map_or("", JobKind::as_str);
        let rows: Vec<JobRow> = self
            .db
            .fetch_all(Sql::from(sql).arg(request_id.to_string()).arg(kind))
            .await?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    /// The finished runs of a job, in order.
    pub async fn attempts_of(&self, job_id: i64) -> Result<Vec<JobAttemptRow>, StoreError> {
        self.db
            .fetch_all(
                Sql::new(
                    "SELECT attempt, worker, started_at, finished_at, outcome, http_status, error \
             FROM job_attempts WHERE job_id = $1 ORDER BY id",
                )
                .arg(job_id),
            )
            .await
    }

    /// Leases the oldest due job for `owner` until now + `lease`.
    pub async fn lease_next(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<Job>, StoreError> {
        let lease_ms = duration_ms(lease);
        let now = db_now(&self.db);
        // Due, and (callbacks) no earlier callback of the same request still
        // in flight: a request's callbacks are delivered in order.
        let due = format!(
            "SELECT j.id FROM jobs j WHERE \
             ((j.status = 'pending' AND j.next_run_at <= {now}) OR (j.status = 'running' AND j.lease_until < {now})) \
             AND NOT (j.kind = 'callback' AND EXISTS (SELECT 1 FROM jobs e WHERE e.request_id = j.request_id \
             AND e.kind = 'callback' AND e.id < j.id AND e.status IN ('pending', 'running'))) \
             ORDER BY j.next_run_at, j.id LIMIT 1"
        );
        let set = format!(
            "UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = {now} + $2, \
             attempts = attempts + 1, updated_at = {now}"
        );
        let skip_locked = self.db.dialect().skip_locked;
        let sql = Sql::from(format!(
            "{set} WHERE id = ({due}{skip_locked}) RETURNING {COLUMNS}"
        ))
        .arg(owner)
        .arg(lease_ms);
        // One writer at a time (SQLite): the read-then-write statement takes
        // the write lock first.
        let row: Option<JobRow> = if self.db.dialect().single_writer {
            let mut tx = self.db.begin().await?;
            let row = tx.conn().fetch_optional(sql).await?;
            tx.commit().await?;
            row
        } else {
            self.db.fetch_optional(sql).await?
        };
        row.map(JobRow::into_job).transpose()
    }

    /// Leases one particular job now, whatever its schedule, unless another
    /// worker holds an unexpired lease on it or it is done. A `failed` job is
    /// revived (an operator asked for it). `None` when it cannot be taken.
    pub async fn claim(
        &self,
        id: i64,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<Job>, StoreError> {
        let now = db_now(&self.db);
        let sql = format!(
            "UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = {now} + $2, \
             attempts = attempts + 1, updated_at = {now}, finished_at = NULL \
             WHERE id = $3 AND (status IN ('pending', 'failed') OR (status = 'running' AND lease_until < {now})) \
             RETURNING {COLUMNS}"
        );
        let row: Option<JobRow> = self
            .db
            .fetch_optional(Sql::from(sql).arg(owner).arg(duration_ms(lease)).arg(id))
            .await?;
        row.map(JobRow::into_job).transpose()
    }

    /// Replaces the payload of a job `owner` still holds (durably, before the
    /// work it describes starts); `false` if the lease was lost.
    pub async fn set_payload(
        &self,
        id: i64,
        owner: &str,
        payload: &serde_json::Value,
    ) -> Result<bool, StoreError> {
        self.db
            .execute(
                Sql::new(
                    "UPDATE jobs SET payload = $1 WHERE id = $2 AND lease_owner = \
 $3 AND status = 'running'",
                )
                .arg(payload.to_string())
                .arg(id)
                .arg(owner),
            )
            .await
            .map(|n| n == 1)
    }

    /// Extends a lease still held by `owner`; `false` if it was lost.
    pub async fn heartbeat(
        &self,
        id: i64,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE jobs SET lease_until = {} + $1 WHERE id = $2 AND lease_owner = $3 AND status = 'running'",
            db_now(&self.db)
        );
        self.db
            .execute(Sql::from(sql).arg(duration_ms(lease)).arg(id).arg(owner))
            .await
            .map(|n| n == 1)
    }

    /// The queue by kind and status: how many jobs and the attempts they
    /// spent (the metrics endpoint samples it at each scrape).
    pub async fn queue_counts(&self) -> Result<Vec<JobQueueCount>, StoreError> {
        self.db
            .fetch_all(Sql::new(
                "SELECT kind, status, COUNT(*) AS jobs, \
                 CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS attempts \
                 FROM jobs GROUP BY kind, status",
            ))
            .await
    }

    /// Counts jobs per status (for logs and tests).
    pub async fn count(&self, status: JobStatus) -> Result<i64, StoreError> {
        self.db
            .scalar(Sql::new("SELECT COUNT(*) FROM jobs WHERE status = $1").arg(status.as_str()))
            .await
    }
}
