//! `?limit=&cursor=` of the REST lists, shared by every list route.

use super::contract::Pagination;
use numberdesk_adapters::{Page, PageRequest};
use numberdesk_application::error::ApiError;
use numberdesk_application::state::ApiSettings;
use serde::Deserialize;

/// The paging part of a list route's query string.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Page size, 1 to the configured maximum.
    pub limit: Option<String>,
    /// The previous page's `pagination.next_cursor`.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// Validates the parameters into a keyset page request.
    pub fn page_request(&self, settings: &ApiSettings) -> Result<PageRequest, ApiError> {
        let first = match self.limit.as_deref() {
            None => settings.default_page_size,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=settings.max_page_size).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "limit",
                        format!("must be an integer from 1 to {}", settings.max_page_size),
                    )
                })?,
        };
        let after = self
            .cursor
            .as_deref()
            .map(|text| numberdesk_graphql::schema::parse_cursor("cursor", text))
            .transpose()?;
        Ok(PageRequest {
            first,
            after,
            with_total: true,
            ..PageRequest::default()
        })
    }
}

/// The pagination block of a page whose items are keyed by `key`.
pub fn pagination<T>(page: &Page<T>, limit: u32, key: impl Fn(&T) -> i64) -> Pagination {
    Pagination {
        limit,
        next_cursor: page
            .has_next_page
            .then(|| page.items.last().map(|item| key(item).to_string()))
            .flatten(),
        // REST lists always ask for the total (`with_total: true`).
        total: page.total_count.unwrap_or_default(),
    }
}
