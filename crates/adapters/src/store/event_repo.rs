//! The command side's event repository, written once against the seam for
//! both backends: cqrs-es's [`PersistedEventRepository`] on the postgres-es
//! table shape (`events`, `snapshots`), whose `persist` also writes the
//! request's own view row and counter deltas **in the same transaction** as
//! its events (see `store/view_rows.rs`, `write_own_view`): one commit per command.
//!
//! Optimistic concurrency is postgres-es's: the events primary key
//! `(aggregate_type, aggregate_id, sequence)`; a second writer at a taken
//! sequence fails with [`PersistenceError::OptimisticLockError`] and its
//! transaction — view row and deltas included — rolls back.

use super::own_view::{self, Loaded, OwnView};
use super::stream::{all_events_sql, give_numbers_ids, just_appended, serialized, stream_sql};
use super::view_rows::write_own_view;
use super::Conn;
use super::{Database, Sql};
use crate::model::RecordedEvent;
use crate::rows::{occurred_at_text, EventRow};
use crate::StoreError;
use chrono::{DateTime, TimeDelta, Utc};
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use numberdesk_domain::metadata::OCCURRED_AT;
use numberdesk_domain::NumberRequest;
use serde_json::Value;

const EVENT_FIELDS: &str =
    "aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata";

/// The event repository of [`crate::NumberDesk`] on either backend.
#[derive(Clone)]
pub(crate) struct EventRepository {
    db: Database,
}

impl EventRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    async fn select(
        &self,
        aggregate_type: &str,
        aggregate_id: Option<&str>,
        after_sequence: i64,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let sql = match aggregate_id {
            Some(id) => stream_sql(aggregate_type, id, after_sequence),
            None => all_events_sql(aggregate_type),
        };
        let rows: Vec<EventRow> = self.db.fetch_all(sql).await.map_err(store_error)?;
        let serialized = rows
            .iter()
            .map(|row| serialized(aggregate_type, row))
            .collect::<Result<Vec<_>, _>>()?;
        // The whole stream of a request: kept for the fold of the command's
        // own transaction (one read of the stream per command).
        let whole_request = after_sequence == 0 && aggregate_type == NumberRequest::TYPE;
        if let Some(id) = aggregate_id.filter(|_| whole_request) {
            let recorded: Result<Vec<RecordedEvent>, _> =
                rows.into_iter().map(EventRow::into_recorded).collect();
            if let Ok(events) = recorded {
                own_view::remember(Loaded {
                    aggregate_id: id.to_owned(),
                    events,
                });
            }
        }
        Ok(serialized)
    }

    async fn persist_in_tx(
        &self,
        aggregate_type: &str,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), StoreError> {
        // The stream as the command loaded it, if that is the whole stream
        // before these events.
        let known = match (events.first(), own_view::take_loaded()) {
            (Some(first), Some(loaded)) if aggregate_type == NumberRequest::TYPE => {
                loaded.continued_by(&first.aggregate_id, to_i64(first.sequence)?)
            }
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        let floor = known.as_ref().map(|k| k.last().map(|e| e.occurred_at));
        let mut metadata = in_order(&mut conn, aggregate_type, events, floor).await?;
        if aggregate_type == NumberRequest::TYPE {
            give_numbers_ids(&mut conn, events, &mut metadata).await?;
        }
        let mut appended = Vec::with_capacity(events.len());
        let mut last_sequence = 0usize;
        // All of the command's events in one statement (a taken sequence
        // fails it whole).
        let mut insert = Sql::from(format!("INSERT INTO events ({EVENT_FIELDS}) VALUES "));
        for (i, (event, metadata)) in events.iter().zip(metadata).enumerate() {
            insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind(aggregate_type)
                .push(", ")
                .bind(event.aggregate_id.as_str())
                .push(", ")
                .bind(to_i64(event.sequence)?)
                .push(", ")
                .bind(event.event_type.as_str())
                .push(", ")
                .bind(event.event_version.as_str())
                .push(", ")
                .bind(super::Param::Json(event.payload.clone()))
                .push(", ")
                .bind(super::Param::Json(metadata.clone()))
                .push(")");
            last_sequence = event.sequence;
            appended.push((event, metadata));
        }
        if !appended.is_empty() {
            conn.execute(insert).await?;
        }
        if let Some((aggregate_id, aggregate, current_snapshot)) = snapshot_update {
            let last = to_i64(last_sequence)?;
            let current = to_i64(current_snapshot)?;
            let sql = Sql::new(if current_snapshot == 1 {
                "INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, \
                 current_snapshot, payload) VALUES ($1, $2, $3, $4, $5)"
            } else {
                "UPDATE snapshots SET last_sequence = $3, payload = $5, current_snapshot = $4 \
                 WHERE aggregate_type = $1 AND aggregate_id = $2 AND current_snapshot = $4 - 1"
            })
            .arg(aggregate_type)
            .arg(aggregate_id.as_str())
            .arg(last)
            .arg(current)
            .arg(super::Param::Json(aggregate));
            let changed = conn.execute(sql).await?;
            if changed != 1 {
                // Dropping the transaction rolls the events back too.
                return Err(StoreError::Conflict);
            }
        }
        let mut outcome = None;
        if aggregate_type == NumberRequest::TYPE {
            if let Some(id) = events.first().map(|e| e.aggregate_id.as_str()) {
                let stream = match known {
                    Some(mut stream) => {
                        let before = stream.len();
                        for (event, metadata) in appended {
                            stream.push(just_appended(event, metadata)?);
                        }
                        Some((stream, before))
                    }
                    None => None,
                };
                outcome = Some(match write_own_view(&mut conn, id, stream).await? {
                    Some(view) => OwnView::Written(Box::new(view)),
                    None => OwnView::Deferred,
                });
            }
        }
        tx.commit().await?;
        if let Some(outcome) = outcome {
            own_view::record(outcome);
        }
        Ok(())
    }
}

