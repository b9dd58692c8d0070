//! Fulfilment in GraphQL: a request's durable jobs (attempts, next run,
//! last error) and its customer callback deliveries.

use super::context::{OpsOnly, Scope};
use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters::fulfilment::{
    order_outcome_unknown_since, Job, JobAttemptRow, JobKind, JobStatus, JobStore,
};
use numberdesk_application::ApiError;

/// Where a job stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "JobStatus")]
pub enum JobState {
    /// Waiting for its next run.
    Pending,
    /// A worker runs it now.
    Running,
    /// Finished.
    Done,
    /// Gave up or was refused; `lastError` says why.
    Failed,
}

impl From<JobStatus> for JobState {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Pending => JobState::Pending,
            JobStatus::Running => JobState::Running,
            JobStatus::Done => JobState::Done,
            JobStatus::Failed => JobState::Failed,
        }
    }
}

/// One finished run of a job.
#[derive(SimpleObject, Clone, Debug)]
pub struct JobRun {
    /// Which run (1-based).
    pub attempt: i64,
    /// The worker (process/loop/lease) that ran it.
    pub worker: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// `ok`, `retry` or `failed`.
    pub outcome: String,
    /// HTTP status answered (callbacks).
    pub http_status: Option<i64>,
    /// The error, if it failed.
    pub error: Option<String>,
}

impl From<JobAttemptRow> for JobRun {
    fn from(row: JobAttemptRow) -> Self {
        Self {
            attempt: row.attempt,
            worker: row.worker.clone(),
            started_at: row.started(),
            finished_at: row.finished(),
            outcome: row.outcome,
            http_status: row.http_status,
            error: row.error,
        }
    }
}

/// A durable unit of fulfilment work.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "FulfilmentJob")]
pub struct JobObject {
    /// Its id.
    pub id: ID,
    /// `auto_assign`, `order`, `poll`, `webhook` or `callback`.
    pub kind: String,
    /// Its unique key (e.g. `order:{request}:{attempt}`).
    pub key: String,
    /// Where it stands.
    pub status: JobState,
    /// Runs started so far (a run whose worker died counts).
    pub attempts: i64,
    /// The most runs it gets; null = unlimited.
    pub max_attempts: Option<i64>,
    /// When it runs next (while pending).
    pub next_run_at: Option<DateTime<Utc>>,
    /// Why its last run failed, or why it waits (e.g. an order whose
    /// outcome is unknown is being looked up by reference).
    pub last_error: Option<String>,
    /// Order jobs: when an order was posted whose outcome is still unknown
    /// (timeout, 5xx). While set, the order is only looked up by reference,
    /// never posted again, until found or the reconcile window has passed.
    pub order_outcome_unknown_since: Option<DateTime<Utc>>,
    /// The HTTP status of its last delivery (callbacks).
    pub last_http_status: Option<i64>,
    /// The worker holding its lease.
    pub lease_owner: Option<String>,
    /// Until when.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Every finished run, oldest first.
    pub runs: Vec<JobRun>,
}

/// One status callback to the customer's `callback_url`.
#[derive(SimpleObject, Clone, Debug)]
pub struct CallbackDelivery {
    /// The job's id.
    pub id: ID,
    /// Where it is POSTed.
    pub url: String,
    /// The request status it reports (`assigned`, `ordered`, ...).
    pub request_status: String,
    /// Delivery state: DONE once answered 2xx, FAILED when given up or refused.
    pub status: JobState,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The most attempts it gets.
    pub max_attempts: Option<i64>,
    /// HTTP status of the last attempt.
    pub last_http_status: Option<i64>,
    /// Error of the last failed attempt (or why it was refused).
    pub last_error: Option<String>,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub runs: Vec<JobRun>,
}

async fn runs(jobs: &JobStore, job: &Job) -> Result<Vec<JobRun>, ApiError> {
    Ok(jobs
        .attempts_of(job.id)
        .await?
        .into_iter()
        .map(JobRun::from)
        .collect())
}

fn pending_at(job: &Job) -> Option<DateTime<Utc>> {
    (job.status == JobStatus::Pending).then_some(job.next_run_at)
}

/// Fulfilment reads, merged into the root `Query`.
#[derive(Default)]
pub struct FulfilmentQuery;

#[Object]
impl FulfilmentQuery {
    /// The fulfilment jobs of a request, oldest first. Ops only.
    #[graphql(guard = "OpsOnly(\"see fulfilment jobs\")")]
    #[tracing::instrument(skip_all, fields(request_id = %request_id.as_str()), err(Debug, level = "info"))]
    async fn jobs(&self, ctx: &Context<'_>, request_id: ID) -> Result<Vec<JobObject>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let Some(view) = scope.request(&request_id, "id").await? else {
            return Err(ApiError::NotFound("number request not found".into()).into());
        };
        let store = state.fulfilment.jobs();
        let mut out = Vec::new();
        for job in store
            .for_request(view.uuid, None)
            .await
            .map_err(ApiError::from)?
        {
            out.push(JobObject {
                id: ID(job.id.to_string()),
                kind: job.kind.as_str().to_owned(),
                key: job.dedupe_key.clone(),
                status: job.status.into(),
                attempts: job.attempts,
                max_attempts: job.max_attempts,
                next_run_at: pending_at(&job),
                last_error: job.last_error.clone(),
                order_outcome_unknown_since: order_outcome_unknown_since(&job),
                last_http_status: job.last_http_status,
                lease_owner: job.lease_owner.clone(),
                lease_until: job.lease_until,
                created_at: job.created_at,
                finished_at: job.finished_at,
                runs: runs(store, &job).await?,
            });
        }
        Ok(out)
    }

    /// The status callbacks of a request (yours, or any for ops), oldest first.
    #[tracing::instrument(skip_all, fields(request_id = %request_id.as_str()), err(Debug, level = "info"))]
    async fn callback_deliveries(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> Result<Vec<CallbackDelivery>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let Some(view) = scope.request(&request_id, "id").await? else {
            return Err(ApiError::NotFound("number request not found".into()).into());
        };
        let store = state.fulfilment.jobs();
        let text = |job: &Job, field: &str| {
            job.payload
                .get(field)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut out = Vec::new();
        for job in store
            .for_request(view.uuid, Some(JobKind::Callback))
            .await
            .map_err(ApiError::from)?
        {
            out.push(CallbackDelivery {
                id: ID(job.id.to_string()),
                url: text(&job, "url"),
                request_status: text(&job, "status"),
                status: job.status.into(),
                attempts: job.attempts,
                max_attempts: job.max_attempts,
                last_http_status: job.last_http_status,
                last_error: job.last_error.clone(),
                next_attempt_at: pending_at(&job),
                finished_at: job.finished_at,
                runs: runs(store, &job).await?,
            });
        }
        Ok(out)
    }
}
