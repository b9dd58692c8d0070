//! The numberdesk HTTP surface: the GraphQL API (queries, mutations,
//! subscriptions, GraphiQL), the REST contract of the number-request API, and
//! health checks — one axum router over one [`AppState`].
//!
//! Authentication and authorisation live in [`auth`], and every error is
//! mapped to HTTP and GraphQL in one place, [`error`].

pub mod auth;
pub mod console;
pub mod error;
pub mod http;
pub mod ordering;
pub mod rest;
pub mod schema;
pub mod state;
pub mod webhooks;

pub use http::router;
pub use schema::{build_schema, NumberDeskSchema};
pub use state::{ApiSettings, AppState};
