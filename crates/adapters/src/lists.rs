//! The keyset-paginated lists: requests, provisioned numbers and the audit
//! feed, with totals read from the projector's counters where they can be.

use crate::keyset::{self, Order, Side};
use crate::model::{
    AuditFilter, NumberRequestView, Page, PageRequest, PhoneNumberFilter, PhoneNumberView,
    RecordedEvent, RequestFilter,
};
use crate::reads::{orgs, view_select};
use crate::rows::{occurred_at_text, EventRow, EVENT_COLUMNS, PHONE_COLUMNS};
use crate::store::Sql;
use crate::view_writer::REQUEST_COUNTS;
use crate::{Database, StoreError};
use cqrs_es::Aggregate;
use numberdesk_domain::{NumberRequest, RequestStatus};
use std::sync::atomic::{AtomicI64, Ordering};

/// Whether matching items lie beyond the page's `after` and `before`
/// cursors (the previous and the next side).
async fn beyond_cursors(
    db: &Database,
    table: &str,
    conditions: &Sql,
    column: &str,
    order: Order,
    page: &PageRequest,
) -> Result<(bool, bool), StoreError> {
    let mut answers = [false, false];
    for (answer, side) in answers.iter_mut().zip([Side::Previous, Side::Next]) {
        if let Some(filter) = keyset::beyond(conditions, column, order, page, side) {
            let sql = Sql {
                text: format!(
                    "SELECT EXISTS (SELECT 1 FROM {table} WHERE 1 = 1{})",
                    filter.text
                ),
                params: filter.params,
            };
            *answer = db.scalar(sql).await?;
        }
    }
    Ok((answers[0], answers[1]))
}

/// `SELECT COUNT(*) FROM table WHERE 1 = 1 <conditions>`.
async fn count(db: &Database, table: &str, conditions: &Sql) -> Result<i64, StoreError> {
    let sql = Sql {
        text: format!(
            "SELECT COUNT(*) FROM {table} WHERE 1 = 1{}",
            conditions.text
        ),
        params: conditions.params.clone(),
    };
    db.scalar(sql).await
}

/// `head` followed by `conditions` (whose placeholders start at `$1`).
fn select(head: String, conditions: Sql) -> Sql {
    Sql {
        text: head + &conditions.text,
        params: conditions.params,
    }
}

