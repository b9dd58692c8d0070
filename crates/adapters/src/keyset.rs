//! Keyset paging in both directions: the SQL window of a page and the
//! conditions that tell whether items lie before or after it. The queries
//! themselves run in `backend.rs`, the same for every list.

use crate::model::{Page, PageRequest};
use crate::store::Sql;

/// The order of a list by its key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Smallest key first (phone numbers, audit positions).
    Ascending,
    /// Largest key first (requests, newest first).
    Descending,
}

impl Order {
    /// The operator for "strictly later in the list than the key".
    fn later(self) -> &'static str {
        match self {
            Order::Ascending => " > ",
            Order::Descending => " < ",
        }
    }

    /// The operator for "strictly earlier in the list than the key".
    fn earlier(self) -> &'static str {
        match self {
            Order::Ascending => " < ",
            Order::Descending => " > ",
        }
    }

    /// The operator for "at the key or earlier in the list".
    fn not_later(self) -> &'static str {
        match self {
            Order::Ascending => " <= ",
            Order::Descending => " >= ",
        }
    }

    /// The operator for "at the key or later in the list".
    fn not_earlier(self) -> &'static str {
        match self {
            Order::Ascending => " >= ",
            Order::Descending => " <= ",
        }
    }

    fn sql(self, reversed: bool) -> &'static str {
        match (self, reversed) {
            (Order::Ascending, false) | (Order::Descending, true) => " ASC",
            (Order::Ascending, true) | (Order::Descending, false) => " DESC",
        }
    }
}

/// Appends the page's window (`after`/`before`), its order (reversed for a
/// page taken from the end) and a limit one above the page size, so that a
/// longer result tells that more items lie beyond the page.
pub(crate) fn window(sql: &mut Sql, column: &str, order: Order, page: &PageRequest) {
    if let Some(after) = page.after {
        sql.push(" AND ")
            .push(column)
            .push(order.later())
            .bind(after);
    }
    if let Some(before) = page.before {
        sql.push(" AND ")
            .push(column)
            .push(order.earlier())
            .bind(before);
    }
    sql.push(" ORDER BY ")
        .push(column)
        .push(order.sql(page.from_end))
        .push(" LIMIT ")
        .bind(i64::from(page.first) + 1);
}

/// Which side of the page a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Items before the page (`hasPreviousPage`).
    Previous,
    /// Items after the page (`hasNextPage`).
    Next,
}

/// The filter's conditions plus those matching items beyond the cursor on
/// `side` (the `after` item and everything before it; the `before` item and
/// everything after it), or `None` when the page has no cursor there.
pub(crate) fn beyond(
    conditions: &Sql,
    column: &str,
    order: Order,
    page: &PageRequest,
    side: Side,
) -> Option<Sql> {
    let (operator, key) = match side {
        Side::Previous => (order.not_later(), page.after?),
        Side::Next => (order.not_earlier(), page.before?),
    };
    let mut sql = Sql {
        text: conditions.text.clone(),
        params: conditions.params.clone(),
    };
    sql.push(" AND ").push(column).push(operator).bind(key);
    Some(sql)
}

/// Cuts the fetched rows (fetched towards the page's far end, one more than
/// the page) to the page, in the list's order. `beyond_previous` and
/// `beyond_next` say whether matching items lie beyond the page's cursors.
pub(crate) fn page_of<T>(
    mut items: Vec<T>,
    page: &PageRequest,
    beyond_previous: bool,
    beyond_next: bool,
    total_count: Option<i64>,
) -> Page<T> {
    let size = page.first as usize;
    let fetched_more = items.len() > size;
    items.truncate(size);
    if page.from_end {
        items.reverse();
    }
    Page {
        items,
        has_previous_page: beyond_previous || (page.from_end && fetched_more),
        has_next_page: beyond_next || (!page.from_end && fetched_more),
        total_count,
    }
}
