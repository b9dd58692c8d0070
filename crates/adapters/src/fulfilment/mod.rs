//! Fulfilment: the process manager that turns requests into carrier orders,
//! carrier outcomes into events, and status changes into customer callbacks,
//! through durable jobs in the database.
//!
//! * A checkpointed **event consumer** ([`Fulfilment::consume_events`]) reads
//!   the log after its checkpoint and enqueues one job per unit of work, with
//!   a unique key, in the same transaction that moves the checkpoint
//!   (compare-and-set, so several processes may run it): `Submitted` (with
//!   auto-fulfilment) → `auto_assign`; `Assigned` → `order:{request}:{attempt}`;
//!   `Ordered` still pending → `poll:{request}:{attempt}`; every status change
//!   of a request with a `callback_url` → `callback:{request}:{position}`.
//! * **Workers** ([`Fulfilment::run`]) lease due jobs ([`jobs`]), run them
//!   with a heartbeat that extends the lease, and record the outcome: done,
//!   retry with exponential backoff up to a limit, or failed (with the error
//!   visible). A worker that dies leaves a lease that expires, and the job is
//!   taken over (the run counts as an attempt).
//! * The **order job** never pays twice: the lease serialises work on one
//!   attempt (the `orderNumbers` mutation claims the same job through
//!   [`Fulfilment::order_now`]), and before placing an order it asks the
//!   carrier for an order with the attempt's `customer_reference`.
//! * **Webhooks** are stored with their job in one transaction
//!   ([`Fulfilment::store_webhook`]) before they are acknowledged.
//! * **Callbacks** ([`callbacks`]) are signed with a per-account secret and
//!   refused when the URL resolves to a non-public address.

pub mod callbacks;
pub mod jobs;
mod order;

pub use callbacks::{sign_callback, verify_callback, CallbackSecrets, SIGNATURE_HEADER};
pub use jobs::{Job, JobAttemptRow, JobKind, JobStatus, JobStore, NewJob, RunOutcome};
pub use order::{customer_reference, order_outcome_unknown_since, request_of_reference};

use crate::fold::{decode, fold};
use crate::{CommandError, Database, NumberDesk, NumberRequestView, RecordedEvent, StoreError};
use chrono::Utc;
use jobs::{insert_job, millis};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{CarrierOrder, NumberProvider, ProviderError};
use numberdesk_domain::{NumberRequestError, NumberRequestEvent, RequestStatus};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use uuid::Uuid;

/// The actor of automatic work.
pub const SYSTEM_ACTOR: &str = "system";

/// Events read per consumer transaction.
const CONSUMER_BATCH: i64 = 200;

/// How fulfilment behaves; every field has a documented default.
#[derive(Debug, Clone)]
pub struct FulfilmentSettings {
    /// Submitted requests are assigned to `system` and ordered at once.
    /// Default off.
    pub auto_fulfilment: bool,
    /// Worker loops in this process (0 = this process runs no background
    /// fulfilment; the `orderNumbers` mutation still works). Default 2.
    pub workers: usize,
    /// How often idle workers look for due jobs and new events. Default 1 s.
    pub idle_poll: Duration,
    /// How long a leased job stays with its worker without a heartbeat.
    /// Default 60 s.
    pub lease: Duration,
    /// Runs of an order / assign / webhook job before it gives up. Default 10.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt. Default 2 s.
    pub backoff_base: Duration,
    /// Longest retry delay. Default 10 min.
    pub backoff_max: Duration,
    /// An order still pending this long after `Ordered` is read from the
    /// carrier (and again, with backoff, while it stays pending). Default 60 s.
    pub poll_pending_after: Duration,
    /// After an order post whose outcome is unknown (timeout, 5xx, reset),
    /// how long the order is only looked up by reference, with backoff,
    /// before its absence counts as established and it is placed again.
    /// Default 5 min.
    pub order_reconcile_window: Duration,
    /// Delivery attempts of one callback before it gives up. Default 8.
    pub callback_max_attempts: u32,
    /// Timeout of one callback delivery. Default 10 s.
    pub callback_timeout: Duration,
    /// Allow callback URLs resolving to loopback / private / link-local /
    /// unique-local addresses. Default off.
    pub allow_private_callbacks: bool,
}

