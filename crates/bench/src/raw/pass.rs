//! The baseline's projector pass: the statements the catch-up projector
//! runs for one batch.

use super::lifecycle::STATUS_AFTER;
use super::{Raw, AGGREGATE_TYPE, EVENT_COLUMNS, PHONE_COLUMNS};
use serde_json::Value;
use sqlx::Row;

impl Raw {
    /// One projector pass, as `project_batch` runs it.
    pub(super) async fn project(&self) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let after: i64 = sqlx::query_scalar(
            "SELECT position FROM projection_checkpoints WHERE name = 'views' FOR UPDATE",
        )
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT position, aggregate_type, aggregate_id, organization_id FROM events \
             WHERE position > $1 ORDER BY position LIMIT $2",
        )
        .bind(after)
        .bind(500_i64)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            tx.commit().await?;
            return Ok(());
        };
        let mut touched: Vec<&str> = Vec::new();
        let mut per_organization: std::collections::BTreeMap<i64, i64> = Default::default();
        for (_, _, id, organization) in &rows {
            if !touched.contains(&id.as_str()) {
                touched.push(id);
            }
            if let Some(organization) = organization {
                *per_organization.entry(*organization).or_default() += 1;
            }
        }
        for id in touched {
            let history = sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                 AND position <= $3 ORDER BY sequence"
            ))
            .bind(AGGREGATE_TYPE)
            .bind(id)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
            let Some(first) = history.first() else {
                continue;
            };
            // The fold, reduced to what the row needs.
            let payload: Value = first.try_get("payload")?;
            let number = payload["submitted"]["number"].as_i64().unwrap_or_default();
            let steps = history.len().min(4);
            let provisioned_position: i64 = history
                .last()
                .map(|r| r.try_get("position"))
                .transpose()?
                .unwrap_or_default();
            let mut values = self.template.view.clone();
            let mut set = |name: &str, value: Option<String>| {
                if let Some(i) = self.column(name) {
                    values[i] = value;
                }
            };
            set("id", Some(number.to_string()));
            set("uuid", Some(id.to_owned()));
            set("status", Some(STATUS_AFTER[steps - 1].to_owned()));
            set("version", Some(steps.to_string()));
            set(
                "provisioned_number_id",
                (steps == 4).then(|| provisioned_position.to_string()),
            );
            let previous: Option<String> =
                sqlx::query_scalar("SELECT status FROM number_requests WHERE id = $1")
                    .bind(number)
                    .fetch_optional(&mut *tx)
                    .await?;
            let mut query = sqlx::query(&self.upsert);
            for value in &values {
                query = query.bind(value.as_deref());
            }
            query.execute(&mut *tx).await?;
            // request_counts, as `move_count` keeps it.
            let organization: i64 = first.try_get("organization_id").unwrap_or_default();
            let status = STATUS_AFTER[steps - 1];
            if previous.as_deref() != Some(status) {
                if let Some(previous) = &previous {
                    sqlx::query(
                        "UPDATE request_counts SET n = n - 1 WHERE organization_id = $1 AND status = $2",
                    )
                    .bind(organization)
                    .bind(previous)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO request_counts (organization_id, status, n) VALUES ($1, $2, 1) \
                     ON CONFLICT (organization_id, status) DO UPDATE SET n = request_counts.n + 1",
                )
                .bind(organization)
                .bind(status)
                .execute(&mut *tx)
                .await?;
            }
            let request = uuid::Uuid::parse_str(id)?;
            sqlx::query("DELETE FROM phone_numbers WHERE request_id = $1")
                .bind(request)
                .execute(&mut *tx)
                .await?;
            if let (4, Some((phone, order))) = (steps, &self.template.phone) {
                let account = self
                    .column("account_id")
                    .and_then(|i| values[i].as_deref())
                    .and_then(|text| uuid::Uuid::parse_str(text).ok())
                    .unwrap_or(request);
                sqlx::query(&format!(
                    "INSERT INTO phone_numbers ({PHONE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ))
                .bind(provisioned_position)
                .bind(phone)
                .bind(organization)
                .bind(account)
                .bind(request)
                .bind(number)
                .bind(order)
                .bind("provisioned")
                .bind(chrono_now())
                .execute(&mut *tx)
                .await?;
            }
        }
        for (organization, n) in per_organization {
            sqlx::query(
                "INSERT INTO event_counts (organization_id, n) VALUES ($1, $2) \
                 ON CONFLICT (organization_id) DO UPDATE SET n = event_counts.n + excluded.n",
            )
            .bind(organization)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE name = 'views'")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn chrono_now() -> sqlx::types::chrono::DateTime<sqlx::types::chrono::Utc> {
    sqlx::types::chrono::Utc::now()
}
