//! Carrier webhooks: stored with their job in one transaction before they
//! are acknowledged. One whose order names no request of ours is stored as
//! unmatched (see [`super::unmatched`]) instead of getting a job.

use super::job_store::insert_job;
use super::jobs::millis;
use super::unmatched::insert_unmatched;
use super::{request_of_reference, Fulfilment, JobKind, NewJob};
use crate::store::Sql;
use crate::StoreError;
use chrono::Utc;
use numberdesk_domain::ports::CarrierOrder;
use serde_json::json;

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

impl Fulfilment {
    /// Stores a verified webhook and the job applying it, in one transaction
    /// (dedupe on the event id), so it is durable before it is acknowledged.
    pub async fn store_webhook(
        &self,
        event: &InboundWebhook,
    ) -> Result<WebhookReceipt, StoreError> {
        let now = millis(Utc::now());
        // An order whose reference names no request of ours is kept for ops
        // (unmatched), not turned into a job that can only fail.
        let mut unmatched = None;
        let job = event.order.as_ref().and_then(|order| {
            let request = order
                .customer_reference
                .as_deref()
                .and_then(request_of_reference);
            if request.is_none() {
                unmatched = Some(match &order.customer_reference {
                    Some(reference) => {
                        format!("customer_reference {reference:?} names no request")
                    }
                    None => "the order carries no customer_reference".to_owned(),
                });
            }
            request.map(|request| NewJob {
                kind: JobKind::Webhook,
                request_id: Some(request),
                dedupe_key: format!("webhook:{}", event.event_id),
                payload: json!({"order": order, "event_id": event.event_id, "event_type": event.event_type, "occurred_at": event.occurred_at}),
                max_attempts: Some(self.inner.settings.max_attempts),
                run_at: Utc::now(),
            })
        });
        let mut tx = self.db().begin().await?;
        let mut conn = tx.conn();
        let inserted = conn
            .execute(
                Sql::new(
                    "INSERT INTO carrier_webhook_events (event_id, event_type, occurred_at, received_at, \
                     carrier_order_id, customer_reference, body) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (event_id) DO NOTHING",
                )
                .arg(&event.event_id)
                .arg(&event.event_type)
                .arg(&event.occurred_at)
                .arg(now)
                .arg(event.order.as_ref().map(|o| o.id.clone()))
                .arg(event.order.as_ref().and_then(|o| o.customer_reference.clone()))
                .arg(&event.body),
            )
            .await?
            == 1;
        if inserted {
            if let Some(job) = &job {
                insert_job(&mut conn, job, now).await?;
            }
            if let Some(reason) = &unmatched {
                tracing::warn!(event = %event.event_id, %reason, "signed carrier webhook matches no request; stored as unmatched");
                insert_unmatched(&mut conn, &event.event_id, reason).await?;
            }
        }
        tx.commit().await?;
        if inserted {
            self.wake();
            Ok(WebhookReceipt::Stored)
        } else {
            Ok(WebhookReceipt::Duplicate)
        }
    }

    /// How many webhook events are stored (for tests and diagnostics).
    pub async fn webhook_event_count(&self) -> Result<i64, StoreError> {
        self.db()
            .scalar("SELECT COUNT(*) FROM carrier_webhook_events")
            .await
    }
}
