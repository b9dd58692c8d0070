//! The checkpointed catch-up projector and single sequencer.
//!
//! Commands write their own request's view row and counter deltas in their
//! own transaction (`store/view_rows.rs`, `write_own_view`). A pass runs off the
//! request path (a background task woken after commits, see
//! `NumberDesk::open`), in **one** transaction: it takes the projector lock
//! (the checkpoint row, see [`Dialect::lock_checkpoint`]), stamps positions
//! on the events committed since the last pass (the single sequencer,
//! PostgreSQL), reads up to a batch of events after the checkpoint in
//! position order, refolds the requests whose view row is behind them (a
//! command that needed a position it could not know yet), folds the counter
//! deltas, adds the audit counts, moves the checkpoint and, on PostgreSQL,
//! notifies other processes (one NOTIFY per pass, not per command).

use crate::fold::fold;
use crate::freshness::VIEWS_CHANNEL;
use crate::model::RecordedEvent;
use crate::rows::{EventRow, EVENT_COLUMNS};
use crate::store::{write_projection, Conn, Dialect, Sql};
use crate::view_writer::{add_event_counts, clear_views, fold_count_deltas};
use crate::{Database, StoreError};
use cqrs_es::Aggregate;
use numberdesk_domain::NumberRequest;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::instrument;

/// Events applied per projector transaction.
const PROJECTION_BATCH: i64 = 500;

/// This process's projector: passes one at a time, shared by the callers
/// waiting for one (a group commit).
#[derive(Debug, Default)]
pub(crate) struct Projector {
    /// Serialises this process's passes (the database lock serialises
    /// processes); saves pointless lock waits.
    lock: tokio::sync::Mutex<()>,
    /// Catch-up requests so far: each caller takes a ticket *after* its
    /// command committed.
    requested: AtomicU64,
    /// The highest ticket a finished pass covers: a pass that started after
    /// ticket `t` was taken saw `t`'s commit, so later callers holding
    /// tickets up to this one need no pass of their own.
    covered: AtomicU64,
}

impl Projector {
    /// Applies every event committed before the call to the views; returns
    /// how many events it applied. A caller whose commit an already finished
    /// pass was started after returns at once. `after_pass(changed,
    /// reached)` runs (under the projector lock) after passes ran: whether
    /// committed passes changed the views, and the last checkpoint committed.
    pub async fn catch_up(
        &self,
        db: &Database,
        after_pass: impl FnOnce(bool, Option<i64>),
    ) -> Result<u64, StoreError> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        let _guard = self.lock.lock().await;
        if self.covered.load(Ordering::SeqCst) >= ticket {
            return Ok(0);
        }
        // Every ticket up to here was taken after its command committed, so
        // the passes below (which read the log after this point) see them all.
        let covers = self.requested.load(Ordering::SeqCst);
        let mut reached = None;
        let applied = project_pending(db, &mut reached).await;
        // Committed passes changed the views (an error may follow one).
        after_pass(!matches!(applied, Ok(0)), reached);
        let applied = applied?;
        self.covered.fetch_max(covers, Ordering::SeqCst);
        Ok(applied)
    }

    /// Empties both views and replays the whole log into them in one
    /// transaction (readers keep seeing the old rows until it commits).
    /// Returns the checkpoint reached and how many events were replayed.
    #[instrument(skip_all, fields(backend = db.dialect().name), err)]
    pub async fn rebuild(&self, db: &Database) -> Result<(i64, u64), StoreError> {
        let _guard = self.lock.lock().await;
        let mut tx = db.begin().await?;
        let mut conn = tx.conn();
        lock_checkpoint(&mut conn).await?;
        clear_views(&mut conn).await?;
        let mut after = 0;
        let mut replayed = 0;
        while let Some((last, count)) =
            project_batch(&mut conn, after, PROJECTION_BATCH, true).await?
        {
            after = last;
            replayed += count;
        }
        set_checkpoint(&mut conn, after).await?;
        conn.notify(VIEWS_CHANNEL, &after.to_string()).await?;
        tx.commit().await?;
        Ok((after, replayed))
    }
}

/// Runs passes until the log holds nothing newer than the checkpoint;
/// `reached` is the last checkpoint committed. The caller holds the
/// projector mutex.
async fn project_pending(db: &Database, reached: &mut Option<i64>) -> Result<u64, StoreError> {
    let mut applied = 0;
    while let Some((last, count)) = pass(db).await? {
        *reached = Some(last);
        applied += count;
        // A short batch read everything committed when it ran.
        if count < PROJECTION_BATCH as u64 {
            break;
        }
    }
    Ok(applied)
}

