//! One lifecycle of the baseline: four commands, each loaded, appended and
//! projected as the event store and the projector do it.

use super::{Template, AGGREGATE_TYPE};
use serde_json::Value;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The upsert of `write_projection`, with text parameters cast to the column types.
fn upsert_sql(columns: &[(String, String)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| format!("${}::{ty}", i + 1))
        .collect();
    let updates: Vec<String> = names[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO number_requests ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
        names.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

/// Prepared pieces of the baseline, shared by every client.
pub struct Raw {
    pub(super) pool: PgPool,
    pub(super) template: Template,
    pub(super) upsert: String,
}

/// The request's status after each command of a lifecycle.
pub(super) const STATUS_AFTER: [&str; 4] = ["submitted", "assigned", "ordered", "provisioned"];

impl Raw {
    pub fn new(pool: PgPool, template: Template) -> Arc<Raw> {
        let upsert = upsert_sql(&template.columns);
        Arc::new(Raw {
            pool,
            template,
            upsert,
        })
    }

    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.template.columns.iter().position(|(n, _)| n == name)
    }

    /// One lifecycle: four commands. Returns each command's latency.
    pub async fn lifecycle(&self) -> Result<Vec<Duration>, String> {
        self.lifecycle_inner().await.map_err(|e| {
            format!(
                "sql: {}",
                e.to_string().chars().take(80).collect::<String>()
            )
        })
    }

    async fn lifecycle_inner(&self) -> anyhow::Result<Vec<Duration>> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let mut calls = Vec::with_capacity(4);
        let mut number = 0;
        for step in 0..4 {
            let t = Instant::now();
            if step == 0 {
                number = sqlx::query_scalar::<_, i64>("SELECT nextval('request_number_seq')")
                    .fetch_one(&self.pool)
                    .await?;
            }
            self.command(&uuid, number, step).await?;
            calls.push(t.elapsed());
        }
        Ok(calls)
    }

    async fn command(&self, uuid: &str, number: i64, step: usize) -> anyhow::Result<()> {
        let event = &self.template.events[step];
        // Load: snapshot, then the events after it (postgres-es).
        sqlx::query(
            "\nSELECT aggregate_type, aggregate_id, last_sequence, current_snapshot, payload\n  FROM snapshots\n  WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(AGGREGATE_TYPE)
        .bind(uuid)
        .fetch_optional(&self.pool)
        .await?;
        sqlx::query(
            "\nSELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata\n  FROM events\n  WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > 0\n  ORDER BY sequence",
        )
        .bind(AGGREGATE_TYPE)
        .bind(uuid)
        .fetch_all(&self.pool)
        .await?;
        // Append: the template's payload under this request's id and number.
        let mut payload: Value = serde_json::from_str(&event.payload)?;
        if let Some(submitted) = payload.get_mut("submitted") {
            submitted["id"] = Value::from(uuid);
            submitted["number"] = Value::from(number);
        }
        let metadata: Value = serde_json::from_str(&event.metadata)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "\nINSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)\nVALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(AGGREGATE_TYPE)
        .bind(uuid)
        .bind((step + 1) as i32)
        .bind(&event.event_type)
        .bind(&event.event_version)
        .bind(&payload)
        .bind(&metadata)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.project().await?;
        // Read the view back (read-your-writes).
        sqlx::query("SELECT * FROM number_requests WHERE uuid = $1")
            .bind(uuid::Uuid::parse_str(uuid)?)
            .fetch_optional(&self.pool)
            .await?;
        Ok(())
    }
}
