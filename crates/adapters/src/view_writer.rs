//! Writing the views of one request, and the counters kept beside them: in
//! the command's own transaction (`write_own_view`), or in a projector pass
//! for what a command could not write itself.

use crate::fold::{fold, Projection};
use crate::model::{NumberRequestView, RecordedEvent};
use crate::rows::{view_values, EventRow, EVENT_COLUMNS, PHONE_COLUMNS, VIEW_COLUMNS};
use crate::store::{Conn, Sql};
use crate::StoreError;
use cqrs_es::Aggregate;
use numberdesk_domain::{NumberRequest, RequestStatus};
use std::collections::BTreeMap;
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

/// Requests per organisation and status as readers see them: the folded
/// counts plus the deltas not folded yet (one snapshot, one statement).
pub(crate) const REQUEST_COUNTS: &str = "(SELECT organization_id, status, n FROM request_counts \
     UNION ALL SELECT organization_id, status, n FROM request_count_deltas) counts";

/// Writes the views of one request from its log **inside the command's own
/// transaction** (after its events were inserted): the request's events,
/// this transaction's included, folded. Returns the view at this command's
/// version, or `None` (nothing written) when the fold needs the position of
/// an event not sequenced yet (a `Provisioned` number's id is its event's
/// position); the projector writes that request once the event has its
/// position.
pub(crate) async fn write_own_view(
    conn: &mut Conn<'_>,
    aggregate_id: &str,
) -> Result<Option<NumberRequestView>, StoreError> {
    let rows: Vec<EventRow> = conn
        .fetch_all(
            Sql::from(format!(
                "SELECT {} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                 ORDER BY sequence",
                EVENT_COLUMNS.replacen("position", "COALESCE(position, 0) AS position", 1)
            ))
            .arg(NumberRequest::TYPE)
            .arg(aggregate_id),
        )
        .await?;
    let events: Vec<RecordedEvent> = rows
        .into_iter()
        .map(EventRow::into_recorded)
        .collect::<Result<_, _>>()?;
    // No projection (a stream without its `Submitted`): nothing to write
    // here; the projector's pass decides what such a stream shows.
    let Some(projection) = fold(&events)? else {
        return Ok(None);
    };
    if projection.phone_numbers.iter().any(|p| p.id == 0) {
        return Ok(None);
    }
    write_projection(conn, &projection).await?;
    Ok(Some(projection.request))
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
    conn.execute(Sql::new("DELETE FROM phone_numbers WHERE request_id = $1").arg(v.uuid))
        .await?;
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
/// deltas; [`fold_count_deltas`] moves the deltas into `request_counts`.
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

/// Folds the counter deltas into `request_counts` (run by projector passes
/// and the rebuild), giving each organisation seen a row for every status
/// (zero until a request has it), so a rebuild recreates the table row for
/// row. On PostgreSQL one statement deletes exactly the deltas it adds (a
/// delta committed meanwhile stays for the next fold); a reader's statement
/// sees the deltas either before or after, never both or neither. SQLite has
/// one writer, so two statements are as good.
pub(crate) async fn fold_count_deltas(conn: &mut Conn<'_>) -> Result<(), StoreError> {
    let statuses: Vec<String> = RequestStatus::ALL
        .iter()
        .map(|s| format!("SELECT '{}' AS status", s.as_str()))
        .collect();
    let statuses = statuses.join(" UNION ALL ");
    let upsert =
        "ON CONFLICT (organization_id, status) DO UPDATE SET n = request_counts.n + excluded.n";
    if conn.dialect().single_writer {
        conn.execute(Sql::from(format!(
            "INSERT INTO request_counts (organization_id, status, n) \
             SELECT o.organization_id, st.status, COALESCE((SELECT SUM(d.n) FROM request_count_deltas d \
               WHERE d.organization_id = o.organization_id AND d.status = st.status), 0) \
             FROM (SELECT DISTINCT organization_id FROM request_count_deltas) o \
             CROSS JOIN ({statuses}) st WHERE true {upsert}"
        )))
        .await?;
        conn.execute("DELETE FROM request_count_deltas").await?;
    } else {
        conn.execute(Sql::from(format!(
            "WITH d AS (DELETE FROM request_count_deltas RETURNING organization_id, status, n) \
             INSERT INTO request_counts (organization_id, status, n) \
             SELECT o.organization_id, st.status, CAST(COALESCE(SUM(d.n), 0) AS BIGINT) \
             FROM (SELECT DISTINCT organization_id FROM d) o CROSS JOIN ({statuses}) st \
             LEFT JOIN d ON d.organization_id = o.organization_id AND d.status = st.status \
             GROUP BY o.organization_id, st.status {upsert}"
        )))
        .await?;
    }
    Ok(())
}

/// Adds a batch's events per organisation to `event_counts` (the audit
/// feed's totals).
pub(crate) async fn add_event_counts(
    conn: &mut Conn<'_>,
    per_organization: BTreeMap<i64, i64>,
) -> Result<(), StoreError> {
    for (organization_id, n) in per_organization {
        conn.execute(
            Sql::new(
                "INSERT INTO event_counts (organization_id, n) VALUES ($1, $2) \
                 ON CONFLICT (organization_id) DO UPDATE SET n = event_counts.n + excluded.n",
            )
            .arg(organization_id)
            .arg(n),
        )
        .await?;
    }
    Ok(())
}

/// Empties the views (inside the rebuild's transaction).
pub(crate) async fn clear_views(conn: &mut Conn<'_>) -> Result<(), StoreError> {
    for table in [
        "phone_numbers",
        "number_requests",
        "request_counts",
        "request_count_deltas",
        "event_counts",
    ] {
        conn.execute(Sql::from(format!("DELETE FROM {table}")))
            .await?;
    }
    Ok(())
}
