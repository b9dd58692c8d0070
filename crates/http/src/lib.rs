//! The numberdesk HTTP server: one axum router over the GraphQL schema
//! (`numberdesk-graphql`), the REST contract of the number-request API, the
//! carrier's webhooks, GraphiQL and health checks.
//!
//! Each resource module offers its own `router()`; [`router`] merges them
//! and adds the middleware (request ids, tracing, body limits).

mod client_address;
pub mod console;
pub mod graphql;
mod graphql_ws;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod request_id;
pub mod rest;
mod router;
pub mod serve;
pub mod state;
pub mod webhooks;

pub use client_address::client_address;
pub use rest::callback::callback_renderer;
pub use router::{router, router_with};
pub use state::HttpState;
