//! Writing the views of one request, and the counters kept beside them, in
//! the projector's transaction.

use crate::fold::Projection;
use crate::rows::{view_values, PHONE_COLUMNS, VIEW_COLUMNS};
use crate::store::{Conn, Sql};
use crate::StoreError;
use numberdesk_domain::RequestStatus;
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
        "INSERT INTO number_requests ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
        VIEW_COLUMNS.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
});

/// Writes the views of one request, replacing what was there.
pub(crate) async fn write_projection(
    conn: &mut Conn<'_>,
    projection: &Projection,
) -> Result<(), StoreError> {
    let v = &projection.request;
    let previous: Option<(String,)> = conn
        .fetch_optional(Sql::new("SELECT status FROM number_requests WHERE id = $1").arg(v.id))
        .await?;
    let previous = previous.map(|(status,)| status);
    conn.execute(Sql {
        text: UPSERT_VIEW.clone(),
        params: view_values(v).into(),
    })
    .await?;
    if previous.is_none() {
        zero_counts(conn, v.organization_id).await?;
    }
    move_count(
        conn,
        v.organization_id,
        previous.as_deref(),
        v.status.as_str(),
    )
    .await?;
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

/// Gives an organisation a `request_counts` row for every status (zero until
/// a request has it), when its first request is written: the rows then never
/// depend on which statuses passes happened to see, so a rebuild recreates
/// them row for row.
async fn zero_counts(conn: &mut Conn<'_>, organization_id: i64) -> Result<(), StoreError> {
    let values: Vec<String> = RequestStatus::ALL
        .iter()
        .map(|s| format!("($1, '{}', 0)", s.as_str()))
        .collect();
    let sql = format!(
        "INSERT INTO request_counts (organization_id, status, n) VALUES {} \
         ON CONFLICT (organization_id, status) DO NOTHING",
        values.join(", ")
    );
    conn.execute(Sql::from(sql).arg(organization_id)).await?;
    Ok(())
}

/// Keeps `request_counts` (requests per organisation and status) in step
/// with the view row just written, in the same transaction: list totals and
/// stats read it instead of counting rows, so their cost does not grow with
/// the log.
async fn move_count(
    conn: &mut Conn<'_>,
    organization_id: i64,
    from: Option<&str>,
    to: &str,
) -> Result<(), StoreError> {
    if from == Some(to) {
        return Ok(());
    }
    if let Some(from) = from {
        conn.execute(
            Sql::new(
                "UPDATE request_counts SET n = n - 1 WHERE organization_id = $1 AND status = $2",
            )
            .arg(organization_id)
            .arg(from),
        )
        .await?;
    }
    conn.execute(
        Sql::new(
            "INSERT INTO request_counts (organization_id, status, n) VALUES ($1, $2, 1) \
             ON CONFLICT (organization_id, status) DO UPDATE SET n = request_counts.n + 1",
        )
        .arg(organization_id)
        .arg(to),
    )
    .await?;
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
        "event_counts",
    ] {
        conn.execute(Sql::from(format!("DELETE FROM {table}")))
            .await?;
    }
    Ok(())
}
