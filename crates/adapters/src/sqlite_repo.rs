//! The embedded event store: cqrs-es's [`PersistedEventRepository`] on SQLite.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use futures::TryStreamExt;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

const SELECT_EVENTS: &str = "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata \
     FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence";
const SELECT_ALL_EVENTS: &str =
    "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata \
     FROM events WHERE aggregate_type = $1 ORDER BY position";
const INSERT_EVENT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const STREAM_CHANNEL_SIZE: usize = 200;

/// The SQLite event repository: same table shape as postgres-es plus a global
/// `position`. Each `persist` is one `BEGIN IMMEDIATE` transaction, so a
/// command's events and its snapshot are written entirely or not at all; a
/// second writer at an existing sequence hits the unique key and gets
/// [`PersistenceError::OptimisticLockError`].
#[derive(Debug, Clone)]
pub struct SqliteEventRepository {
    pool: SqlitePool,
}

impl SqliteEventRepository {
    /// A repository on the `events` and `snapshots` tables of `pool` (migrated).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    async fn select<A: Aggregate>(
        &self,
        aggregate_id: &str,
        after_sequence: i64,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let rows = sqlx::query(SELECT_EVENTS)
            .bind(A::TYPE)
            .bind(aggregate_id)
            .bind(after_sequence)
            .fetch_all(&self.pool)
            .await
            .map_err(persistence_error)?;
        rows.iter().map(deser_event).collect()
    }

    async fn persist_in_tx<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        // IMMEDIATE takes the write lock up front: no deferred-lock upgrade
        // failures, and the busy timeout queues concurrent writers.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(persistence_error)?;
        let mut last_sequence = 0usize;
        for event in events {
            let sequence = to_i64(event.sequence)?;
            sqlx::query(INSERT_EVENT)
                .bind(A::TYPE)
                .bind(&event.aggregate_id)
                .bind(sequence)
                .bind(&event.event_type)
                .bind(&event.event_version)
                .bind(&event.payload)
                .bind(&event.metadata)
                .execute(&mut *tx)
                .await
                .map_err(persistence_error)?;
            last_sequence = event.sequence;
        }
        if let Some((aggregate_id, aggregate, current_snapshot)) = snapshot_update {
            let last = to_i64(last_sequence)?;
            let current = to_i64(current_snapshot)?;
            let result = if current_snapshot == 1 {
                sqlx::query(
                    "INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(A::TYPE)
                .bind(&aggregate_id)
                .bind(last)
                .bind(current)
                .bind(&aggregate)
                .execute(&mut *tx)
                .await
            } else {
                sqlx::query(
                    "UPDATE snapshots SET last_sequence = $3, payload = $5, current_snapshot = $4 \
                     WHERE aggregate_type = $1 AND aggregate_id = $2 AND current_snapshot = $6",
                )
                .bind(A::TYPE)
                .bind(&aggregate_id)
                .bind(last)
                .bind(current)
                .bind(&aggregate)
                .bind(current - 1)
                .execute(&mut *tx)
                .await
            }
            .map_err(persistence_error)?;
            if result.rows_affected() != 1 {
                // Dropping the transaction rolls the events back too.
                return Err(PersistenceError::OptimisticLockError);
            }
        }
        tx.commit().await.map_err(persistence_error)
    }
}

fn to_i64(value: usize) -> Result<i64, PersistenceError> {
    i64::try_from(value).map_err(|err| PersistenceError::UnknownError(Box::new(err)))
}

/// Maps sqlx errors to cqrs-es persistence errors: only the events key is an
/// optimistic-lock conflict (see `StoreError`).
pub(crate) fn persistence_error(err: sqlx::Error) -> PersistenceError {
    match crate::error::StoreError::from(err) {
        crate::StoreError::Unavailable(cause) => PersistenceError::ConnectionError(cause),
        crate::StoreError::Conflict => PersistenceError::OptimisticLockError,
        crate::StoreError::Internal(cause) => PersistenceError::UnknownError(cause),
    }
}

fn deser_event(row: &SqliteRow) -> Result<SerializedEvent, PersistenceError> {
    let get = |err: sqlx::Error| PersistenceError::DeserializationError(Box::new(err));
    let sequence: i64 = row.try_get("sequence").map_err(get)?;
    Ok(SerializedEvent::new(
        row.try_get("aggregate_id").map_err(get)?,
        usize::try_from(sequence)
            .map_err(|err| PersistenceError::DeserializationError(Box::new(err)))?,
        row.try_get("aggregate_type").map_err(get)?,
        row.try_get("event_type").map_err(get)?,
        row.try_get("event_version").map_err(get)?,
        row.try_get("payload").map_err(get)?,
        row.try_get("metadata").map_err(get)?,
    ))
}

fn stream(
    pool: SqlitePool,
    sql: &'static str,
    aggregate_type: String,
    aggregate_id: Option<String>,
) -> ReplayStream {
    let (mut feed, stream) = ReplayStream::new(STREAM_CHANNEL_SIZE);
    tokio::spawn(async move {
        let mut query = sqlx::query(sql).bind(aggregate_type);
        if let Some(id) = aggregate_id {
            query = query.bind(id).bind(0_i64);
        }
        let mut rows = query.fetch(&pool);
        loop {
            let item = match rows.try_next().await {
                Ok(Some(row)) => deser_event(&row),
                Ok(None) => return,
                Err(err) => Err(persistence_error(err)),
            };
            let failed = item.is_err();
            if feed.push(item).await.is_err() || failed {
                return;
            }
        }
    });
    stream
}

impl PersistedEventRepository for SqliteEventRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.select::<A>(aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.select::<A>(aggregate_id, to_i64(last_sequence)?).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let row = sqlx::query(
            "SELECT aggregate_id, last_sequence, current_snapshot, payload FROM snapshots \
             WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(A::TYPE)
        .bind(aggregate_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(persistence_error)?;
        let Some(row) = row else { return Ok(None) };
        let get = |err: sqlx::Error| PersistenceError::DeserializationError(Box::new(err));
        let bad =
            |err: std::num::TryFromIntError| PersistenceError::DeserializationError(Box::new(err));
        let last_sequence: i64 = row.try_get("last_sequence").map_err(get)?;
        let current_snapshot: i64 = row.try_get("current_snapshot").map_err(get)?;
        Ok(Some(SerializedSnapshot {
            aggregate_id: row.try_get("aggregate_id").map_err(get)?,
            aggregate: row.try_get("payload").map_err(get)?,
            current_sequence: usize::try_from(last_sequence).map_err(bad)?,
            current_snapshot: usize::try_from(current_snapshot).map_err(bad)?,
        }))
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        self.persist_in_tx::<A>(events, snapshot_update).await
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        Ok(stream(
            self.pool.clone(),
            SELECT_EVENTS,
            A::TYPE.to_owned(),
            Some(aggregate_id.to_owned()),
        ))
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        Ok(stream(
            self.pool.clone(),
            SELECT_ALL_EVENTS,
            A::TYPE.to_owned(),
            None,
        ))
    }
}
