//! Recording how a leased run of a job ended: the job's next state and the
//! run's row in `job_attempts`, both or neither, and only while the caller
//! still holds the lease.

use super::job_store::{db_now, duration_ms, JobStore};
use super::jobs::{millis, Job, RunOutcome};
use crate::store::Sql;
use crate::StoreError;
use chrono::{DateTime, Utc};

impl JobStore {
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
            now = db_now(self.database())
        );
        let http_status = http_status.map(i64::from);
        let keep_error = matches!(outcome, RunOutcome::Done { .. });
        // $1–$8: the job's new state, if `owner` still holds it.
        let update = Sql::from(update)
            .arg(status)
            .arg(next_run_at)
            .arg(keep_error)
            .arg(&error)
            .arg(http_status)
            .arg(finished)
            .arg(job.id)
            .arg(owner);
        // A run that ended (not one put off) is recorded in `job_attempts`.
        let record_run = !matches!(outcome, RunOutcome::Later { .. });
        if self.database().dialect().writable_ctes {
            // One round trip: the update and, if it took, the run's record.
            let mut sql = update
                .arg(job.attempts)
                .arg(millis(started))
                .arg(now_ms)
                .arg(attempt_outcome)
                .arg(record_run);
            sql.text = format!(
                "WITH u AS ({} RETURNING id), a AS (INSERT INTO job_attempts \
                 (job_id, attempt, worker, started_at, finished_at, outcome, http_status, error) \
                 SELECT id, $9, $8, $10, $11, $12, $5, $4 FROM u WHERE $13) SELECT COUNT(*) FROM u",
                sql.text
            );
            let updated: i64 = self.database().scalar(sql).await?;
            return Ok(updated == 1);
        }
        let mut tx = self.database().begin().await?;
        let mut conn = tx.conn();
        let updated = conn.execute(update).await?;
        if updated == 1 && record_run {
            conn.execute(
                Sql::new(
                    "INSERT INTO job_attempts (job_id, attempt, worker, started_at, finished_at, outcome, http_status, error) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .arg(job.id)
                .arg(job.attempts)
                .arg(owner)
                .arg(millis(started))
                .arg(now_ms)
                .arg(attempt_outcome)
                .arg(http_status)
                .arg(&error),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }
}
