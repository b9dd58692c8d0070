//! The raw-SQL baseline: per command, exactly the statements the event store
//! (postgres-es) and the catch-up projector (`crates/adapters/src/backend.rs`)
//! run, issued directly with sqlx on the same PostgreSQL, at the same
//! concurrency, with no HTTP, GraphQL, auth or domain code in between.
//!
//! It writes into a schema of its own, `bench_raw`, holding copies of the
//! event, snapshot, view and checkpoint tables (same columns, indexes,
//! generated columns and position trigger), so the server's log is never
//! touched. The SQL text is the server's, unqualified, run with
//! `search_path = bench_raw`.
//!
//! Per command: load the snapshot, load the events after it, `BEGIN; INSERT
//! event (trigger: advisory lock + position); COMMIT`, then one projector
//! pass (`BEGIN; SELECT checkpoint FOR UPDATE; SELECT new positions; SELECT
//! each touched request's events; read its previous status, upsert its view
//! row, move its `request_counts`; replace its phone rows; add the batch's
//! `event_counts`; UPDATE checkpoint; COMMIT`), then read the view back. A submit first
//! draws the request number from its sequence. A lifecycle is four commands:
//! Submitted, Assigned, Ordered, Provisioned, with payloads copied from a
//! real request the server wrote.

use anyhow::{bail, Context};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const EVENT_COLUMNS: &str = "position, aggregate_id, sequence, event_type, event_version, payload, metadata, organization_id, recorded_at";
const PHONE_COLUMNS: &str = "id, phone_number, organization_id, account_id, request_id, request_number, carrier_order_id, status, provisioned_at";
const AGGREGATE_TYPE: &str = "NumberRequest";

/// One event of the template request.
#[derive(Debug, Clone)]
struct TemplateEvent {
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
}

/// A real, provisioned request the server wrote, to copy from.
#[derive(Debug, Clone)]
pub struct Template {
    events: Vec<TemplateEvent>,
    /// `number_requests` columns and their SQL types, in table order.
    columns: Vec<(String, String)>,
    /// The view row as text per column (`None` = NULL).
    view: Vec<Option<String>>,
    phone: Option<(String, String)>,
}

/// Reads request `uuid`'s events and view rows from the server's database.
pub async fn template(pool: &PgPool, uuid: &str) -> anyhow::Result<Template> {
    let rows = sqlx::query(
        "SELECT event_type, event_version, payload::text AS payload, metadata::text AS metadata \
         FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
    )
    .bind(AGGREGATE_TYPE)
    .bind(uuid)
    .fetch_all(pool)
    .await?;
    let events: Vec<TemplateEvent> = rows
        .iter()
        .map(|r| TemplateEvent {
            event_type: r.get("event_type"),
            event_version: r.get("event_version"),
            payload: r.get("payload"),
            metadata: r.get("metadata"),
        })
        .collect();
    if events.len() < 4 {
        bail!(
            "template request {uuid} has {} events, want 4",
            events.len()
        );
    }
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = 'number_requests' ORDER BY ordinal_position",
    )
    .fetch_all(pool)
    .await?;
    let json: String = sqlx::query_scalar(
        "SELECT row_to_json(n)::text FROM number_requests n WHERE uuid = $1::uuid",
    )
    .bind(uuid)
    .fetch_one(pool)
    .await
    .context("the template request has no view row")?;
    let object: serde_json::Map<String, Value> = serde_json::from_str(&json)?;
    let view = columns
        .iter()
        .map(|(name, _)| match object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        })
        .collect();
    let phone: Option<(String, String)> = sqlx::query_as(
        "SELECT phone_number, carrier_order_id FROM phone_numbers WHERE request_id = $1::uuid LIMIT 1",
    )
    .bind(uuid)
    .fetch_optional(pool)
    .await?;
    Ok(Template {
        events,
        columns,
        view,
        phone,
    })
}

/// Creates (or recreates) the `bench_raw` schema and returns a pool whose
/// connections use it.
pub async fn prepare(database_url: &str, connections: u32) -> anyhow::Result<PgPool> {
    let admin = PgPool::connect(database_url).await?;
    let ddl = [
        "DROP SCHEMA IF EXISTS bench_raw CASCADE",
        "CREATE SCHEMA bench_raw",
        "CREATE TABLE bench_raw.events (LIKE public.events INCLUDING ALL)",
        "CREATE TABLE bench_raw.snapshots (LIKE public.snapshots INCLUDING ALL)",
        "CREATE TABLE bench_raw.number_requests (LIKE public.number_requests INCLUDING ALL)",
        "CREATE TABLE bench_raw.phone_numbers (LIKE public.phone_numbers INCLUDING ALL)",
        "ALTER TABLE bench_raw.phone_numbers ADD FOREIGN KEY (request_id) REFERENCES bench_raw.number_requests (uuid) ON DELETE CASCADE",
        "CREATE TABLE bench_raw.request_counts (LIKE public.request_counts INCLUDING ALL)",
        "CREATE TABLE bench_raw.event_counts (LIKE public.event_counts INCLUDING ALL)",
        "CREATE TABLE bench_raw.projection_checkpoints (LIKE public.projection_checkpoints INCLUDING ALL)",
        "INSERT INTO bench_raw.projection_checkpoints (name, position) VALUES ('views', 0)",
        "CREATE SEQUENCE bench_raw.events_position_seq",
        "CREATE SEQUENCE bench_raw.request_number_seq",
        "CREATE FUNCTION bench_raw.assign_position() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN PERFORM pg_advisory_xact_lock(4242170399); \
         NEW.position := nextval('bench_raw.events_position_seq'); RETURN NEW; END $$",
        "CREATE TRIGGER events_assign_position BEFORE INSERT ON bench_raw.events \
         FOR EACH ROW EXECUTE FUNCTION bench_raw.assign_position()",
    ];
    for statement in ddl {
        sqlx::query(statement)
            .execute(&admin)
            .await
            .with_context(|| format!("raw baseline setup: {statement}"))?;
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(database_url)?.options([("search_path", "bench_raw")]);
    Ok(PgPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?)
}

/// Drops the `bench_raw` schema.
pub async fn cleanup(database_url: &str) -> anyhow::Result<()> {
    let admin = PgPool::connect(database_url).await?;
    sqlx::query("DROP SCHEMA IF EXISTS bench_raw CASCADE")
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(())
}

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
    pool: PgPool,
    template: Template,
    upsert: String,
}

const STATUS_AFTER: [&str; 4] = ["submitted", "assigned", "ordered", "provisioned"];

impl Raw {
    pub fn new(pool: PgPool, template: Template) -> Arc<Raw> {
        let upsert = upsert_sql(&template.columns);
        Arc::new(Raw {
            pool,
            template,
            upsert,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
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

    /// One projector pass, as `project_batch` runs it.
    async fn project(&self) -> anyhow::Result<()> {
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
