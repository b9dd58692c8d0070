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

use crate::{Database, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use std::time::Duration;
use uuid::Uuid;

/// Runs the same sqlx expression on whichever pool the database has (the
/// SQL here is portable: `$n` placeholders work on both backends).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Database::Postgres($pool) => $body,
            Database::Sqlite($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

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

    fn parse(text: &str) -> Result<JobStatus, StoreError> {
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

/// The database's clock in epoch milliseconds, as SQL: leases are taken,
/// renewed and judged expired on it, so servers whose clocks disagree still
/// never hold one job at once.
fn db_now(db: &Database) -> &'static str {
    match db {
        Database::Postgres(_) => "(EXTRACT(EPOCH FROM now()) * 1000)::BIGINT",
        Database::Sqlite(_) => "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

const COLUMNS: &str = "id, kind, request_id, dedupe_key, payload, status, attempts, max_attempts, \
     next_run_at, last_error, last_http_status, lease_owner, lease_until, created_at, updated_at, finished_at";

#[derive(sqlx::FromRow)]
struct JobRow {
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
    fn into_job(self) -> Result<Job, StoreError> {
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

/// The jobs table on the service's database.
#[derive(Debug, Clone)]
pub struct JobStore {
    db: Database,
}

/// Inserts a job unless one with its key exists, on any executor.
macro_rules! insert_job {
    ($executor:expr, $job:expr, $now:expr) => {{
        let job: &NewJob = $job;
        sqlx::query(
            "INSERT INTO jobs (kind, request_id, dedupe_key, payload, status, attempts, max_attempts, \
             next_run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7, $7) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(job.kind.as_str())
        .bind(job.request_id.map(|id| id.to_string()))
        .bind(&job.dedupe_key)
        .bind(job.payload.to_string())
        .bind(job.max_attempts.map(i64::from))
        .bind(millis(job.run_at))
        .bind($now)
        .execute($executor)
        .await
        .map(|r| r.rows_affected() == 1)
    }};
}
pub(crate) use insert_job;

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
        Ok(on_pool!(&self.db, pool => insert_job!(pool, job, now))?)
    }

    /// A job by id.
    pub async fn get(&self, id: i64) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row: Option<JobRow> =
            on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        row.map(JobRow::into_job).transpose()
    }

    /// A job by its unique key.
    pub async fn by_key(&self, key: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE dedupe_key = $1");
        let row: Option<JobRow> =
            on_pool!(&self.db, pool => sqlx::query_as(&sql).bind(key).fetch_optional(pool).await)?;
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
        let rows: Vec<JobRow> = on_pool!(&self.db, pool => sqlx::query_as(&sql)
            .bind(request_id.to_string())
            .bind(kind)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    /// The finished runs of a job, in order.
    pub async fn attempts_of(&self, job_id: i64) -> Result<Vec<JobAttemptRow>, StoreError> {
        Ok(on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT attempt, worker, started_at, finished_at, outcome, http_status, error \
             FROM job_attempts WHERE job_id = $1 ORDER BY id")
            .bind(job_id)
            .fetch_all(pool)
            .await)?)
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
        let row: Option<JobRow> = match &self.db {
            Database::Postgres(pool) => {
                let sql = format!(
                    "{set} WHERE id = ({due} FOR UPDATE OF j SKIP LOCKED) RETURNING {COLUMNS}"
                );
                sqlx::query_as(&sql)
                    .bind(owner)
                    .bind(lease_ms)
                    .fetch_optional(pool)
                    .await?
            }
            Database::Sqlite(pool) => {
                let sql = format!("{set} WHERE id = ({due}) RETURNING {COLUMNS}");
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let row = sqlx::query_as(&sql)
                    .bind(owner)
                    .bind(lease_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                row
            }
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
        let row: Option<JobRow> = on_pool!(&self.db, pool => sqlx::query_as(&sql)
            .bind(owner)
            .bind(duration_ms(lease))
            .bind(id)
            .fetch_optional(pool)
            .await)?;
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
        Ok(on_pool!(&self.db, pool => sqlx::query(
            "UPDATE jobs SET payload = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'running'")
            .bind(payload.to_string())
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))?)
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
        Ok(on_pool!(&self.db, pool => sqlx::query(&sql)
            .bind(duration_ms(lease))
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))?)
    }

    /// Records how a leased run ended and schedules what follows; `false`
    /// when the lease was lost (another worker owns the job now).
    pub async fn finish(
        &self,
        job: &Job,
        owner: &str,
        started: DateTime<Utc>,
        outcome: &RunOutcome,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let now_ms = millis(now);
        let exhausted = job.max_attempts.is_some_and(|max| job.attempts >= max);
        let (status, next_run_at, error, http_status, attempt_outcome) = match outcome {
            RunOutcome::Done { http_status } => ("done", 0, None, *http_status, "ok"),
            RunOutcome::Retry {
                error,
                after,
                http_status,
            } => {
                if exhausted {
                    let error = format!("{error} (gave up after {} attempts)", job.attempts);
                    ("failed", 0, Some(error), *http_status, "failed")
                } else {
                    (
                        "pending",
                        duration_ms(*after),
                        Some(error.clone()),
                        *http_status,
                        "retry",
                    )
                }
            }
            RunOutcome::Later { after, note } => {
                ("pending", duration_ms(*after), note.clone(), None, "later")
            }
            RunOutcome::Failed { error, http_status } => {
                ("failed", 0, Some(error.clone()), *http_status, "failed")
            }
        };
        let finished = matches!(status, "done" | "failed");
        // Scheduled, stamped and released on the database's clock, like leases.
        let update = format!(
            "UPDATE jobs SET status = $1, next_run_at = {now} + $2, \
             last_error = CASE WHEN $3 THEN last_error ELSE $4 END, \
             last_http_status = COALESCE($5, last_http_status), lease_owner = NULL, lease_until = NULL, \
             updated_at = {now}, finished_at = CASE WHEN $6 THEN {now} ELSE NULL END \
             WHERE id = $7 AND lease_owner = $8",
            now = db_now(&self.db)
        );
        let http_status = http_status.map(i64::from);
        let keep_error = matches!(outcome, RunOutcome::Done { .. });
        macro_rules! write {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let updated = sqlx::query(&update)
                .bind(status)
                .bind(next_run_at)
                .bind(keep_error)
                .bind(&error)
                .bind(http_status)
                .bind(finished)
                .bind(job.id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 1 && !matches!(outcome, RunOutcome::Later { .. }) {
                    sqlx::query(
                        "INSERT INTO job_attempts (job_id, attempt, worker, started_at, finished_at, outcome, http_status, error) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(job.id)
                    .bind(job.attempts)
                    .bind(owner)
                    .bind(millis(started))
                    .bind(now_ms)
                    .bind(attempt_outcome)
                    .bind(http_status)
                    .bind(&error)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                updated == 1
            }};
        }
        Ok(match &self.db {
            Database::Postgres(pool) => write!(pool),
            Database::Sqlite(pool) => write!(pool),
        })
    }

    /// Counts jobs per status (for logs and tests).
    pub async fn count(&self, status: JobStatus) -> Result<i64, StoreError> {
        Ok(on_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(pool)
            .await)?)
    }
}
