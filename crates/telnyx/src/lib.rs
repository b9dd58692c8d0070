//! numberdesk's carrier adapter for Telnyx.
//!
//! - [`TelnyxClient`]: a typed client for the Telnyx API v2 number-ordering
//!   endpoints ([`types`] mirrors Telnyx's OpenAPI description), with Bearer
//!   auth, timeouts, and retries with jittered exponential backoff.
//! - [`TelnyxProvider`]: the domain's
//!   [`NumberProvider`](numberdesk_domain::ports::NumberProvider) port on
//!   Telnyx, configured by [`TelnyxConfig`] (`TelnyxConfig::from_env`).
//! - [`webhook`]: Ed25519 verification and parsing of Telnyx webhooks.
//! - [`SandboxProvider`]: a stand-in carrier for running without a Telnyx
//!   account (the default when `TELNYX_API_KEY` is not set), its orders in
//!   a `SandboxOrderStore`: memory, or the server's database.
//!
//! - `fake` (feature `fake`): a stateful fake of the Telnyx API for tests,
//!   and a webhook signer.
//!
//! The domain never sees a Telnyx type: [`carrier_order_from_telnyx`] and
//! [`carrier_status`] turn them into the port's types.
#![deny(missing_docs)]

mod client;
mod config;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
mod mapping;
mod provider;
mod range;
mod retry;
pub mod sandbox;
pub mod types;
pub mod webhook;

pub use client::TelnyxClient;
pub use config::{
    parse_base_url, parse_country_map, ApiKey, ClientConfig, ConfigError, TelnyxConfig,
    DEFAULT_BASE_URL,
};
pub use error::TelnyxError;
pub use mapping::{carrier_order_from_telnyx, carrier_status};
pub use provider::TelnyxProvider;
pub use retry::RetryPolicy;
pub use sandbox::{MemorySandboxOrders, SandboxConfig, SandboxProvider};
pub use webhook::{verify_webhook, NumberOrderWebhook, WebhookError, WebhookKind};
