//! Relay paging arguments (`first`/`after`, `last`/`before`) into the
//! store's keyset page, and its pages back into connections.

use super::types::TotalCount;
use async_graphql::connection::{Connection, Edge};
use numberdesk_adapters::{Page, PageRequest};
use numberdesk_application::ApiError;
use numberdesk_application::AppState;

/// A Relay connection whose cursors are the keyset values of the items.
pub type KeysetConnection<T> = Connection<String, T, TotalCount>;

/// Parses a keyset cursor this API handed out (REST and GraphQL alike): the
/// decimal key of an item, a positive integer written without sign or
/// leading zeros. Anything else (`-5`, `+5`, `007`, garbage) is refused.
pub fn parse_cursor(field: &str, cursor: &str) -> Result<i64, ApiError> {
    cursor
        .parse::<i64>()
        .ok()
        .filter(|key| *key > 0 && key.to_string() == cursor)
        .ok_or_else(|| ApiError::bad_field(field, "is not a cursor returned by this API"))
}

/// The paging arguments of one connection field.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    /// Relay `first`.
    pub first: Option<i32>,
    /// Relay `after`.
    pub after: Option<String>,
    /// Relay `last`.
    pub last: Option<i32>,
    /// Relay `before`.
    pub before: Option<String>,
}

fn page_size(state: &AppState, field: &str, size: Option<i32>) -> Result<u32, ApiError> {
    let max = state.settings.max_page_size;
    match size {
        None => Ok(state.settings.default_page_size),
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::bad_field(field, format!("must be between 1 and {max}"))),
    }
}

impl PageArgs {
    /// Validates the arguments into the store's page request: `first` pages
    /// forwards from `after`, `last` backwards from `before`; both cursors
    /// may bound either direction.
    pub fn page_request(&self, state: &AppState) -> Result<PageRequest, ApiError> {
        let (size, from_end) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_field(
                    "last",
                    "cannot be combined with first: page forwards with first/after \
                     or backwards with last/before",
                ))
            }
            (first, None) => (page_size(state, "first", first)?, false),
            (None, last) => (page_size(state, "last", last)?, true),
        };
        let cursor = |field: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|text| parse_cursor(field, text))
                .transpose()
        };
        Ok(PageRequest {
            first: size,
            after: cursor("after", &self.after)?,
            before: cursor("before", &self.before)?,
            from_end,
            with_total: false,
        })
    }
}

/// The connection of a page: edges with their keys as cursors, and page
/// info true to the data in both directions.
pub fn connection<V, T: async_graphql::OutputType>(
    page: Page<V>,
    total: TotalCount,
    cursor_of: impl Fn(&V) -> i64,
    into: impl Fn(V) -> T,
) -> KeysetConnection<T> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, total);
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(cursor_of(&item).to_string(), into(item))),
    );
    connection
}