impl Default for FulfilmentSettings {
    fn default() -> Self {
        Self {
            auto_fulfilment: false,
            workers: 2,
            idle_poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            max_attempts: 10,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            poll_pending_after: Duration::from_secs(60),
            order_reconcile_window: Duration::from_secs(300),
            callback_max_attempts: 8,
            callback_timeout: Duration::from_secs(10),
            allow_private_callbacks: false,
        }
    }
}

impl FulfilmentSettings {
    /// The delay before run `attempt + 1`: `backoff_base · 2^(attempt-1)`,
    /// capped at `backoff_max`, plus up to 20 % jitter.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let base = self
            .backoff_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.backoff_max);
        let jitter = base.mul_f64(rand::random::<f64>() * 0.2);
        base + jitter
    }
}

/// Renders the callback body (the REST `numberRequest` envelope) of a
/// request; injected by the HTTP layer, which owns that shape.
pub type CallbackRenderer = Arc<dyn Fn(&NumberRequestView) -> Result<String, String> + Send + Sync>;

/// A JSON `{"success": true, "numberRequest": <view>}` body, for embedders
/// without the REST layer.
pub fn default_renderer() -> CallbackRenderer {
    Arc::new(|view: &NumberRequestView| {
        serde_json::to_string(&json!({"success": true, "numberRequest": view}))
            .map_err(|e| e.to_string())
    })
}

/// Why fulfilment work failed.
#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command was refused or failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The carrier failed or refused.
    #[error(transparent)]
    Carrier(#[from] ProviderError),
    /// The carrier offers fewer numbers than wanted.
    #[error("the carrier offers {offered} of the {wanted} numbers asked for; change the area or quantity")]
    NotEnoughNumbers {
        /// Offered.
        offered: usize,
        /// Wanted.
        wanted: usize,
    },
    /// Stored data is not what the domain accepts (a bug).
    #[error("invalid stored data: {0}")]
    Invalid(String),
    /// The request is not in a state this work applies to.
    #[error("cannot order a request that is {0}")]
    NotAssigned(RequestStatus),
    /// Another worker holds the job and did not finish in time, or its last
    /// run failed.
    #[error("{0}")]
    JobNotFinished(String),
    /// Retried until attempts ran out; nothing was bought.
    #[error("{0}")]
    GaveUp(String),
    /// An order was posted and its outcome is unknown (timeout, 5xx, reset,
    /// or the carrier cannot be asked): it is only looked up by reference,
    /// never posted again, until it is found or `until` has passed.
    #[error("order outcome unknown since {since}: {why}; looking it up by reference until {until} before ordering again")]
    OrderOutcomeUnknown {
        /// When the order was posted.
        since: chrono::DateTime<Utc>,
        /// Until when only lookups are made.
        until: chrono::DateTime<Utc>,
        /// What is known.
        why: String,
    },
}

impl FulfilmentError {
    /// Whether running the same job later may succeed.
    fn is_retryable(&self) -> bool {
        match self {
            FulfilmentError::Store(_) | FulfilmentError::NotEnoughNumbers { .. } => true,
            FulfilmentError::Command(CommandError::Store(_)) => true,
            FulfilmentError::Command(CommandError::Domain(_)) => false,
            FulfilmentError::Carrier(e) => e.is_retryable() || *e == ProviderError::NotFound,
            FulfilmentError::Invalid(_)
            | FulfilmentError::NotAssigned(_)
            | FulfilmentError::GaveUp(_) => false,
            FulfilmentError::JobNotFinished(_) | FulfilmentError::OrderOutcomeUnknown { .. } => {
                true
            }
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            FulfilmentError::Carrier(ProviderError::RateLimited { retry_after }) => *retry_after,
            _ => None,
        }
    }
}

impl From<NumberRequestError> for FulfilmentError {
    fn from(error: NumberRequestError) -> Self {
        FulfilmentError::Command(CommandError::Domain(error))
    }
}

/// A verified carrier webhook, ready to be stored.
#[derive(Debug, Clone)]
pub struct InboundWebhook {
    /// `data.id`, the dedupe key.
    pub event_id: String,
    /// `data.event_type`.
    pub event_type: String,
    /// `data.occurred_at` (RFC 3339).
    pub occurred_at: String,
    /// The order it reports, mapped to the domain; `None` for events that
    /// are only acknowledged.
    pub order: Option<CarrierOrder>,
    /// The raw body.
    pub body: String,
}

