//! The numberdesk GraphQL schema (queries, mutations, subscriptions) over
//! one [`AppState`]; `numberdesk-http` serves it.
//!
//! Authentication and authorisation live in [`auth`], and every error is
//! mapped to HTTP and GraphQL in one place, [`error`].

pub mod auth;
pub mod callback_policy;
pub mod error;
pub mod ordering;
pub mod schema;
pub mod state;

pub use schema::{build_schema, NumberDeskSchema, RequestId};
pub use state::{ApiSettings, AppState};