/// The metadata of `events` with every `occurred_at` after the one before
/// it in the aggregate's log (the stored event just below the first, then
/// each other): one that is not is moved to a millisecond after it. Two
/// servers' clocks, or a command whose first attempt began before the one it
/// lost a race to, would otherwise make a request's times go backwards, and
/// `request_as_of(at: e.occurred_at)` would not be the request at `e`.
/// Runs in the transaction that writes them: the event below is committed
/// (the aggregate was loaded from it), and a racing writer at the same
/// sequence fails on the primary key. `known_floor` is the time of the event
/// below when the command's load already read it (`Some(None)`: the stream
/// was empty); `None` reads it.
async fn in_order(
    conn: &mut Conn<'_>,
    aggregate_type: &str,
    events: &[SerializedEvent],
    known_floor: Option<Option<DateTime<Utc>>>,
) -> Result<Vec<Value>, StoreError> {
    let mut metadata: Vec<Value> = events.iter().map(|e| e.metadata.clone()).collect();
    let mut floor = known_floor.flatten();
    let first = events.first().filter(|e| e.sequence > 1);
    if let (Some(first), None) = (first, known_floor) {
        let previous: Option<(Option<String>,)> = conn
            .fetch_optional(
                Sql::new(
                    "SELECT occurred_at FROM events WHERE aggregate_type = $1 \
                     AND aggregate_id = $2 AND sequence = $3",
                )
                .arg(aggregate_type)
                .arg(first.aggregate_id.as_str())
                .arg(to_i64(first.sequence - 1)?),
            )
            .await?;
        floor = previous
            .and_then(|(text,)| text)
            .as_deref()
            .and_then(instant);
    }
    for metadata in &mut metadata {
        let Some(own) = metadata
            .get(OCCURRED_AT)
            .and_then(Value::as_str)
            .and_then(instant)
        else {
            continue;
        };
        let at = match floor {
            Some(floor) if own <= floor => floor + TimeDelta::milliseconds(1),
            _ => own,
        };
        if at != own {
            if let Some(map) = metadata.as_object_mut() {
                map.insert(
                    OCCURRED_AT.to_owned(),
                    Value::String(occurred_at_text(at, false)),
                );
            }
        }
        floor = Some(at);
    }
    Ok(metadata)
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn to_i64(value: usize) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|err| StoreError::Internal(Box::new(err)))
}

fn store_error(err: StoreError) -> PersistenceError {
    match err {
        StoreError::Unavailable(cause) => PersistenceError::ConnectionError(cause),
        StoreError::Conflict => PersistenceError::OptimisticLockError,
        StoreError::Internal(cause) => PersistenceError::UnknownError(cause),
    }
}

fn replay(events: Vec<SerializedEvent>) -> ReplayStream {
    let (mut feed, stream) = ReplayStream::new(events.len().max(1));
    tokio::spawn(async move {
        for event in events {
            if feed.push(Ok(event)).await.is_err() {
                return;
            }
        }
    });
    stream
}

impl PersistedEventRepository for EventRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.select(A::TYPE, Some(aggregate_id), 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let after = to_i64(last_sequence).map_err(store_error)?;
        self.select(A::TYPE, Some(aggregate_id), after).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let row: Option<(String, i64, i64, Value)> = self
            .db
            .fetch_optional(
                Sql::new(
                    "SELECT aggregate_id, last_sequence, current_snapshot, payload FROM snapshots \
                     WHERE aggregate_type = $1 AND aggregate_id = $2",
                )
                .arg(A::TYPE)
                .arg(aggregate_id),
            )
            .await
            .map_err(store_error)?;
        let Some((aggregate_id, last_sequence, current_snapshot, aggregate)) = row else {
            return Ok(None);
        };
        let bad =
            |err: std::num::TryFromIntError| PersistenceError::DeserializationError(Box::new(err));
        Ok(Some(SerializedSnapshot {
            aggregate_id,
            aggregate,
            current_sequence: usize::try_from(last_sequence).map_err(bad)?,
            current_snapshot: usize::try_from(current_snapshot).map_err(bad)?,
        }))
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        self.persist_in_tx(A::TYPE, events, snapshot_update)
            .await
            .map_err(store_error)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        Ok(replay(self.select(A::TYPE, Some(aggregate_id), 0).await?))
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        Ok(replay(self.select(A::TYPE, None, 0).await?))
    }
}
