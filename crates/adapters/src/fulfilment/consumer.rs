//! The checkpointed event consumer: turns committed events into jobs, in the
//! transaction that moves its checkpoint.

use super::job_store::insert_job;
use super::jobs::millis;
use super::{order_key, Fulfilment};
use super::{JobKind, NewJob};
use crate::fold::fold;
use crate::store::Sql;
use crate::{RecordedEvent, StoreError};
use chrono::Utc;
use numberdesk_domain::{NumberRequestEvent, RequestStatus};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Events read per consumer transaction.
const CONSUMER_BATCH: i64 = 200;

impl Fulfilment {
    async fn checkpoint(&self) -> Result<i64, StoreError> {
        self.db()
            .scalar("SELECT position FROM projection_checkpoints WHERE name = 'fulfilment'")
            .await
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
            let mut tx = self.db().begin().await?;
            let mut conn = tx.conn();
            let moved = conn
                .execute(
                    Sql::new(
                        "UPDATE projection_checkpoints SET position = $1 \
                         WHERE name = 'fulfilment' AND position = $2",
                    )
                    .arg(last)
                    .arg(after),
                )
                .await?;
            if moved == 1 {
                for job in &new_jobs {
                    if insert_job(&mut conn, job, now).await? {
                        enqueued += 1;
                    }
                }
                tx.commit().await?;
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
            let first_new = jobs.len();
            match event.decode()? {
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
                NumberRequestEvent::ReleaseRequested { phone_number, .. } => {
                    jobs.push(super::release::release_job(
                        settings,
                        request,
                        &phone_number,
                        now,
                    ));
                }
                _ => {}
            }
            // A status change of a request with a callback URL, or a
            // number of it released.
            let released = event.event_type == "NumberReleased";
            let after = fold(&history[..upto])?.map(|p| p.request);
            let before = fold(&history[..upto.saturating_sub(1)])?.map(|p| p.request);
            if let (Some(after), Some(before)) = (after, before) {
                if after.status != before.status || released {
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
            // Work caused by this event carries its correlation (and the
            // HTTP request id it arrived with, for the job's span) and points
            // back at it.
            for job in &mut jobs[first_new..] {
                if let Some(payload) = job.payload.as_object_mut() {
                    payload.insert("correlation_id".into(), json!(event.correlation_id));
                    if let Some(request_id) = &event.request_http_id {
                        payload.insert("request_id".into(), json!(request_id));
                    }
                    payload.insert("caused_by".into(), json!(event.position));
                }
            }
        }
        Ok(jobs)
    }
}
