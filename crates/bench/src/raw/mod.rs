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
//!
//! Here: the template and the `bench_raw` schema; `lifecycle.rs`: the four
//! commands; `pass.rs`: the projector pass after each.

mod lifecycle;
mod pass;

pub use lifecycle::Raw;

use anyhow::{bail, Context};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};
use std::str::FromStr;
use std::time::Duration;

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