/// What storing a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookReceipt {
    /// New event: stored (with its job, if it reports an order).
    Stored,
    /// Seen before: nothing changed.
    Duplicate,
}

struct Inner {
    desk: NumberDesk,
    jobs: JobStore,
    secrets: CallbackSecrets,
    provider: Arc<dyn NumberProvider>,
    settings: FulfilmentSettings,
    renderer: CallbackRenderer,
    wake: Notify,
    process: String,
}

/// The fulfilment process manager; cheap to clone.
#[derive(Clone)]
pub struct Fulfilment {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fulfilment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fulfilment")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl Fulfilment {
    /// Fulfilment on the desk's database with this carrier.
    pub fn new(
        desk: NumberDesk,
        provider: Arc<dyn NumberProvider>,
        settings: FulfilmentSettings,
        renderer: CallbackRenderer,
    ) -> Self {
        let db = desk.database().clone();
        let process = format!(
            "{}-{}",
            std::process::id(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        Self {
            inner: Arc::new(Inner {
                desk,
                jobs: JobStore::new(db.clone()),
                secrets: CallbackSecrets::new(db),
                provider,
                settings,
                renderer,
                wake: Notify::new(),
                process,
            }),
        }
    }

    /// The jobs table.
    pub fn jobs(&self) -> &JobStore {
        &self.inner.jobs
    }

    /// The callback secrets.
    pub fn secrets(&self) -> &CallbackSecrets {
        &self.inner.secrets
    }

    /// The settings.
    pub fn settings(&self) -> &FulfilmentSettings {
        &self.inner.settings
    }

    /// The carrier.
    pub fn provider(&self) -> &Arc<dyn NumberProvider> {
        &self.inner.provider
    }

    /// Wakes idle workers (new jobs or events).
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
    }

    fn db(&self) -> &Database {
        self.inner.desk.database()
    }

    // ----- the event consumer ---------------------------------------------

    async fn checkpoint(&self) -> Result<i64, StoreError> {
        Ok(
            jobs::on_pool!(self.db(), pool => sqlx::query_scalar::<_, i64>(
            "SELECT position FROM projection_checkpoints WHERE name = 'fulfilment'")
            .fetch_one(pool)
            .await)?,
        )
    }

    /// Turns every event committed since the consumer's checkpoint into
    /// jobs; returns how many jobs it enqueued. Safe to run in several
    /// processes at once: jobs are unique per key and the checkpoint moves by
    /// compare-and-set in the jobs' transaction.
    pub async fn consume_events(&self) -> Result<u64, StoreError> {
        let mut enqueued = 0;
        loop {
            let after = self.checkpoint().await?;
            let events = self.inner.desk.events_after(after, CONSUMER_BATCH).await?;
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(enqueued);
            };
            let new_jobs = self.jobs_for(&events).await?;
            let now = millis(Utc::now());
            macro_rules! commit {
                ($tx:expr) => {{
                    let mut tx = $tx;
                    let moved = sqlx::query(
                        "UPDATE projection_checkpoints SET position = $1 WHERE name = 'fulfilment' AND position = $2",
                    )
                    .bind(last)
                    .bind(after)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if moved == 1 {
                        for job in &new_jobs {
                            if insert_job!(&mut *tx, job, now)? {
                                enqueued += 1;
                            }
                        }
                        tx.commit().await?;
                    }
                }};
            }
            match self.db() {
                Database::Postgres(pool) => commit!(pool.begin().await?),
                Database::Sqlite(pool) => commit!(pool.begin_with("BEGIN IMMEDIATE").await?),
            }
            if enqueued > 0 {
                self.wake();
            }
        }
    }

