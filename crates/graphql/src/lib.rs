//! The numberdesk GraphQL schema (queries, mutations, subscriptions) over
//! one `numberdesk_application::AppState`; `numberdesk-http` serves it.
//!
//! The use cases, authorisation and the one client-facing error live in
//! `numberdesk-application`; import them from there.

pub mod schema;

pub use schema::{build_schema, NumberDeskSchema, RequestId};
