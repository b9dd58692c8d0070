//! Signed carrier webhooks that match no order or request of ours: stored
//! (table `unmatched_carrier_webhooks`, next to the event itself) and
//! listed for ops, instead of ending as failed jobs.

use super::jobs::millis;
use super::Fulfilment;
use crate::keyset::{self, Order, Side};
use crate::model::{Page, PageRequest};
use crate::store::{Conn, Sql};
use crate::StoreError;
use chrono::Utc;

/// A signed webhook that matched no order or request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnmatchedWebhook {
    /// The listing's keyset cursor.
    pub id: i64,
    /// The carrier's event id (`data.id`).
    pub event_id: String,
    /// `data.event_type`.
    pub event_type: String,
    /// `data.occurred_at` (RFC 3339).
    pub occurred_at: String,
    /// When it was received (epoch ms).
    pub received_at: i64,
    /// The order it reports.
    pub carrier_order_id: Option<String>,
    /// The `customer_reference` it carries.
    pub customer_reference: Option<String>,
    /// Why it matched nothing.
    pub reason: String,
    /// The raw body, as signed.
    pub body: String,
}

const COLUMNS: &str = "u.id, e.event_id, e.event_type, e.occurred_at, e.received_at, \
     e.carrier_order_id, e.customer_reference, u.reason, e.body";

/// Records the stored event `event_id` as unmatched (once).
pub(super) async fn insert_unmatched(
    conn: &mut Conn<'_>,
    event_id: &str,
    reason: &str,
) -> Result<(), StoreError> {
    conn.execute(
        Sql::new(
            "INSERT INTO unmatched_carrier_webhooks (event_id, reason, recorded_at) \
             VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
        )
        .arg(event_id)
        .arg(reason)
        .arg(millis(Utc::now())),
    )
    .await?;
    Ok(())
}

impl Fulfilment {
    /// Records a stored webhook event as matching no request (its job found
    /// none).
    pub async fn record_unmatched(&self, event_id: &str, reason: &str) -> Result<(), StoreError> {
        let mut pooled = self.db().acquire().await?;
        let mut conn = pooled.conn();
        insert_unmatched(&mut conn, event_id, reason).await
    }

    /// Unmatched webhooks, oldest first, keyset on their id.
    pub async fn unmatched_webhooks(
        &self,
        page: &PageRequest,
    ) -> Result<Page<UnmatchedWebhook>, StoreError> {
        let db = self.db();
        let conditions = Sql::default();
        let mut beyond = [false, false];
        for (answer, side) in beyond.iter_mut().zip([Side::Previous, Side::Next]) {
            if let Some(filter) = keyset::beyond(&conditions, "id", Order::Ascending, page, side) {
                *answer = db
                    .scalar(Sql {
                        text: format!(
                            "SELECT EXISTS (SELECT 1 FROM unmatched_carrier_webhooks WHERE 1 = 1{})",
                            filter.text
                        ),
                        params: filter.params,
                    })
                    .await?;
            }
        }
        let total = if page.with_total {
            Some(
                db.scalar("SELECT COUNT(*) FROM unmatched_carrier_webhooks")
                    .await?,
            )
        } else {
            None
        };
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS} FROM unmatched_carrier_webhooks u \
             JOIN carrier_webhook_events e ON e.event_id = u.event_id WHERE 1 = 1"
        ));
        keyset::window(&mut sql, "u.id", Order::Ascending, page);
        let items: Vec<UnmatchedWebhook> = db.fetch_all(sql).await?;
        Ok(keyset::page_of(items, page, beyond[0], beyond[1], total))
    }
}
