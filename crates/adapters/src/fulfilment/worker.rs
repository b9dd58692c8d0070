//! Workers: loops that lease due jobs, run them with a heartbeat, and
//! record their outcome.

use super::{callbacks, order, Fulfilment, FulfilmentError, SYSTEM_ACTOR};
use super::{Job, JobKind, RunOutcome};
use crate::{CommandError, StoreError};
use chrono::Utc;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{CarrierOrder, ProviderError};
use numberdesk_domain::NumberRequestError;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

impl Fulfilment {
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
        let meta = job_metadata(&job);
        self.run_leased(&job, &owner, &meta).await?;
        Ok(true)
    }

    /// Runs a job this process leased, extending the lease while it runs, and
    /// records the outcome.
    #[tracing::instrument(skip_all, fields(job = job.id, kind = job.kind.as_str(), request = ?job.request_id, request_id = job.payload.get("request_id").and_then(serde_json::Value::as_str), correlation_id = %meta.correlation_id), err)]
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

    pub(super) async fn record(
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
        let recorded = self.inner.jobs.finish(job, owner, started, outcome).await;
        self.inner.finished.notify_waiters();
        if !recorded? {
            tracing::warn!(job = job.id, "lease was lost; the outcome was not recorded");
        }
        Ok(())
    }

    pub(super) fn outcome_of(&self, job: &Job, result: &Result<(), FulfilmentError>) -> RunOutcome {
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
            if job.kind == JobKind::Webhook {
                return self
                    .unmatched(job, "the order names no request".into())
                    .await;
            }
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
                .await
                .map(|_| ());
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
                    Err(FulfilmentError::Carrier(ProviderError::NotFound)) => {
                        self.order_not_found(job, owner, request, meta).await
                    }
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
                match result {
                    Err(FulfilmentError::Command(CommandError::Domain(
                        NumberRequestError::NotFound,
                    ))) => {
                        self.unmatched(job, format!("request {request} does not exist here"))
                            .await
                    }
                    result => self.outcome_of(job, &result),
                }
            }
            JobKind::Callback => callbacks::deliver(self, job).await,
            JobKind::Release => {
                let result = super::release::run_release(
                    &self.inner.desk,
                    self.inner.provider.as_ref(),
                    request,
                    job,
                    meta,
                )
                .await;
                self.outcome_of(job, &result)
            }
        }
    }

    /// A webhook job whose order matches no request: its event is stored as
    /// unmatched (listed for ops) and the job ends.
    async fn unmatched(&self, job: &Job, reason: String) -> RunOutcome {
        let event_id = job
            .payload
            .get("event_id")
            .and_then(serde_json::Value::as_str)
            .or_else(|| job.dedupe_key.strip_prefix("webhook:"))
            .unwrap_or_default()
            .to_owned();
        tracing::warn!(job = job.id, event = %event_id, %reason, "carrier webhook matches no request; stored as unmatched");
        match self.record_unmatched(&event_id, &reason).await {
            Ok(()) => RunOutcome::Done { http_status: None },
            Err(error) => RunOutcome::Retry {
                error: format!("cannot store the unmatched webhook: {error}"),
                after: self.inner.settings.backoff(job.attempts),
                http_status: None,
            },
        }
    }

    /// A poll read 404 for the recorded order: counted, and after
    /// [`order::ORDER_MISSING_AFTER`] answers recorded as `OrderMissing`.
    async fn order_not_found(
        &self,
        job: &Job,
        owner: &str,
        request: Uuid,
        meta: &CommandMetadata,
    ) -> RunOutcome {
        let counted = order::order_not_found(
            &self.inner.desk,
            &self.inner.jobs,
            job,
            owner,
            request,
            meta,
        )
        .await;
        match counted {
            Ok(order::NotFound::Settled) => RunOutcome::Done { http_status: None },
            Ok(order::NotFound::Counted) => RunOutcome::Retry {
                error: "the carrier does not find the recorded order (404); reading it again"
                    .into(),
                after: self.inner.settings.backoff(job.attempts),
                http_status: Some(404),
            },
            Err(error) => self.outcome_of(job, &Err(error)),
        }
    }

    pub(super) fn order_job<'a>(&'a self, job: &'a Job, owner: &'a str) -> order::OrderJob<'a> {
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
}

/// The metadata of a job's commands: the correlation id of the event that
/// caused the job and a causation id pointing at it (`event:{position}`);
/// jobs without a causing event (webhooks) say `job:{id}`.
fn job_metadata(job: &Job) -> CommandMetadata {
    let mut meta = CommandMetadata::new(SYSTEM_ACTOR);
    if let Some(correlation) = job
        .payload
        .get("correlation_id")
        .and_then(serde_json::Value::as_str)
        .and_then(|c| Uuid::parse_str(c).ok())
    {
        meta.correlation_id = correlation;
    }
    meta.causation_id = Some(
        match job
            .payload
            .get("caused_by")
            .and_then(serde_json::Value::as_i64)
        {
            Some(position) => format!("event:{position}"),
            None => format!("job:{}", job.id),
        },
    );
    meta
}
