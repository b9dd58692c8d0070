//! The numberdesk GraphQL schema (queries, mutations, subscriptions) over
//! one [`AppState`]; `numberdesk-http` serves it.
//!
//! The use cases, authorisation ([`auth`]) and the one client-facing error
//! ([`error`]) live in `numberdesk-application`; they are re-exported here
//! under their old paths.

pub mod schema;

pub use numberdesk_application::{auth, callback_policy, error, ordering, state};
pub use numberdesk_application::{ApiSettings, AppState};
pub use schema::{build_schema, NumberDeskSchema, RequestId};