    async fn jobs_for(&self, events: &[RecordedEvent]) -> Result<Vec<NewJob>, StoreError> {
        let settings = &self.inner.settings;
        let mut histories: BTreeMap<Uuid, Vec<RecordedEvent>> = BTreeMap::new();
        let mut jobs = Vec::new();
        for event in events {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                histories.entry(event.request_id)
            {
                slot.insert(self.inner.desk.history(event.request_id).await?);
            }
            let Some(history) = histories.get(&event.request_id) else {
                continue;
            };
            let upto = history
                .iter()
                .position(|e| e.position == event.position)
                .map_or(history.len(), |i| i + 1);
            let request = event.request_id;
            let now = Utc::now();
            match decode(event)? {
                NumberRequestEvent::Submitted(_) if settings.auto_fulfilment => {
                    jobs.push(NewJob {
                        kind: JobKind::AutoAssign,
                        request_id: Some(request),
                        dedupe_key: format!("auto_assign:{request}"),
                        payload: json!({}),
                        max_attempts: Some(settings.max_attempts),
                        run_at: now,
                    });
                }
                NumberRequestEvent::Assigned { attempt, .. } => jobs.push(NewJob {
                    kind: JobKind::Order,
                    request_id: Some(request),
                    dedupe_key: order_key(request, attempt),
                    payload: json!({"attempt": attempt}),
                    max_attempts: Some(settings.max_attempts),
                    run_at: now,
                }),
                NumberRequestEvent::Ordered { attempt, .. } => {
                    let latest = fold(history)?.map(|p| p.request);
                    let still_pending = latest.is_some_and(|v| {
                        v.status == RequestStatus::Ordered && v.attempt == i64::from(attempt)
                    });
                    if still_pending {
                        jobs.push(NewJob {
                            kind: JobKind::Poll,
                            request_id: Some(request),
                            dedupe_key: format!("poll:{request}:{attempt}"),
                            payload: json!({"attempt": attempt}),
                            max_attempts: None,
                            run_at: now + settings.poll_pending_after,
                        });
                    }
                }
                _ => {}
            }
            // A status change of a request with a callback URL.
            let after = fold(&history[..upto])?.map(|p| p.request);
            let before = fold(&history[..upto.saturating_sub(1)])?.map(|p| p.request);
            if let (Some(after), Some(before)) = (after, before) {
                if after.status != before.status {
                    if let Some(url) = after.callback_url.clone() {
                        match (self.inner.renderer)(&after) {
                            Ok(body) => jobs.push(NewJob {
                                kind: JobKind::Callback,
                                request_id: Some(request),
                                dedupe_key: format!("callback:{request}:{}", event.position),
                                payload: json!({
                                    "url": url,
                                    "account_id": after.account_id,
                                    "status": after.status.as_str(),
                                    "body": body,
                                }),
                                max_attempts: Some(settings.callback_max_attempts),
                                run_at: now,
                            }),
                            Err(error) => {
                                tracing::error!(%request, %error, "cannot render a callback body")
                            }
                        }
                    }
                }
            }
        }
        Ok(jobs)
    }

    // ----- workers ----------------------------------------------------------

    /// Runs the event consumer and `settings.workers` worker loops until
    /// `stop` turns true; each loop finishes its current job first. `commits`
    /// (bumped after local commits) wakes the consumer early.
    pub async fn run(&self, stop: watch::Receiver<bool>, commits: Option<watch::Receiver<u64>>) {
        let workers = self.inner.settings.workers;
        if workers == 0 {
            return;
        }
        tracing::info!(workers, "fulfilment workers started");
        let consumer = self.consumer_loop(stop.clone(), commits);
        let loops =
            futures::future::join_all((0..workers).map(|i| self.worker_loop(i, stop.clone())));
        futures::future::join(consumer, loops).await;
        tracing::info!("fulfilment workers stopped");
    }

    async fn idle(&self, stop: &mut watch::Receiver<bool>) {
        tokio::select! {
            _ = tokio::time::sleep(self.inner.settings.idle_poll) => {}
            _ = self.inner.wake.notified() => {}
            _ = stop.changed() => {}
        }
    }

    async fn consumer_loop(
        &self,
        mut stop: watch::Receiver<bool>,
        mut commits: Option<watch::Receiver<u64>>,
    ) {
        loop {
            if *stop.borrow() {
                return;
            }
            if let Err(error) = self.consume_events().await {
                tracing::warn!(%error, "fulfilment consumer failed; retrying");
            }
            match commits.as_mut() {
                Some(commits) => tokio::select! {
                    _ = tokio::time::sleep(self.inner.settings.idle_poll) => {}
                    _ = commits.changed() => {}
                    _ = stop.changed() => {}
                },
                None => self.idle(&mut stop).await,
            }
        }
    }

