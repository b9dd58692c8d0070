//! Entry points for the HTTP layer: ordering now through the durable job,
//! and whether an order is in flight.

use super::{order, order_key, order_outcome_unknown_since, Fulfilment, FulfilmentError};
use super::{JobKind, JobStatus, NewJob};
use crate::{NumberRequestView, StoreError};
use chrono::Utc;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::RequestStatus;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// How often a call waiting for another process's run of an order job
/// reads the job again (a run of this process wakes it at once).
const OTHER_PROCESS_POLL: Duration = Duration::from_millis(25);

impl Fulfilment {
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
        let owner = format!(
            "{}/api/{}",
            self.inner.process,
            &Uuid::new_v4().simple().to_string()[..8]
        );
        let lease = self.inner.settings.lease;
        let new_job = NewJob {
            kind: JobKind::Order,
            request_id: Some(request),
            dedupe_key: key.clone(),
            payload: json!({"attempt": attempt}),
            max_attempts: Some(self.inner.settings.max_attempts),
            run_at: Utc::now(),
        };
        // Usually the job is new: created already leased to this call. If
        // the consumer (or an earlier call) created it, claim it.
        let (job_id, claimed) =
            match self
                .inner
                .jobs
                .enqueue_claimed(&new_job, &owner, lease)
                .await?
            {
                Some(job) => (job.id, Some(job)),
                None => {
                    let job =
                        self.inner.jobs.by_key(&key).await?.ok_or_else(|| {
                            FulfilmentError::Invalid(format!("job {key} vanished"))
                        })?;
                    (job.id, self.inner.jobs.claim(job.id, &owner, lease).await?)
                }
            };
        if let Some(claimed) = claimed {
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
            // The request as the run's last command left it, when it has it.
            let (result, view) = match result {
                Ok(view) => (Ok(()), view),
                Err(error) => (Err(error), None),
            };
            let outcome = self.outcome_of(&claimed, &result);
            self.record(&claimed, &owner, started, &outcome).await?;
            result?;
            return match view {
                Some(view) => Ok(view),
                None => self.view(request).await,
            };
        }
        // A worker holds it (or it is done): wait for its run to end. A
        // worker of this process signals when it records the run; one of
        // another process is seen by reading the job again.
        let deadline = tokio::time::Instant::now() + lease.min(Duration::from_secs(30));
        loop {
            let finished = self.inner.finished.notified();
            tokio::pin!(finished);
            // Registered before the read, so a run recorded after it wakes us.
            finished.as_mut().enable();
            let current = self
                .inner
                .jobs
                .get(job_id)
                .await?
                .ok_or_else(|| FulfilmentError::Invalid(format!("job {key} vanished")))?;
            match current.status {
                JobStatus::Done => return self.view(request).await,
                JobStatus::Running if tokio::time::Instant::now() < deadline => {
                    let _ = tokio::time::timeout(OTHER_PROCESS_POLL, finished).await;
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

    /// Why a request must not be cancelled now: an order of it is being
    /// placed (its order job runs), or was posted with an outcome still
    /// unknown. `None` when no order is in flight.
    pub async fn order_in_flight(&self, request: Uuid) -> Result<Option<String>, StoreError> {
        let jobs = self
            .inner
            .jobs
            .for_request(request, Some(JobKind::Order))
            .await?;
        Ok(jobs.iter().find_map(|job| {
            if let Some(since) = order_outcome_unknown_since(job) {
                return Some(format!(
                    "an order of this request was sent to the carrier at {since} and its outcome is not known yet; try again once it is settled"
                ));
            }
            (job.status == JobStatus::Running)
                .then(|| "an order of this request is being placed; try again shortly".to_owned())
        }))
    }
}
