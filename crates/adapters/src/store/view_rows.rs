//! The request's view rows, written from its log: in the command's own
//! transaction (`write_own_view`, called by the event repository after it
//! inserted the command's events), or by a projector pass
//! (`write_projection`) for what a command could not write itself. Each
//! status change is counted here too, as insert-only deltas, by whoever
//! moves the row.

use super::stream::stream_sql;
use super::{Conn, Sql};
use crate::fold::{fold, Projection};
use crate::model::{NumberRequestView, RecordedEvent};
use crate::rows::{view_values, EventRow, PHONE_COLUMNS, PROVISIONED, VIEW_COLUMNS};
use crate::StoreError;
use cqrs_es::Aggregate;
use numberdesk_domain::NumberRequest;
use std::sync::LazyLock;

/// `INSERT INTO number_requests (...) VALUES ($1, ...) ON CONFLICT (id) DO
/// UPDATE SET` every column but the key.
static UPSERT_VIEW: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=VIEW_COLUMNS.len()).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = VIEW_COLUMNS[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO number_requests ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {} \
         WHERE number_requests.version < excluded.version",
        VIEW_COLUMNS.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
});

/// Writes the views of one request from its log **inside the command's own
/// transaction** (after its events were inserted): the request's events,
/// this transaction's included, folded — `stream` when the command already
/// holds them (the stream its load read and what it appended, with how many
/// of them came before the command), else read here. Returns the view at this command's version, or `None` (nothing
/// written) when the fold needs the position of an event not sequenced yet
/// (the number of a `Provisioned` event written before numbers got ids of
/// their own has its event's position as id); the projector writes that
/// request once the event has its position.
pub(crate) async fn write_own_view(
    conn: &mut Conn<'_>,
    aggregate_id: &str,
    stream: Option<(Vec<RecordedEvent>, usize)>,
) -> Result<Option<NumberRequestView>, StoreError> {
    let (events, before) = match stream {
        Some((events, before)) => (events, Some(before)),
        None => (read_stream(conn, aggregate_id).await?, None),
    };
    // No projection (a stream without its `Submitted`): nothing to write
    // here; the projector's pass decides what such a stream shows.
    let Some(mut projection) = fold(&events)? else {
        return Ok(None);
    };
    // Rows of this request exist only if a number was provisioned before
    // this command (its view was written from that stream, or an older one).
    if let Some(before) = before {
        projection.replace_numbers = events
            .iter()
            .take(before)
            .any(|e| e.event_type == PROVISIONED);
    }
    if projection.phone_numbers.iter().any(|p| p.id == 0) {
        return Ok(None);
    }
    write_projection(conn, &projection).await?;
    Ok(Some(projection.request))
}

/// A request's whole stream, read in the transaction.
async fn read_stream(
    conn: &mut Conn<'_>,
    aggregate_id: &str,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<EventRow> = conn
        .fetch_all(stream_sql(NumberRequest::TYPE, aggregate_id, 0))
        .await?;
    rows.into_iter().map(EventRow::into_recorded).collect()
}

/// Writes the views of one request, replacing what was there, unless the
/// stored row is already at this version or newer (then nothing changes).
/// The row is read under its row lock (PostgreSQL `FOR UPDATE`; SQLite
/// holds its write lock), so whoever moves a row from one version to a
/// higher one also writes the matching counter deltas: each transition is
/// counted exactly once, by one writer, whether the command or the
/// projector made it.
pub(crate) async fn write_projection(
    conn: &mut Conn<'_>,
    projection: &Projection,
) -> Result<(), StoreError> {
    let v = &projection.request;
    let previous: Option<(String, i64)> = conn
        .fetch_optional(
            Sql::from(format!(
                "SELECT status, version FROM number_requests WHERE id = $1{}",
                conn.dialect().lock_row
            ))
            .arg(v.id),
        )
        .await?;
    if matches!(previous, Some((_, version)) if version >= v.version) {
        return Ok(());
    }
    let changed = conn
        .execute(Sql {
            text: UPSERT_VIEW.clone(),
            params: view_values(v).into(),
        })
        .await?;
    if changed == 0 {
        return Ok(());
    }
    let from = previous.as_ref().map(|(status, _)| status.as_str());
    if from != Some(v.status.as_str()) {
        add_count_delta(conn, v.organization_id, from, v.status.as_str()).await?;
    }
    if projection.replace_numbers {
        conn.execute(Sql::new("DELETE FROM phone_numbers WHERE request_id = $1").arg(v.uuid))
            .await?;
    }
    for p in &projection.phone_numbers {
        conn.execute(
            Sql::from(format!(
                "INSERT INTO phone_numbers ({PHONE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .arg(p.id)
            .arg(&p.phone_number)
            .arg(p.organization_id)
            .arg(p.account_id)
            .arg(p.request_id)
            .arg(p.request_number)
            .arg(&p.carrier_order_id)
            .arg(&p.status)
            .arg(p.provisioned_at),
        )
        .await?;
    }
    Ok(())
}

/// Records a request moving from one status to another as insert-only
/// delta rows (`request_count_deltas`): no row shared by all writers is
/// updated on a command's path. Readers sum `request_counts` and the
/// deltas; a projector pass folds them into `request_counts`
/// (`view_writer::fold_count_deltas`).
async fn add_count_delta(
    conn: &mut Conn<'_>,
    organization_id: i64,
    from: Option<&str>,
    to: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(
        "INSERT INTO request_count_deltas (organization_id, status, n) VALUES ($1, $2, 1)",
    )
    .arg(organization_id)
    .arg(to);
    if let Some(from) = from {
        sql.push(", ($1, ").bind(from).push(", -1)");
    }
    conn.execute(sql).await?;
    Ok(())
}