    async fn worker_loop(&self, index: usize, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.run_next(index).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "fulfilment worker cannot lease jobs"),
            }
            self.idle(&mut stop).await;
        }
    }

    fn owner(&self, index: usize) -> String {
        format!(
            "{}/w{index}/{}",
            self.inner.process,
            &Uuid::new_v4().simple().to_string()[..8]
        )
    }

    /// Leases and runs one due job; `false` when none was due.
    pub async fn run_next(&self, index: usize) -> Result<bool, StoreError> {
        let owner = self.owner(index);
        let Some(job) = self
            .inner
            .jobs
            .lease_next(&owner, self.inner.settings.lease)
            .await?
        else {
            return Ok(false);
        };
        let mut meta = CommandMetadata::new(SYSTEM_ACTOR);
        meta.causation_id = Some(format!("job:{}", job.id));
        self.run_leased(&job, &owner, &meta).await?;
        Ok(true)
    }

    /// Runs `work` while extending `job`'s lease every third of the lease.
    async fn with_heartbeat<T>(
        &self,
        job: &Job,
        owner: &str,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let lease = self.inner.settings.lease;
        let heartbeat = async {
            loop {
                tokio::time::sleep(lease / 3).await;
                match self.inner.jobs.heartbeat(job.id, owner, lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = job.id, "lease lost while running"),
                    Err(error) => tracing::warn!(job = job.id, %error, "cannot extend a lease"),
                }
            }
        };
        tokio::pin!(work);
        tokio::pin!(heartbeat);
        loop {
            tokio::select! {
                biased;
                result = &mut work => return result,
                () = &mut heartbeat => {}
            }
        }
    }

    /// Runs a job this process leased, extending the lease while it runs, and
    /// records the outcome.
    async fn run_leased(
        &self,
        job: &Job,
        owner: &str,
        meta: &CommandMetadata,
    ) -> Result<RunOutcome, StoreError> {
        let started = Utc::now();
        let outcome = self
            .with_heartbeat(job, owner, self.execute(job, owner, meta))
            .await;
        self.record(job, owner, started, &outcome).await?;
        Ok(outcome)
    }

    async fn record(
        &self,
        job: &Job,
        owner: &str,
        started: chrono::DateTime<Utc>,
        outcome: &RunOutcome,
    ) -> Result<(), StoreError> {
        match outcome {
            RunOutcome::Done { .. } => {
                tracing::info!(job = job.id, kind = job.kind.as_str(), "job done")
            }
            RunOutcome::Retry { error, after, .. } => {
                tracing::warn!(job = job.id, kind = job.kind.as_str(), attempt = job.attempts, %error, retry_in_ms = after.as_millis() as u64, "job failed; will retry")
            }
            RunOutcome::Later { .. } => {}
            RunOutcome::Failed { error, .. } => {
                tracing::error!(job = job.id, kind = job.kind.as_str(), %error, "job failed for good")
            }
        }
        if !self.inner.jobs.finish(job, owner, started, outcome).await? {
            tracing::warn!(job = job.id, "lease was lost; the outcome was not recorded");
        }
        Ok(())
    }

    fn outcome_of(&self, job: &Job, result: &Result<(), FulfilmentError>) -> RunOutcome {
        match result {
            Ok(()) => RunOutcome::Done { http_status: None },
            // Never counts as a failure: look again soon, and right after the
            // window ends.
            Err(error @ FulfilmentError::OrderOutcomeUnknown { until, .. }) => {
                let left = (*until - Utc::now()).to_std().unwrap_or_default();
                RunOutcome::Later {
                    after: self
                        .inner
                        .settings
                        .backoff(job.attempts)
                        .min(left + Duration::from_millis(10)),
                    note: Some(error.to_string()),
                }
            }
            Err(error) if error.is_retryable() => RunOutcome::Retry {
                after: error
                    .retry_after()
                    .unwrap_or_else(|| self.inner.settings.backoff(job.attempts)),
                error: error.to_string(),
                http_status: None,
            },
            Err(error) => RunOutcome::Failed {
                error: error.to_string(),
                http_status: None,
            },
        }
    }

    async fn execute(&self, job: &Job, owner: &str, meta: &CommandMetadata) -> RunOutcome {
        let Some(request) = job.request_id else {
            return RunOutcome::Failed {
                error: "job without a request".into(),
                http_status: None,
            };
        };
        // Pick up events other processes committed before reading views.
        if let Err(error) = self.inner.desk.catch_up().await {
            return self.outcome_of(job, &Err(error.into()));
        }
        let attempt = job
            .payload
            .get("attempt")
            .and_then(serde_json::Value::as_u64)
            .and_then(|a| u32::try_from(a).ok())
            .unwrap_or(1);
        match job.kind {
            JobKind::AutoAssign => {
                let result = order::auto_assign(&self.inner.desk, request, meta).await;
                self.outcome_of(job, &result)
            }
            JobKind::Order => {
                let result = order::run_order(
                    &self.inner.desk,
                    self.inner.provider.as_ref(),
                    &self.order_job(job, owner),
                    request,
                    attempt,
                    meta,
                )
                .await;
                self.outcome_of(job, &result)
            }
            JobKind::Poll => {
                match order::run_poll(
                    &self.inner.desk,
                    self.inner.provider.as_ref(),
                    request,
                    attempt,
                    meta,
                )
                .await
                {
                    Ok(true) => RunOutcome::Done { http_status: None },
                    Ok(false) => RunOutcome::Later {
                        after: self.poll_delay(job.attempts),
                        note: Some("the carrier still reports the order pending".into()),
                    },
                    Err(error) => self.outcome_of(job, &Err(error)),
                }
            }
            JobKind::Webhook => {
                let order: Result<CarrierOrder, _> = job
                    .payload
                    .get("order")
                    .cloned()
                    .map(serde_json::from_value)
                    .unwrap_or_else(|| Err(serde::de::Error::custom("missing order")));
                let result = match order {
                    Ok(order) => {
                        order::apply_webhook(
                            &self.inner.desk,
                            self.inner.provider.as_ref(),
                            request,
                            &order,
                            meta,
                        )
                        .await
                    }
                    Err(error) => Err(FulfilmentError::Invalid(format!(
                        "webhook job payload: {error}"
                    ))),
                };
                self.outcome_of(job, &result)
            }
            JobKind::Callback => callbacks::deliver(self, job).await,
        }
    }

    fn order_job<'a>(&'a self, job: &'a Job, owner: &'a str) -> order::OrderJob<'a> {
        order::OrderJob {
            jobs: &self.inner.jobs,
            job,
            owner,
            window: self.inner.settings.order_reconcile_window,
            max_attempts: job.max_attempts,
        }
    }

    fn poll_delay(&self, polls: i64) -> Duration {
        let exponent = u32::try_from(polls.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.inner
            .settings
            .poll_pending_after
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(Duration::from_secs(3600))
    }

    // ----- entry points for the HTTP layer ------------------------------------

    /// Orders an assigned request now, in the caller's task, through the same
    /// durable job the workers run (created if the consumer has not yet):
    /// the job is claimed (leased) first, so this never races a worker. If a
    /// worker holds it, waits for that run to end. Returns the request.
    pub async fn order_now(
        &self,
        request: Uuid,
        meta: &CommandMetadata,
    ) -> Result<NumberRequestView, FulfilmentError> {
        let view = self.view(request).await?;
        if view.status != RequestStatus::Assigned {
            return Err(FulfilmentError::NotAssigned(view.status));
        }
        let attempt = u32::try_from(view.attempt).unwrap_or(1);
        let key = order_key(request, attempt);
        self.inner
            .jobs
            .enqueue(&NewJob {
                kind: JobKind::Order,
                request_id: Some(request),
                dedupe_key: key.clone(),
                payload: json!({"attempt": attempt}),
                max_attempts: Some(self.inner.settings.max_attempts),
                run_at: Utc::now(),
            })
            .await?;
        let job = self
            .inner
            .jobs
            .by_key(&key)
            .await?
            .ok_or_else(|| FulfilmentError::Invalid(format!("job {key} vanished")))?;
        let owner = format!(
            "{}/api/{}",
            self.inner.process,
            &Uuid::new_v4().simple().to_string()[..8]
        );
        if let Some(claimed) = self
            .inner
            .jobs
            .claim(job.id, &owner, self.inner.settings.lease)
            .await?
        {
            let mut meta = meta.clone();
            meta.causation_id = Some(format!("job:{}", claimed.id));
            let started = Utc::now();
            let result = self
                .with_heartbeat(
                    &claimed,
                    &owner,
                    order::run_order(
                        &self.inner.desk,
                        self.inner.provider.as_ref(),
                        &self.order_job(&claimed, &owner),
                        request,
                        attempt,
                        &meta,
                    ),
                )
                .await;
            let outcome = self.outcome_of(&claimed, &result);
            self.record(&claimed, &owner, started, &outcome).await?;
            result?;
            return self.view(request).await;
        }
        // A worker holds it (or it is done): wait for its run to end.
        let deadline =
            tokio::time::Instant::now() + self.inner.settings.lease.min(Duration::from_secs(30));
        loop {
            let current = self
                .inner
                .jobs
                .get(job.id)
                .await?
                .ok_or_else(|| FulfilmentError::Invalid(format!("job {key} vanished")))?;
            match current.status {
                JobStatus::Done => return self.view(request).await,
                JobStatus::Running if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                JobStatus::Running => {
                    return Err(FulfilmentError::JobNotFinished(
                        "another worker is ordering this request; try again shortly".into(),
                    ))
                }
                JobStatus::Pending | JobStatus::Failed => {
                    // Its run ended without success; claim it ourselves.
                    return Box::pin(self.order_now(request, meta)).await;
                }
            }
        }
    }

    async fn view(&self, request: Uuid) -> Result<NumberRequestView, FulfilmentError> {
        self.inner
            .desk
            .request(request)
            .await?
            .ok_or(FulfilmentError::Command(CommandError::Domain(
                NumberRequestError::NotFound,
            )))
    }

    /// Stores a verified webhook and the job applying it, in one transaction
    /// (dedupe on the event id), so it is durable before it is acknowledged.
    pub async fn store_webhook(
        &self,
        event: &InboundWebhook,
    ) -> Result<WebhookReceipt, StoreError> {
        let now = millis(Utc::now());
        let job = event.order.as_ref().map(|order| NewJob {
            kind: JobKind::Webhook,
            request_id: order
                .customer_reference
                .as_deref()
                .and_then(request_of_reference),
            dedupe_key: format!("webhook:{}", event.event_id),
            payload: json!({"order": order, "event_type": event.event_type, "occurred_at": event.occurred_at}),
            max_attempts: Some(self.inner.settings.max_attempts),
            run_at: Utc::now(),
        });
        macro_rules! store {
            ($tx:expr) => {{
                let mut tx = $tx;
                let inserted = sqlx::query(
                    "INSERT INTO carrier_webhook_events (event_id, event_type, occurred_at, received_at, \
                     carrier_order_id, customer_reference, body) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (event_id) DO NOTHING",
                )
                .bind(&event.event_id)
                .bind(&event.event_type)
                .bind(&event.occurred_at)
                .bind(now)
                .bind(event.order.as_ref().map(|o| o.id.clone()))
                .bind(event.order.as_ref().and_then(|o| o.customer_reference.clone()))
                .bind(&event.body)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if inserted {
                    if let Some(job) = &job {
                        insert_job!(&mut *tx, job, now)?;
                    }
                }
                tx.commit().await?;
                inserted
            }};
        }
        let inserted = match self.db() {
            Database::Postgres(pool) => store!(pool.begin().await?),
            Database::Sqlite(pool) => store!(pool.begin_with("BEGIN IMMEDIATE").await?),
        };
        if inserted {
            self.wake();
            Ok(WebhookReceipt::Stored)
        } else {
            Ok(WebhookReceipt::Duplicate)
        }
    }

    /// How many webhook events are stored (for tests and diagnostics).
    pub async fn webhook_event_count(&self) -> Result<i64, StoreError> {
        Ok(
            jobs::on_pool!(self.db(), pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM carrier_webhook_events")
            .fetch_one(pool)
            .await)?,
        )
    }
}

fn order_key(request: Uuid, attempt: u32) -> String {
    format!("order:{request}:{attempt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let settings = FulfilmentSettings {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..FulfilmentSettings::default()
        };
        for (attempt, base) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let delay = settings.backoff(attempt);
            let base = Duration::from_millis(base);
            assert!(
                delay >= base && delay <= base.mul_f64(1.2),
                "{attempt}: {delay:?}"
            );
        }
    }
}
