//! Reading the views and the log: one request, its history, the tail of the
//! log, counters, the projector's progress.

use crate::model::{NumberRequestView, PhoneNumberView, RecordedEvent};
use crate::rows::{EventRow, EVENT_COLUMNS, PHONE_COLUMNS, VIEW_COLUMNS};
use crate::store::Sql;
use crate::view_writer::REQUEST_COUNTS;
use crate::{Database, StoreError};
use cqrs_es::Aggregate;
use numberdesk_domain::{NumberRequest, RequestStatus};
use std::collections::BTreeMap;
use uuid::Uuid;

/// `SELECT <view columns> FROM number_requests`.
pub(crate) fn view_select() -> String {
    format!("SELECT {} FROM number_requests", VIEW_COLUMNS.join(", "))
}

/// Requests of these organisations only (`None`: every organisation).
pub(crate) fn orgs(sql: &mut Sql, organization_ids: &Option<Vec<i64>>) {
    if let Some(ids) = organization_ids {
        sql.push(" AND ");
        sql.push_in("organization_id", ids.iter().copied());
    }
}

/// One request's view by aggregate id.
pub(crate) async fn request(
    db: &Database,
    id: Uuid,
) -> Result<Option<NumberRequestView>, StoreError> {
    let sql = Sql::from(format!("{} WHERE uuid = $1", view_select())).arg(id);
    db.fetch_optional(sql).await
}

/// One request's view by its integer number.
pub(crate) async fn request_by_number(
    db: &Database,
    number: i64,
) -> Result<Option<NumberRequestView>, StoreError> {
    let sql = Sql::from(format!("{} WHERE id = $1", view_select())).arg(number);
    db.fetch_optional(sql).await
}

/// Every sequenced event of one request, in order.
pub(crate) async fn history(db: &Database, id: Uuid) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = Sql::from(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
         AND position IS NOT NULL ORDER BY sequence"
    ))
    .arg(NumberRequest::TYPE)
    .arg(id.to_string());
    let rows: Vec<EventRow> = db.fetch_all(sql).await?;
    rows.into_iter().map(EventRow::into_recorded).collect()
}

/// Committed events after `position`, ascending.
pub(crate) async fn events_after(
    db: &Database,
    position: i64,
    limit: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = Sql::from(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 AND aggregate_type = $2 \
         ORDER BY position LIMIT $3"
    ))
    .arg(position)
    .arg(NumberRequest::TYPE)
    .arg(limit);
    let rows: Vec<EventRow> = db.fetch_all(sql).await?;
    rows.into_iter().map(EventRow::into_recorded).collect()
}

/// The projector's checkpoint, without locking.
pub(crate) async fn checkpoint(db: &Database) -> Result<i64, StoreError> {
    db.scalar("SELECT position FROM projection_checkpoints WHERE name = 'views'")
        .await
}

/// The highest position given so far (0 when empty). On SQLite positions
/// are given at insert, so it moves with every command's commit.
pub(crate) async fn last_position(db: &Database) -> Result<i64, StoreError> {
    db.scalar("SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM events")
        .await
}

/// The position the log reaches once every committed event is sequenced:
/// the highest position plus the events still without one (0 when empty).
pub(crate) async fn head(db: &Database) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT CAST(COALESCE(MAX(position), 0) \
         + (SELECT COUNT(*) FROM events WHERE position IS NULL) AS BIGINT) FROM events",
    )
    .await
}

/// How many requests are in each status (every status present).
pub(crate) async fn stats(
    db: &Database,
    organization_ids: Option<&[i64]>,
) -> Result<BTreeMap<RequestStatus, i64>, StoreError> {
    let mut sql = Sql::from(format!(
        "SELECT status, CAST(SUM(n) AS BIGINT) FROM {REQUEST_COUNTS} WHERE 1 = 1"
    ));
    orgs(&mut sql, &organization_ids.map(<[i64]>::to_vec));
    sql.push(" GROUP BY status");
    let rows: Vec<(String, i64)> = db.fetch_all(sql).await?;
    let mut stats: BTreeMap<RequestStatus, i64> =
        RequestStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for (status, count) in rows {
        let status: RequestStatus = status.parse().map_err(|err| {
            StoreError::Internal(format!("bad status in number_requests: {err}").into())
        })?;
        stats.insert(status, count);
    }
    Ok(stats)
}

/// Every row of both views, ordered, for comparisons.
pub(crate) async fn dump_views(
    db: &Database,
) -> Result<(Vec<NumberRequestView>, Vec<PhoneNumberView>), StoreError> {
    let views: Vec<NumberRequestView> = db
        .fetch_all(Sql::from(format!("{} ORDER BY id", view_select())))
        .await?;
    let phones: Vec<PhoneNumberView> = db
        .fetch_all(Sql::from(format!(
            "SELECT {PHONE_COLUMNS} FROM phone_numbers ORDER BY id"
        )))
        .await?;
    Ok((views, phones))
}
