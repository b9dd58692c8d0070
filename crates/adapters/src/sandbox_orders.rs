//! [`SqlSandboxOrders`]: the sandbox carrier's orders in the service's own
//! database (tables `sandbox_orders` and `sandbox_taken_numbers`), on
//! PostgreSQL and SQLite alike, so they survive a restart of the server.

use crate::store::{Database, Sql};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use numberdesk_domain::ports::{
    SandboxOrder, SandboxOrderNumber, SandboxOrderStore, SandboxOutcome, SandboxPlacement,
    SandboxStoreError,
};
use numberdesk_domain::values::PhoneNumber;

/// The sandbox's [`SandboxOrderStore`] on a [`Database`].
#[derive(Debug, Clone)]
pub struct SqlSandboxOrders {
    db: Database,
}

impl SqlSandboxOrders {
    /// The store on `db` (migrated: its tables exist).
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_reference: String,
    placed_at: i64,
    numbers: String,
}

const COLUMNS: &str = "id, customer_reference, placed_at, numbers";

fn failed(error: impl std::fmt::Display) -> SandboxStoreError {
    SandboxStoreError(error.to_string())
}

impl TryFrom<Row> for SandboxOrder {
    type Error = SandboxStoreError;
    fn try_from(row: Row) -> Result<Self, Self::Error> {
        let numbers: Vec<SandboxOrderNumber> = serde_json::from_str(&row.numbers)
            .map_err(|e| failed(format!("stored numbers of {}: {e}", row.id)))?;
        let placed_at = DateTime::<Utc>::from_timestamp_millis(row.placed_at)
            .ok_or_else(|| failed(format!("stored placed_at of {}", row.id)))?;
        Ok(SandboxOrder {
            id: row.id,
            customer_reference: row.customer_reference,
            placed_at,
            numbers,
        })
    }
}

impl SqlSandboxOrders {
    async fn one(&self, sql: Sql) -> Result<Option<SandboxOrder>, SandboxStoreError> {
        let row: Option<Row> = self.db.fetch_optional(sql).await.map_err(failed)?;
        row.map(SandboxOrder::try_from).transpose()
    }

    async fn insert(&self, order: &SandboxOrder) -> Result<SandboxPlacement, StoreError> {
        let numbers = serde_json::to_string(&order.numbers)
            .map_err(|e| StoreError::Internal(e.to_string().into()))?;
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        let inserted = conn
            .execute(
                Sql::new(&format!(
                    "INSERT INTO sandbox_orders ({COLUMNS}) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (customer_reference) DO NOTHING"
                ))
                .arg(&order.id)
                .arg(&order.customer_reference)
                .arg(order.placed_at.timestamp_millis())
                .arg(numbers),
            )
            .await?;
        if inserted == 0 {
            // Placed first by another call: the caller gets that one.
            drop(tx);
            return Ok(SandboxPlacement::Existing(order.clone()));
        }
        for number in order
            .numbers
            .iter()
            .filter(|n| n.outcome != SandboxOutcome::Fail)
        {
            let held = conn
                .execute(
                    Sql::new(
                        "INSERT INTO sandbox_taken_numbers (phone_number, order_id) \
                         VALUES ($1, $2) ON CONFLICT (phone_number) DO NOTHING",
                    )
                    .arg(number.phone_number.as_str())
                    .arg(&order.id),
                )
                .await?;
            if held == 0 {
                // Rolled back on drop: nothing of this order is stored.
                return Ok(SandboxPlacement::Taken(number.phone_number.clone()));
            }
        }
        tx.commit().await?;
        Ok(SandboxPlacement::Placed)
    }
}

#[async_trait]
impl SandboxOrderStore for SqlSandboxOrders {
    async fn place(&self, order: &SandboxOrder) -> Result<SandboxPlacement, SandboxStoreError> {
        match self.insert(order).await.map_err(failed)? {
            SandboxPlacement::Existing(_) => self
                .order_by_reference(&order.customer_reference)
                .await?
                .map(SandboxPlacement::Existing)
                .ok_or_else(|| {
                    failed(format!(
                        "the order with reference {} vanished",
                        order.customer_reference
                    ))
                }),
            placement => Ok(placement),
        }
    }

    async fn order(&self, id: &str) -> Result<Option<SandboxOrder>, SandboxStoreError> {
        self.one(
            Sql::new(&format!(
                "SELECT {COLUMNS} FROM sandbox_orders WHERE id = $1"
            ))
            .arg(id),
        )
        .await
    }

    async fn order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<SandboxOrder>, SandboxStoreError> {
        self.one(
            Sql::new(&format!(
                "SELECT {COLUMNS} FROM sandbox_orders WHERE customer_reference = $1"
            ))
            .arg(customer_reference),
        )
        .await
    }

    async fn taken(&self, numbers: &[PhoneNumber]) -> Result<Vec<PhoneNumber>, SandboxStoreError> {
        let mut taken = Vec::new();
        // A statement per few hundred numbers keeps within every backend's
        // parameter limit.
        for chunk in numbers.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut sql = Sql::new(&format!(
                "SELECT phone_number FROM sandbox_taken_numbers WHERE phone_number IN ({})",
                placeholders.join(", ")
            ));
            for number in chunk {
                sql = sql.arg(number.as_str());
            }
            let rows: Vec<(String,)> = self.db.fetch_all(sql).await.map_err(failed)?;
            taken.extend(
                rows.into_iter()
                    .filter_map(|(n,)| PhoneNumber::parse(&n).ok()),
            );
        }
        Ok(taken)
    }
}
