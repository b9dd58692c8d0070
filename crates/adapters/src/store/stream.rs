//! A request's stream as one command's transaction sees it: the rows its
//! load read, the events it appends, and the ids it draws for the numbers
//! those events provision.

use super::{Conn, Sql};
use crate::model::RecordedEvent;
use crate::rows::{EventRow, ORGANIZATION_ID, PHONE_NUMBER_ID, PROVISIONED};
use crate::StoreError;
use chrono::Utc;
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use serde_json::Value;

/// The columns a stream is read with: what cqrs-es needs and what the fold
/// needs (an unsequenced event reads as position 0).
const STREAM_COLUMNS: &str = "COALESCE(position, 0) AS position, aggregate_id, \
     sequence, event_type, event_version, payload, metadata, organization_id, recorded_at";

/// One aggregate's events after `after_sequence`, in sequence order: the
/// command's load reads its stream with it, and so does a command's
/// transaction that was not handed the stream.
pub(super) fn stream_sql(aggregate_type: &str, aggregate_id: &str, after_sequence: i64) -> Sql {
    Sql::from(format!(
        "SELECT {STREAM_COLUMNS} FROM events WHERE aggregate_type = $1 \
         AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence"
    ))
    .arg(aggregate_type)
    .arg(aggregate_id)
    .arg(after_sequence)
}

/// Every sequenced event of an aggregate type, in position order.
pub(super) fn all_events_sql(aggregate_type: &str) -> Sql {
    Sql::from(format!(
        "SELECT {STREAM_COLUMNS} FROM events WHERE aggregate_type = $1 \
         AND position IS NOT NULL ORDER BY position"
    ))
    .arg(aggregate_type)
}

/// A loaded row as cqrs-es reads it.
pub(super) fn serialized(
    aggregate_type: &str,
    row: &EventRow,
) -> Result<SerializedEvent, PersistenceError> {
    let sequence = usize::try_from(row.sequence)
        .map_err(|err| PersistenceError::DeserializationError(Box::new(err)))?;
    Ok(SerializedEvent::new(
        row.aggregate_id.clone(),
        sequence,
        aggregate_type.to_owned(),
        row.event_type.clone(),
        row.event_version.clone(),
        row.payload.clone(),
        row.metadata.clone(),
    ))
}

/// An event this transaction has just inserted (with the metadata it was
/// inserted with), as the fold reads it: no position yet.
pub(super) fn just_appended(
    event: &SerializedEvent,
    metadata: Value,
) -> Result<RecordedEvent, StoreError> {
    let organization_id = metadata
        .get(ORGANIZATION_ID)
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok());
    EventRow {
        position: 0,
        aggregate_id: event.aggregate_id.clone(),
        sequence: i64::try_from(event.sequence)
            .map_err(|err| StoreError::Internal(Box::new(err)))?,
        event_type: event.event_type.clone(),
        event_version: event.event_version.clone(),
        payload: event.payload.clone(),
        metadata,
        organization_id,
        recorded_at: Utc::now(),
    }
    .into_recorded()
}

/// Draws an id for the number of each `Provisioned` event among `events`
/// and keeps it in that event's metadata (`phone_number_id`): the id is
/// known in the command's own transaction, so the command writes its view
/// at once instead of waiting for the sequencer to stamp a position.
pub(super) async fn give_numbers_ids(
    conn: &mut Conn<'_>,
    events: &[SerializedEvent],
    metadata: &mut [Value],
) -> Result<(), StoreError> {
    for (event, metadata) in events.iter().zip(metadata.iter_mut()) {
        if event.event_type != PROVISIONED {
            continue;
        }
        let id: i64 = conn
            .scalar(Sql::new(conn.dialect().next_phone_number_id))
            .await?;
        if let Some(map) = metadata.as_object_mut() {
            map.insert(PHONE_NUMBER_ID.to_owned(), Value::String(id.to_string()));
        }
    }
    Ok(())
}
