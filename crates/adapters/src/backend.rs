//! Queries written once and compiled for each backend: the `backend!` macro
//! expands the same module body with PostgreSQL's and SQLite's concrete sqlx
//! types, so both stores run exactly the same SQL (numbered parameters,
//! `ON CONFLICT`, no vendor syntax). What genuinely differs (locking the
//! projector, drawing a request number) is passed in or lives in `desk.rs`.

macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::rows::Param::I64(v) => query.bind(v),
                $crate::rows::Param::Text(v) => query.bind(v),
                $crate::rows::Param::Time(v) => query.bind(v),
                $crate::rows::Param::Uuid(v) => query.bind(v),
            };
        }
        query
    }};
}

macro_rules! backend {
    ($module:ident, $db:ty, $begin:expr, $lock_checkpoint:expr, $sequence:expr) => {
        /// Queries compiled for one backend (see the module docs).
        pub(crate) mod $module {
            use crate::fold::{fold, Projection};
            use crate::keyset::{self, Order, Side};
            use crate::model::{
                AuditFilter, NumberRequestView, Page, PageRequest, PhoneNumberFilter,
                PhoneNumberView, RecordedEvent, RequestFilter,
            };
            use crate::rows::{
                occurred_at_text, EventRow, Param, Sql, ViewRow, EVENT_COLUMNS, PHONE_COLUMNS,
                VIEW_COLUMNS,
            };
            use crate::StoreError;
            use cqrs_es::Aggregate;
            use numberdesk_domain::{NumberRequest, RequestStatus};
            use sqlx::types::Json;
            use std::collections::BTreeMap;
            use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
            use uuid::Uuid;

            type Db = $db;
            type Pool = sqlx::Pool<Db>;
            type Conn = <Db as sqlx::Database>::Connection;

            /// Starts the projector's transaction and reads its checkpoint,
            /// holding the lock that serialises projectors until commit.
            pub async fn begin_projection(
                pool: &Pool,
            ) -> Result<(sqlx::Transaction<'static, Db>, i64), StoreError> {
                let mut tx = pool.begin_with($begin).await?;
                let position: i64 = sqlx::query_scalar($lock_checkpoint)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok((tx, position))
            }

            /// Moves the checkpoint.
            pub async fn set_checkpoint(conn: &mut Conn, position: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE name = 'views'")
                    .bind(position)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Empties the views (inside the rebuild's transaction).
            pub async fn clear_views(conn: &mut Conn) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM phone_numbers").execute(&mut *conn).await?;
                sqlx::query("DELETE FROM number_requests").execute(&mut *conn).await?;
                sqlx::query("DELETE FROM request_counts").execute(&mut *conn).await?;
                sqlx::query("DELETE FROM event_counts").execute(&mut *conn).await?;
                Ok(())
            }

            async fn history_until(
                conn: &mut Conn,
                aggregate_id: &str,
                until: i64,
            ) -> Result<Vec<RecordedEvent>, StoreError> {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                     AND position <= $3 ORDER BY sequence"
                );
                let rows: Vec<EventRow> = sqlx::query_as(&sql)
                    .bind(NumberRequest::TYPE)
                    .bind(aggregate_id)
                    .bind(until)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.into_iter().map(EventRow::into_recorded).collect()
            }

            /// Writes the views of one request, replacing what was there.
            pub async fn write_projection(
                conn: &mut Conn,
                projection: &Projection,
            ) -> Result<(), StoreError> {
                let v = &projection.request;
                let previous: Option<String> =
                    sqlx::query_scalar("SELECT status FROM number_requests WHERE id = $1")
                        .bind(v.id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let placeholders: Vec<String> =
                    (1..=VIEW_COLUMNS.len()).map(|i| format!("${i}")).collect();
                let updates: Vec<String> = VIEW_COLUMNS[1..]
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                let sql = format!(
                    "INSERT INTO number_requests ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
                    VIEW_COLUMNS.join(", "),
                    placeholders.join(", "),
                    updates.join(", ")
                );
                sqlx::query(&sql)
                    .bind(v.id)
                    .bind(v.uuid)
                    .bind(v.organization_id)
                    .bind(v.account_id)
                    .bind(&v.country)
                    .bind(&v.number_type)
                    .bind(&v.use_case)
                    .bind(v.status.as_str())
                    .bind(&v.requested_area)
                    .bind(&v.company_name)
                    .bind(&v.vat_number)
                    .bind(&v.address)
                    .bind(&v.website)
                    .bind(&v.contact_name)
                    .bind(&v.contact_email)
                    .bind(&v.assigned_to)
                    .bind(&v.ops_notes)
                    .bind(v.provisioned_number_id)
                    .bind(v.quantity)
                    .bind(v.range_size)
                    .bind(&v.area_code)
                    .bind(&v.city)
                    .bind(&v.region)
                    .bind(&v.comment)
                    .bind(&v.callback_url)
                    .bind(v.attempt)
                    .bind(&v.carrier_order_id)
                    .bind(Json(&v.ordered_numbers))
                    .bind(Json(&v.provisioned_numbers))
                    .bind(Json(&v.failed_numbers))
                    .bind(&v.reason)
                    .bind(v.created_at)
                    .bind(v.updated_at)
                    .bind(v.version)
                    .execute(&mut *conn)
                    .await?;
                if previous.is_none() {
                    zero_counts(conn, v.organization_id).await?;
                }
                move_count(conn, v.organization_id, previous.as_deref(), v.status.as_str()).await?;
                sqlx::query("DELETE FROM phone_numbers WHERE request_id = $1")
                    .bind(v.uuid)
                    .execute(&mut *conn)
                    .await?;
                for p in &projection.phone_numbers {
                    let sql = format!(
                        "INSERT INTO phone_numbers ({PHONE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    );
                    sqlx::query(&sql)
                        .bind(p.id)
                        .bind(&p.phone_number)
                        .bind(p.organization_id)
                        .bind(p.account_id)
                        .bind(p.request_id)
                        .bind(p.request_number)
                        .bind(&p.carrier_order_id)
                        .bind(&p.status)
                        .bind(p.provisioned_at)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }

            /// Gives an organisation a `request_counts` row for every status
            /// (zero until a request has it), when its first request is
            /// written: the rows then never depend on which statuses passes
            /// happened to see, so a rebuild recreates them row for row.
            async fn zero_counts(conn: &mut Conn, organization_id: i64) -> Result<(), StoreError> {
                let values: Vec<String> = RequestStatus::ALL
                    .iter()
                    .map(|s| format!("($1, '{}', 0)", s.as_str()))
                    .collect();
                let sql = format!(
                    "INSERT INTO request_counts (organization_id, status, n) VALUES {} \
                     ON CONFLICT (organization_id, status) DO NOTHING",
                    values.join(", ")
                );
                sqlx::query(&sql).bind(organization_id).execute(&mut *conn).await?;
                Ok(())
            }

            /// Keeps `request_counts` (requests per organisation and status)
            /// in step with the view row just written, in the same
            /// transaction: list totals and stats read it instead of
            /// counting rows, so their cost does not grow with the log.
            async fn move_count(
                conn: &mut Conn,
                organization_id: i64,
                from: Option<&str>,
                to: &str,
            ) -> Result<(), StoreError> {
                if from == Some(to) {
                    return Ok(());
                }
                if let Some(from) = from {
                    sqlx::query(
                        "UPDATE request_counts SET n = n - 1 WHERE organization_id = $1 AND status = $2",
                    )
                    .bind(organization_id)
                    .bind(from)
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO request_counts (organization_id, status, n) VALUES ($1, $2, 1) \
                     ON CONFLICT (organization_id, status) DO UPDATE SET n = request_counts.n + 1",
                )
                .bind(organization_id)
                .bind(to)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// Applies up to `limit` events after `after` to the views and
            /// moves the checkpoint: returns the new checkpoint and how many
            /// events it covered, or `None` when the log holds nothing newer.
            pub async fn project_batch(
                conn: &mut Conn,
                after: i64,
                limit: i64,
            ) -> Result<Option<(i64, u64)>, StoreError> {
                // The single sequencer: positions for rows committed since the
                // last pass (the caller holds the checkpoint lock).
                let sequence: Option<&str> = $sequence;
                if let Some(sequence) = sequence {
                    sqlx::query(sequence).bind(limit).execute(&mut *conn).await?;
                }
                let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT position, aggregate_type, aggregate_id, organization_id FROM events \
                     WHERE position > $1 ORDER BY position LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?;
                let Some(last) = rows.last().map(|r| r.0) else {
                    return Ok(None);
                };
                let mut touched: Vec<&str> = Vec::new();
                let mut per_organization: BTreeMap<i64, i64> = BTreeMap::new();
                for (_, aggregate_type, aggregate_id, organization_id) in &rows {
                    if aggregate_type != NumberRequest::TYPE {
                        continue;
                    }
                    if !touched.contains(&aggregate_id.as_str()) {
                        touched.push(aggregate_id);
                    }
                    if let Some(organization_id) = organization_id {
                        *per_organization.entry(*organization_id).or_default() += 1;
                    }
                }
                for aggregate_id in touched {
                    let events = history_until(conn, aggregate_id, last).await?;
                    if let Some(projection) = fold(&events)? {
                        write_projection(conn, &projection).await?;
                    }
                }
                for (organization_id, n) in per_organization {
                    sqlx::query(
                        "INSERT INTO event_counts (organization_id, n) VALUES ($1, $2) \
                         ON CONFLICT (organization_id) DO UPDATE SET n = event_counts.n + excluded.n",
                    )
                    .bind(organization_id)
                    .bind(n)
                    .execute(&mut *conn)
                    .await?;
                }
                set_checkpoint(conn, last).await?;
                Ok(Some((last, rows.len() as u64)))
            }

            /// The checkpoint, without locking.
            pub async fn checkpoint(pool: &Pool) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT position FROM projection_checkpoints WHERE name = 'views'",
                )
                .fetch_one(pool)
                .await?)
            }

            /// The position the log reaches once every committed event is
            /// sequenced: the highest position plus the events still without
            /// one (0 when empty).
            pub async fn head(pool: &Pool) -> Result<i64, StoreError> {
                let head: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(MAX(position), 0) \
                     + (SELECT COUNT(*) FROM events WHERE position IS NULL) AS BIGINT) FROM events",
                )
                .fetch_one(pool)
                .await?;
                Ok(head)
            }

            fn view_select() -> String {
                format!("SELECT {} FROM number_requests", VIEW_COLUMNS.join(", "))
            }

            /// One request's view by aggregate id.
            pub async fn request(pool: &Pool, id: Uuid) -> Result<Option<NumberRequestView>, StoreError> {
                let sql = format!("{} WHERE uuid = $1", view_select());
                let row: Option<ViewRow> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
                row.map(ViewRow::into_view).transpose()
            }

            /// One request's view by its integer number.
            pub async fn request_by_number(
                pool: &Pool,
                number: i64,
            ) -> Result<Option<NumberRequestView>, StoreError> {
                let sql = format!("{} WHERE id = $1", view_select());
                let row: Option<ViewRow> = sqlx::query_as(&sql).bind(number).fetch_optional(pool).await?;
                row.map(ViewRow::into_view).transpose()
            }

            fn orgs(sql: &mut Sql, organization_ids: &Option<Vec<i64>>) {
                if let Some(ids) = organization_ids {
                    sql.push(" AND ");
                    sql.push_in("organization_id", ids.iter().map(|i| Param::I64(*i)));
                }
            }


            async fn count(pool: &Pool, table: &str, filter: &Sql) -> Result<i64, StoreError> {
                let text = format!("SELECT COUNT(*) FROM {table} WHERE 1 = 1{}", filter.text);
                let query = sqlx::query_scalar::<_, i64>(&text);
                let query = bind_params!(query, filter.params.iter().cloned());
                Ok(query.fetch_one(pool).await?)
            }

            /// Whether matching items lie beyond the page's `after` and
            /// `before` cursors (the previous and next side).
            async fn beyond_cursors(
                pool: &Pool,
                table: &str,
                conditions: &Sql,
                column: &str,
                order: Order,
                page: &PageRequest,
            ) -> Result<(bool, bool), StoreError> {
                let mut answers = [false, false];
                for (answer, side) in answers.iter_mut().zip([Side::Previous, Side::Next]) {
                    if let Some(filter) = keyset::beyond(conditions, column, order, page, side) {
                        let text = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE 1 = 1{})", filter.text);
                        let query = sqlx::query_scalar::<_, bool>(&text);
                        *answer = bind_params!(query, filter.params).fetch_one(pool).await?;
                    }
                }
                Ok((answers[0], answers[1]))
            }

            /// Requests matching `filter`, newest first, keyset on the number.
            pub async fn list_requests(
                pool: &Pool,
                filter: &RequestFilter,
                page: &PageRequest,
            ) -> Result<Page<NumberRequestView>, StoreError> {
                let mut conditions = Sql::default();
                orgs(&mut conditions, &filter.organization_ids);
                if !filter.statuses.is_empty() {
                    conditions.push(" AND ");
                    conditions.push_in(
                        "status",
                        filter.statuses.iter().map(|s| Param::Text(s.as_str().to_owned())),
                    );
                }
                if let Some(country) = &filter.country {
                    conditions.push(" AND country = ").bind(Param::Text(country.as_str().to_owned()));
                }
                if let Some(assignee) = &filter.assigned_to {
                    conditions.push(" AND assigned_to = ").bind(Param::Text(assignee.clone()));
                }
                if let Some(after) = filter.created_after {
                    conditions.push(" AND created_at >= ").bind(Param::Time(after));
                }
                if let Some(before) = filter.created_before {
                    conditions.push(" AND created_at < ").bind(Param::Time(before));
                }
                let by_status_only = filter.country.is_none()
                    && filter.assigned_to.is_none()
                    && filter.created_after.is_none()
                    && filter.created_before.is_none();
                let total_count = match (page.with_total, by_status_only) {
                    (false, _) => None,
                    (true, true) => Some(counted(pool, &filter.organization_ids, &filter.statuses).await?),
                    (true, false) => Some(count(pool, "number_requests", &conditions).await?),
                };
                let (previous, next) =
                    beyond_cursors(pool, "number_requests", &conditions, "id", Order::Descending, page).await?;
                let mut sql = Sql::new(&format!("{} WHERE 1 = 1", view_select()));
                sql.push(&conditions.text);
                sql.params = conditions.params;
                keyset::window(&mut sql, "id", Order::Descending, page);
                let query = sqlx::query_as::<_, ViewRow>(&sql.text);
                let rows = bind_params!(query, sql.params).fetch_all(pool).await?;
                let items = rows.into_iter().map(ViewRow::into_view).collect::<Result<Vec<_>, _>>()?;
                Ok(keyset::page_of(items, page, previous, next, total_count))
            }

            /// Provisioned numbers matching `filter`, ascending id.
            pub async fn list_phone_numbers(
                pool: &Pool,
                filter: &PhoneNumberFilter,
                page: &PageRequest,
            ) -> Result<Page<PhoneNumberView>, StoreError> {
                let mut conditions = Sql::default();
                orgs(&mut conditions, &filter.organization_ids);
                if let Some(account) = filter.account_id {
                    conditions.push(" AND account_id = ").bind(Param::Uuid(account));
                }
                if let Some(request) = filter.request_id {
                    conditions.push(" AND request_id = ").bind(Param::Uuid(request));
                }
                let total_count = if page.with_total { Some(count(pool, "phone_numbers", &conditions).await?) } else { None };
                let (previous, next) =
                    beyond_cursors(pool, "phone_numbers", &conditions, "id", Order::Ascending, page).await?;
                let mut sql = Sql::new(&format!("SELECT {PHONE_COLUMNS} FROM phone_numbers WHERE 1 = 1"));
                sql.push(&conditions.text);
                sql.params = conditions.params;
                keyset::window(&mut sql, "id", Order::Ascending, page);
                let query = sqlx::query_as::<_, PhoneNumberView>(&sql.text);
                let items = bind_params!(query, sql.params).fetch_all(pool).await?;
                Ok(keyset::page_of(items, page, previous, next, total_count))
            }

            /// Every event of one request, in order.
            pub async fn history(pool: &Pool, id: Uuid) -> Result<Vec<RecordedEvent>, StoreError> {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                     AND position IS NOT NULL ORDER BY sequence"
                );
                let rows: Vec<EventRow> = sqlx::query_as(&sql)
                    .bind(NumberRequest::TYPE)
                    .bind(id.to_string())
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(EventRow::into_recorded).collect()
            }

            /// The audit feed: ascending position, keyset on position.
            pub async fn audit_log(
                pool: &Pool,
                filter: &AuditFilter,
                page: &PageRequest,
                checkpoint_seen: &AtomicI64,
            ) -> Result<Page<RecordedEvent>, StoreError> {
                let mut conditions = Sql::default();
                // Only sequenced events: an unsequenced one has no place in the
                // order yet (it gets one at the next projector pass).
                conditions.push(" AND position IS NOT NULL AND aggregate_type = ").bind(Param::Text(NumberRequest::TYPE.to_owned()));
                orgs(&mut conditions, &filter.organization_ids);
                if let Some(actor) = &filter.actor {
                    conditions.push(" AND actor = ").bind(Param::Text(actor.clone()));
                }
                if !filter.event_types.is_empty() {
                    conditions.push(" AND ");
                    conditions.push_in(
                        "event_type",
                        filter.event_types.iter().map(|t| Param::Text(t.clone())),
                    );
                }
                if let Some(from) = filter.from {
                    conditions.push(" AND occurred_at >= ").bind(Param::Text(occurred_at_text(from, true)));
                }
                if let Some(to) = filter.to {
                    conditions.push(" AND occurred_at < ").bind(Param::Text(occurred_at_text(to, true)));
                }
                let by_organization_only = filter.actor.is_none()
                    && filter.event_types.is_empty()
                    && filter.from.is_none()
                    && filter.to.is_none();
                let total_count = match (page.with_total, by_organization_only) {
                    (false, _) => None,
                    (true, true) => Some(counted_events(pool, &filter.organization_ids, &conditions, checkpoint_seen).await?),
                    (true, false) => Some(count(pool, "events", &conditions).await?),
                };
                let (previous, next) =
                    beyond_cursors(pool, "events", &conditions, "position", Order::Ascending, page).await?;
                let mut sql = Sql::new(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1 = 1"));
                sql.push(&conditions.text);
                sql.params = conditions.params;
                keyset::window(&mut sql, "position", Order::Ascending, page);
                let query = sqlx::query_as::<_, EventRow>(&sql.text);
                let rows = bind_params!(query, sql.params).fetch_all(pool).await?;
                let items = rows.into_iter().map(EventRow::into_recorded).collect::<Result<Vec<_>, _>>()?;
                Ok(keyset::page_of(items, page, previous, next, total_count))
            }

            /// Committed events after `position`, ascending.
            pub async fn events_after(
                pool: &Pool,
                position: i64,
                limit: i64,
            ) -> Result<Vec<RecordedEvent>, StoreError> {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 AND aggregate_type = $2 \
                     ORDER BY position LIMIT $3"
                );
                let rows: Vec<EventRow> = sqlx::query_as(&sql)
                    .bind(position)
                    .bind(NumberRequest::TYPE)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(EventRow::into_recorded).collect()
            }

            /// Requests of these organisations in these statuses, from
            /// `request_counts` (no row scan).
            async fn counted(
                pool: &Pool,
                organization_ids: &Option<Vec<i64>>,
                statuses: &[RequestStatus],
            ) -> Result<i64, StoreError> {
                let mut sql = Sql::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM request_counts WHERE 1 = 1");
                orgs(&mut sql, organization_ids);
                if !statuses.is_empty() {
                    sql.push(" AND ");
                    sql.push_in("status", statuses.iter().map(|s| Param::Text(s.as_str().to_owned())));
                }
                let query = sqlx::query_scalar::<_, i64>(&sql.text);
                Ok(bind_params!(query, sql.params).fetch_one(pool).await?)
            }

            /// Events of these organisations, without counting the log: the
            /// projector's counts up to its checkpoint plus the events after it.
            /// One statement reads the counts, the checkpoint and (only when
            /// the *guessed* checkpoint is the real one) the events after it,
            /// in one snapshot; the total is exact when the guess was right,
            /// else it is retried with the checkpoint read (and a projector
            /// that keeps moving gets a real count). The guess is bound as a value, so the planner sees
            /// how few events follow it (as a subquery it guessed a third of
            /// the log and ran a parallel scan: 6 ms at 1M events).
            async fn counted_events(
                pool: &Pool,
                organization_ids: &Option<Vec<i64>>,
                conditions: &Sql,
                checkpoint_seen: &AtomicI64,
            ) -> Result<i64, StoreError> {
                let mut at = checkpoint_seen.load(AtomicOrdering::Relaxed);
                for _ in 0..3 {
                    let mut sql = Sql::new(
                        "SELECT CAST((SELECT COALESCE(SUM(n), 0) FROM event_counts WHERE 1 = 1",
                    );
                    orgs(&mut sql, organization_ids);
                    // The tail is counted only when the guess is right: a stale
                    // guess (say, after a bulk load) would otherwise count
                    // everything after it, only for the result to be dropped.
                    sql.push(") AS BIGINT), (SELECT position FROM projection_checkpoints WHERE name = 'views'), \
                              CASE WHEN (SELECT position FROM projection_checkpoints WHERE name = 'views') = ")
                        .bind(Param::I64(at))
                        .push(" THEN (SELECT COUNT(*) FROM events WHERE aggregate_type = ")
                        .bind(Param::Text(NumberRequest::TYPE.to_owned()));
                    orgs(&mut sql, organization_ids);
                    sql.push(" AND position > ").bind(Param::I64(at)).push(") ELSE 0 END");
                    let query = sqlx::query_as::<_, (i64, i64, i64)>(&sql.text);
                    let (counted, checkpoint, after) = bind_params!(query, sql.params).fetch_one(pool).await?;
                    if checkpoint == at {
                        return Ok(counted + after);
                    }
                    at = checkpoint;
                    checkpoint_seen.store(checkpoint, AtomicOrdering::Relaxed);
                }
                count(pool, "events", conditions).await
            }

            /// How many requests are in each status (every status present).
            pub async fn stats(
                pool: &Pool,
                organization_ids: Option<&[i64]>,
            ) -> Result<BTreeMap<RequestStatus, i64>, StoreError> {
                let mut sql = Sql::new(
                    "SELECT status, CAST(SUM(n) AS BIGINT) FROM request_counts WHERE 1 = 1",
                );
                orgs(&mut sql, &organization_ids.map(<[i64]>::to_vec));
                sql.push(" GROUP BY status");
                let query = sqlx::query_as::<_, (String, i64)>(&sql.text);
                let rows = bind_params!(query, sql.params).fetch_all(pool).await?;
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
            pub async fn dump_views(
                pool: &Pool,
            ) -> Result<(Vec<NumberRequestView>, Vec<PhoneNumberView>), StoreError> {
                let sql = format!("{} ORDER BY id", view_select());
                let rows: Vec<ViewRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
                let views = rows.into_iter().map(ViewRow::into_view).collect::<Result<Vec<_>, _>>()?;
                let sql = format!("SELECT {PHONE_COLUMNS} FROM phone_numbers ORDER BY id");
                let phones: Vec<PhoneNumberView> = sqlx::query_as(&sql).fetch_all(pool).await?;
                Ok((views, phones))
            }
        }
    };
}

