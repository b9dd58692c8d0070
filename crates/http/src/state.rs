//! What the HTTP handlers share.

use crate::rest::list_cache::ListCache;
use axum::extract::FromRef;
use numberdesk_application::AppState;
use numberdesk_graphql::NumberDeskSchema;

/// What the handlers share: the state, the built schema and the REST list cache.
#[derive(Clone)]
pub struct HttpState {
    /// Shared state.
    pub app: AppState,
    /// The GraphQL schema.
    pub schema: NumberDeskSchema,
    /// Finished REST list pages, while the views are unchanged.
    pub list_cache: ListCache,
}

impl FromRef<HttpState> for AppState {
    fn from_ref(state: &HttpState) -> AppState {
        state.app.clone()
    }
}
