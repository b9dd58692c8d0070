//! The bulk loader: grows the log (and the views) of a PostgreSQL database to
//! a number of events with multi-row `INSERT … SELECT … generate_series`,
//! copying a real provisioned request the server wrote (four events, one
//! view row, one phone number) under fresh ids and numbers.
//!
//! Events go through the real position trigger, so positions stay in commit
//! order. Views are written in the same transaction as the events, and the
//! projector's checkpoint is moved past them, holding the checkpoint row lock
//! exactly as the projector does, so the server never re-projects them. The
//! fulfilment consumer's checkpoint is moved past them too: the copies are of
//! a finished request, and 250 000 order jobs for them would be background
//! load during the measurement, not part of it. It waits for both consumers
//! to reach the head first and refuses to run if they fall behind: run it
//! with the server idle.

use anyhow::{bail, Context};
use sqlx::PgPool;
use std::time::Instant;

/// Requests inserted per transaction (4 events each).
const CHUNK: i64 = 25_000;

/// Events in the log.
pub async fn log_size(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await?)
}

/// Waits (up to a minute) until the views projector and the fulfilment
/// consumer have caught up with the log, as they do shortly after a workload.
async fn wait_for_consumers(pool: &PgPool) -> anyhow::Result<()> {
    for _ in 0..300 {
        let behind: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM projection_checkpoints \
             WHERE name IN ('views', 'fulfilment') \
             AND position < (SELECT COALESCE(MAX(position), 0) FROM events)",
        )
        .fetch_one(pool)
        .await?;
        if behind == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    bail!("the server's consumers did not catch up with the log within a minute: seed with the server idle")
}

/// Adds copies of request `template` (a provisioned request of the bench
/// organisation) until the log holds at least `target` events.
pub async fn grow_to(pool: &PgPool, template: &str, target: i64) -> anyhow::Result<i64> {
    let started = Instant::now();
    let mut size = log_size(pool).await?;
    let per_request: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE aggregate_type = 'NumberRequest' AND aggregate_id = $1",
    )
    .bind(template)
    .fetch_one(pool)
    .await?;
    if per_request == 0 {
        bail!("template request {template} has no events");
    }
    wait_for_consumers(pool).await?;
    while size < target {
        let requests = ((target - size + per_request - 1) / per_request).min(CHUNK);
        let mut tx = pool.begin().await?;
        let checkpoint: i64 = sqlx::query_scalar(
            "SELECT position FROM projection_checkpoints WHERE name = 'views' FOR UPDATE",
        )
        .fetch_one(&mut *tx)
        .await?;
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM events")
            .fetch_one(&mut *tx)
            .await?;
        if head.unwrap_or_default() != checkpoint {
            bail!("the projector is behind (checkpoint {checkpoint}, head {head:?}): seed with the server idle");
        }
        let fulfilment: i64 = sqlx::query_scalar(
            "SELECT position FROM projection_checkpoints WHERE name = 'fulfilment' FOR UPDATE",
        )
        .fetch_one(&mut *tx)
        .await?;
        if head.unwrap_or_default() != fulfilment {
            bail!("the fulfilment consumer is behind (checkpoint {fulfilment}, head {head:?}): seed with the server idle");
        }
        let statements = [
            "CREATE TEMP TABLE seed_ids ON COMMIT DROP AS \
             SELECT k, gen_random_uuid() AS u, nextval('request_number_seq') AS n \
             FROM generate_series(1, $1::bigint) AS k",
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             SELECT e.aggregate_type, s.u::text, e.sequence, e.event_type, e.event_version, \
                    regexp_replace(replace(e.payload::text, $1, s.u::text), '\"number\": ?[0-9]+', '\"number\": ' || s.n)::json, \
                    replace(e.metadata::text, $1, s.u::text)::json \
             FROM seed_ids s CROSS JOIN (SELECT * FROM events WHERE aggregate_type = 'NumberRequest' AND aggregate_id = $1) e \
             ORDER BY s.k, e.sequence",
            "INSERT INTO number_requests \
             SELECT s.n, s.u, t.organization_id, t.account_id, t.country, t.number_type, t.use_case, t.status, \
                    t.requested_area, t.company_name, t.vat_number, t.address, t.website, t.contact_name, \
                    t.contact_email, t.assigned_to, t.ops_notes, \
                    (SELECT MAX(ev.position) FROM events ev WHERE ev.aggregate_type = 'NumberRequest' AND ev.aggregate_id = s.u::text), \
                    t.quantity, t.range_size, t.area_code, t.city, t.region, t.comment, t.callback_url, t.attempt, \
                    t.carrier_order_id, t.ordered_numbers, t.provisioned_numbers, t.failed_numbers, t.reason, \
                    t.created_at, t.updated_at, t.version \
             FROM seed_ids s CROSS JOIN (SELECT * FROM number_requests WHERE uuid = $1::uuid) t",
            "INSERT INTO phone_numbers (id, phone_number, organization_id, account_id, request_id, request_number, carrier_order_id, status, provisioned_at) \
             SELECT r.provisioned_number_id, p.phone_number, p.organization_id, p.account_id, r.uuid, r.id, p.carrier_order_id, p.status, p.provisioned_at \
             FROM seed_ids s JOIN number_requests r ON r.uuid = s.u \
             CROSS JOIN (SELECT * FROM phone_numbers WHERE request_id = $1::uuid LIMIT 1) p",
            // The projector keeps request_counts in step with number_requests;
            // the bulk load writes the view directly, so it adds its rows here.
            "INSERT INTO request_counts (organization_id, status, n) \
             SELECT t.organization_id, t.status, $1::bigint \
             FROM (SELECT organization_id, status FROM number_requests WHERE uuid = $2::uuid) t \
             ON CONFLICT (organization_id, status) DO UPDATE SET n = request_counts.n + excluded.n",
            // Likewise event_counts, the audit feed's totals.
            "INSERT INTO event_counts (organization_id, n) \
             SELECT organization_id, COUNT(*) FROM events WHERE position > $1 AND aggregate_type = 'NumberRequest' AND organization_id IS NOT NULL \
             GROUP BY organization_id \
             ON CONFLICT (organization_id) DO UPDATE SET n = event_counts.n + excluded.n",
            "UPDATE projection_checkpoints SET position = (SELECT MAX(position) FROM events) WHERE name IN ('views', 'fulfilment')",
            // As a projector pass does: servers drop what they cached from the views.
            "SELECT pg_notify('numberdesk_views', '')",
        ];
        for (i, statement) in statements.into_iter().enumerate() {
            let query = sqlx::query(statement);
            let query = match i {
                0 => query.bind(requests),
                1..=3 => query.bind(template),
                4 => query.bind(requests).bind(template),
                5 => query.bind(checkpoint),
                _ => query,
            };
            query
                .execute(&mut *tx)
                .await
                .with_context(|| format!("bulk load statement {}", i + 1))?;
        }
        tx.commit().await?;
        size += requests * per_request;
        eprintln!(
            "  seeded {} requests; log now ~{size} events ({:.0} s)",
            requests,
            started.elapsed().as_secs_f64()
        );
    }
    sqlx::query("ANALYZE events").execute(pool).await?;
    sqlx::query("ANALYZE number_requests").execute(pool).await?;
    sqlx::query("ANALYZE phone_numbers").execute(pool).await?;
    log_size(pool).await
}