/// Requests matching `filter`, newest first, keyset on the number.
pub(crate) async fn list_requests(
    db: &Database,
    filter: &RequestFilter,
    page: &PageRequest,
) -> Result<Page<NumberRequestView>, StoreError> {
    let mut conditions = Sql::default();
    orgs(&mut conditions, &filter.organization_ids);
    if !filter.statuses.is_empty() {
        conditions.push(" AND ");
        conditions.push_in("status", filter.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(country) = &filter.country {
        conditions.push(" AND country = ").bind(country.as_str());
    }
    if let Some(assignee) = &filter.assigned_to {
        conditions.push(" AND assigned_to = ").bind(assignee);
    }
    if let Some(after) = filter.created_after {
        conditions.push(" AND created_at >= ").bind(after);
    }
    if let Some(before) = filter.created_before {
        conditions.push(" AND created_at < ").bind(before);
    }
    let by_status_only = filter.country.is_none()
        && filter.assigned_to.is_none()
        && filter.created_after.is_none()
        && filter.created_before.is_none();
    let total_count = match (page.with_total, by_status_only) {
        (false, _) => None,
        (true, true) => Some(counted(db, &filter.organization_ids, &filter.statuses).await?),
        (true, false) => Some(count(db, "number_requests", &conditions).await?),
    };
    let (previous, next) = beyond_cursors(
        db,
        "number_requests",
        &conditions,
        "id",
        Order::Descending,
        page,
    )
    .await?;
    let mut sql = select(format!("{} WHERE 1 = 1", view_select()), conditions);
    keyset::window(&mut sql, "id", Order::Descending, page);
    let items: Vec<NumberRequestView> = db.fetch_all(sql).await?;
    Ok(keyset::page_of(items, page, previous, next, total_count))
}

/// Provisioned numbers matching `filter`, ascending id.
pub(crate) async fn list_phone_numbers(
    db: &Database,
    filter: &PhoneNumberFilter,
    page: &PageRequest,
) -> Result<Page<PhoneNumberView>, StoreError> {
    let mut conditions = Sql::default();
    orgs(&mut conditions, &filter.organization_ids);
    if let Some(account) = filter.account_id {
        conditions.push(" AND account_id = ").bind(account);
    }
    if let Some(request) = filter.request_id {
        conditions.push(" AND request_id = ").bind(request);
    }
    let total_count = if page.with_total {
        Some(count(db, "phone_numbers", &conditions).await?)
    } else {
        None
    };
    let head = format!("SELECT {PHONE_COLUMNS} FROM phone_numbers WHERE 1 = 1");
    let (previous, next) = beyond_cursors(
        db,
        "phone_numbers",
        &conditions,
        "id",
        Order::Ascending,
        page,
    )
    .await?;
    let mut sql = select(head, conditions);
    keyset::window(&mut sql, "id", Order::Ascending, page);
    let items: Vec<PhoneNumberView> = db.fetch_all(sql).await?;
    Ok(keyset::page_of(items, page, previous, next, total_count))
}

/// The audit feed: ascending position, keyset on position.
pub(crate) async fn audit_log(
    db: &Database,
    filter: &AuditFilter,
    page: &PageRequest,
    checkpoint_seen: &AtomicI64,
) -> Result<Page<RecordedEvent>, StoreError> {
    let mut conditions = Sql::default();
    // Only sequenced events: an unsequenced one has no place in the order yet
    // (it gets one at the next projector pass).
    conditions
        .push(" AND position IS NOT NULL AND aggregate_type = ")
        .bind(NumberRequest::TYPE);
    orgs(&mut conditions, &filter.organization_ids);
    if let Some(actor) = &filter.actor {
        conditions.push(" AND actor = ").bind(actor);
    }
    if !filter.event_types.is_empty() {
        conditions.push(" AND ");
        conditions.push_in("event_type", filter.event_types.iter());
    }
    if let Some(from) = filter.from {
        conditions
            .push(" AND occurred_at >= ")
            .bind(occurred_at_text(from, true));
    }
    if let Some(to) = filter.to {
        conditions
            .push(" AND occurred_at < ")
            .bind(occurred_at_text(to, true));
    }
    let by_organization_only = filter.actor.is_none()
        && filter.event_types.is_empty()
        && filter.from.is_none()
        && filter.to.is_none();
    let total_count = match (page.with_total, by_organization_only) {
        (false, _) => None,
        (true, true) => {
            Some(counted_events(db, &filter.organization_ids, &conditions, checkpoint_seen).await?)
        }
        (true, false) => Some(count(db, "events", &conditions).await?),
    };
    let head = format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1 = 1");
    let (previous, next) = beyond_cursors(
        db,
        "events",
        &conditions,
        "position",
        Order::Ascending,
        page,
    )
    .await?;
    let mut sql = select(head, conditions);
    keyset::window(&mut sql, "position", Order::Ascending, page);
    let rows: Vec<EventRow> = db.fetch_all(sql).await?;
    let items = rows
        .into_iter()
        .map(EventRow::into_recorded)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(keyset::page_of(items, page, previous, next, total_count))
}

/// Requests of these organisations in these statuses, from `request_counts`
/// (no row scan).
async fn counted(
    db: &Database,
    organization_ids: &Option<Vec<i64>>,
    statuses: &[RequestStatus],
) -> Result<i64, StoreError> {
    let mut sql = Sql::from(format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM {REQUEST_COUNTS} WHERE 1 = 1"
    ));
    orgs(&mut sql, organization_ids);
    if !statuses.is_empty() {
        sql.push(" AND ");
        sql.push_in("status", statuses.iter().map(|s| s.as_str()));
    }
    db.scalar(sql).await
}

/// Events of these organisations, without counting the log: the projector's
/// counts up to its checkpoint plus the events after it. One statement reads
/// the counts, the checkpoint and (only when the *guessed* checkpoint is the
/// real one) the events after it, in one snapshot; the total is exact when
/// the guess was right, else it is retried with the checkpoint read (and a
/// projector that keeps moving gets a real count). The guess is bound as a
/// value, so the planner sees how few events follow it (as a subquery it
/// guessed a third of the log and ran a parallel scan: 6 ms at 1M events).
async fn counted_events(
    db: &Database,
    organization_ids: &Option<Vec<i64>>,
    conditions: &Sql,
    checkpoint_seen: &AtomicI64,
) -> Result<i64, StoreError> {
    let mut at = checkpoint_seen.load(Ordering::Relaxed);
    for _ in 0..3 {
        let mut sql =
            Sql::new("SELECT CAST((SELECT COALESCE(SUM(n), 0) FROM event_counts WHERE 1 = 1");
        orgs(&mut sql, organization_ids);
        // The tail is counted only when the guess is right: a stale guess
        // (say, after a bulk load) would otherwise count everything after
        // it, only for the result to be dropped.
        sql.push(
            ") AS BIGINT), (SELECT position FROM projection_checkpoints WHERE name = 'views'), \
             CASE WHEN (SELECT position FROM projection_checkpoints WHERE name = 'views') = ",
        )
        .bind(at)
        .push(" THEN (SELECT COUNT(*) FROM events WHERE aggregate_type = ")
        .bind(NumberRequest::TYPE);
        orgs(&mut sql, organization_ids);
        sql.push(" AND position > ").bind(at).push(") ELSE 0 END");
        let (counted, checkpoint, after): (i64, i64, i64) = db.fetch_one(sql).await?;
        if checkpoint == at {
            return Ok(counted + after);
        }
        at = checkpoint;
        checkpoint_seen.store(checkpoint, Ordering::Relaxed);
    }
    count(db, "events", conditions).await
}
