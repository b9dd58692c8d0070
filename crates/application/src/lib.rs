//! The numberdesk application layer, between the transports (GraphQL in
//! `numberdesk-graphql`, REST in `numberdesk-http`) and the store: the use
//! cases every transport runs, authorisation, the shared state and the one
//! client-facing error.
//!
//! Handlers only translate their protocol into a call here and the result
//! back; they never talk to the idempotency store or issue several commands.

pub mod auth;
mod callback_policy;
pub mod error;
mod field_names;
pub mod ordering;
pub mod state;
pub mod use_cases;

pub use error::ApiError;
pub use state::{ApiSettings, AppState};
