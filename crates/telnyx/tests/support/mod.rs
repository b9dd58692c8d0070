//! Test support: the stateful fake Telnyx server (axum) built on the crate's
//! own request/response types, from the crate's `fake` feature.

pub use numberdesk_telnyx::fake as fake_telnyx;
