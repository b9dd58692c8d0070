//! The counters kept beside the views (folding the status deltas into
//! `request_counts`, the audit feed's `event_counts`) and emptying the views
//! for a rebuild. The view rows themselves, and the deltas of each status
//! change, are written by `store/view_rows.rs`.

use crate::store::{Conn, Sql};
use crate::StoreError;
use numberdesk_domain::RequestStatus;
use std::collections::BTreeMap;

/// Requests per organisation and status as readers see them: the folded
/// counts plus the deltas not folded yet (one snapshot, one statement).
pub(crate) const REQUEST_COUNTS: &str = "(SELECT organization_id, status, n FROM request_counts \
     UNION ALL SELECT organization_id, status, n FROM request_count_deltas) counts";

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
