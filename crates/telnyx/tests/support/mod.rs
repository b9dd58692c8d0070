//! Test support: a stateful fake Telnyx server (axum) built on the crate's
//! own request/response types, and helpers to point a provider at it.

pub mod fake_telnyx;