/// PostgreSQL's sequencer (run under the checkpoint lock, so by one pass at
/// a time in the whole database): up to `$1` committed rows without a
/// position get the next gap-free positions after the highest one, in
/// (transaction id, request, sequence) order. Only rows visible to the
/// statement, i.e. committed ones, can be stamped; the pass commits before
/// the next one reads the highest position, so every new position lies above
/// every position a reader has seen.
pub(crate) const PG_SEQUENCE: &str = "UPDATE events e SET position = s.position FROM ( \
     SELECT aggregate_type, aggregate_id, sequence, \
            (SELECT COALESCE(MAX(position), 0) FROM events) \
              + ROW_NUMBER() OVER (ORDER BY txid, aggregate_type, aggregate_id, sequence) AS position \
     FROM events WHERE position IS NULL \
     ORDER BY txid, aggregate_type, aggregate_id, sequence LIMIT $1) s \
     WHERE e.aggregate_type = s.aggregate_type AND e.aggregate_id = s.aggregate_id \
       AND e.sequence = s.sequence";

backend!(
    pg,
    sqlx::Postgres,
    "BEGIN",
    "SELECT position FROM projection_checkpoints WHERE name = 'views' FOR UPDATE",
    Some(crate::backend::PG_SEQUENCE)
);
// BEGIN IMMEDIATE takes SQLite's single write lock at once: projectors (and
// every other writer) queue on it.
backend!(
    lite,
    sqlx::Sqlite,
    "BEGIN IMMEDIATE",
    "SELECT position FROM projection_checkpoints WHERE name = 'views'",
    None
);