/// One projector transaction (see the module docs): the new checkpoint and
/// how many events it applied, or `None` when there was nothing new.
#[instrument(skip_all, fields(backend = db.dialect().name, after = tracing::field::Empty, last = tracing::field::Empty, events = tracing::field::Empty), err)]
async fn pass(db: &Database) -> Result<Option<(i64, u64)>, StoreError> {
    let mut tx = db.begin().await?;
    let mut conn = tx.conn();
    let after = lock_checkpoint(&mut conn).await?;
    let span = tracing::Span::current();
    span.record("after", after);
    let step = project_batch(&mut conn, after, PROJECTION_BATCH, false).await?;
    if let Some((last, events)) = step {
        span.record("last", last).record("events", events);
        // Tells other processes' `follow_other_writers`; the payload is the
        // pass's new checkpoint (see `NumberDesk::log_moved`).
        conn.notify(VIEWS_CHANNEL, &last.to_string()).await?;
    }
    tx.commit().await?;
    Ok(step)
}

/// Reads the checkpoint, holding the lock that serialises projectors until
/// the transaction ends.
async fn lock_checkpoint(conn: &mut Conn<'_>) -> Result<i64, StoreError> {
    conn.scalar(conn.dialect().lock_checkpoint).await
}

/// Moves the checkpoint.
async fn set_checkpoint(conn: &mut Conn<'_>, position: i64) -> Result<(), StoreError> {
    conn.execute(
        Sql::new("UPDATE projection_checkpoints SET position = $1 WHERE name = 'views'")
            .arg(position),
    )
    .await?;
    Ok(())
}

/// Applies up to `limit` events after `after` to the views and moves the
/// checkpoint: returns the new checkpoint and how many events it covered, or
/// `None` when the log holds nothing newer.
async fn project_batch(
    conn: &mut Conn<'_>,
    after: i64,
    limit: i64,
    refold_all: bool,
) -> Result<Option<(i64, u64)>, StoreError> {
    // The single sequencer: positions for rows committed since the last pass
    // (the caller holds the checkpoint lock).
    let dialect: &Dialect = conn.dialect();
    if let Some(sequence) = dialect.sequence {
        conn.execute(Sql::new(sequence).arg(limit)).await?;
    }
    let rows: Vec<(i64, String, String, i64, Option<i64>)> = conn
        .fetch_all(
            Sql::new(
                "SELECT position, aggregate_type, aggregate_id, sequence, organization_id \
                 FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            )
            .arg(after)
            .arg(limit),
        )
        .await?;
    let Some(last) = rows.last().map(|r| r.0) else {
        return Ok(None);
    };
    // Each touched request and the highest sequence the batch holds for it.
    let mut touched: BTreeMap<&str, i64> = BTreeMap::new();
    let mut per_organization: BTreeMap<i64, i64> = BTreeMap::new();
    for (_, aggregate_type, aggregate_id, sequence, organization_id) in &rows {
        if aggregate_type != NumberRequest::TYPE {
            continue;
        }
        let seen = touched.entry(aggregate_id.as_str()).or_default();
        *seen = (*seen).max(*sequence);
        if let Some(organization_id) = organization_id {
            *per_organization.entry(*organization_id).or_default() += 1;
        }
    }
    // Commands write their own view rows; a pass refolds only the requests
    // whose row is behind the batch (a command that had to leave it to the
    // projector, a log written before views were kept in the command's
    // transaction) — and every request in a rebuild.
    let behind = if refold_all {
        touched.keys().copied().collect()
    } else {
        behind_views(conn, &touched).await?
    };
    for aggregate_id in behind {
        let events = history_until(conn, aggregate_id, last).await?;
        if let Some(projection) = fold(&events)? {
            write_projection(conn, &projection).await?;
        }
    }
    fold_count_deltas(conn).await?;
    add_event_counts(conn, per_organization).await?;
    set_checkpoint(conn, last).await?;
    Ok(Some((last, rows.len() as u64)))
}

/// The touched requests whose view row is missing or older than the highest
/// sequence the batch holds for them.
async fn behind_views<'a>(
    conn: &mut Conn<'_>,
    touched: &BTreeMap<&'a str, i64>,
) -> Result<Vec<&'a str>, StoreError> {
    let mut ids = Vec::with_capacity(touched.len());
    for id in touched.keys() {
        let uuid = uuid::Uuid::parse_str(id).map_err(|err| {
            StoreError::Internal(format!("request {id} has a non-UUID id: {err}").into())
        })?;
        ids.push(uuid);
    }
    let mut sql = Sql::new("SELECT uuid, version FROM number_requests WHERE ");
    sql.push_in("uuid", ids);
    let versions: Vec<(uuid::Uuid, i64)> = conn.fetch_all(sql).await?;
    let versions: BTreeMap<String, i64> = versions
        .into_iter()
        .map(|(uuid, version)| (uuid.to_string(), version))
        .collect();
    Ok(touched
        .iter()
        .filter(|(id, sequence)| versions.get(**id).is_none_or(|v| v < sequence))
        .map(|(id, _)| *id)
        .collect())
}

/// One request's events up to position `until`, in sequence order.
async fn history_until(
    conn: &mut Conn<'_>,
    aggregate_id: &str,
    until: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<EventRow> = conn
        .fetch_all(
            Sql::from(format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 \
                 AND aggregate_id = $2 AND position <= $3 ORDER BY sequence"
            ))
            .arg(NumberRequest::TYPE)
            .arg(aggregate_id)
            .arg(until),
        )
        .await?;
    rows.into_iter().map(EventRow::into_recorded).collect()
}
