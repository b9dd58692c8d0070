//! What every handler shares.

use numberdesk_adapters::fulfilment::Fulfilment;
use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::NumberDesk;

/// Limits and switches of the API, from configuration.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Page size when a client asks for none.
    pub default_page_size: u32,
    /// The most items one page may hold.
    pub max_page_size: u32,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether GraphQL introspection is on.
    pub introspection: bool,
    /// Deepest GraphQL query accepted.
    pub max_query_depth: usize,
    /// Most complex GraphQL query accepted.
    pub max_query_complexity: usize,
    /// How often live subscriptions look for new events when not woken.
    pub subscription_poll: std::time::Duration,
    /// The most subscriptions one websocket may have running at once.
    pub max_subscriptions_per_socket: usize,
    /// How long a valid key is served from memory (the key cache); an open
    /// subscription re-checks its key this often.
    pub key_cache: std::time::Duration,
    /// Base64 Ed25519 key verifying Telnyx webhooks; without one
    /// `POST /webhooks/telnyx` answers 503.
    pub telnyx_webhook_public_key: Option<String>,
    /// Memory for finished REST list pages (numberdesk-http's
    /// `rest/list_cache.rs`), in bytes; 0 turns it off.
    pub list_cache_bytes: u64,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
            max_body_bytes: 64 * 1024,
            introspection: true,
            max_query_depth: 12,
            max_query_complexity: 1000,
            subscription_poll: std::time::Duration::from_millis(500),
            max_subscriptions_per_socket: 20,
            key_cache: std::time::Duration::from_secs(5),
            telnyx_webhook_public_key: None,
            list_cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The service's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Commands and read models.
    pub desk: NumberDesk,
    /// Partners, accounts, organisations, keys.
    pub tenancy: TenancyStore,
    /// API limits.
    pub settings: ApiSettings,
    /// Durable fulfilment (jobs, webhooks, callbacks).
    pub fulfilment: Fulfilment,
}

impl AppState {
    /// Wires the state together.
    pub fn new(
        desk: NumberDesk,
        tenancy: TenancyStore,
        settings: ApiSettings,
        fulfilment: Fulfilment,
    ) -> Self {
        Self {
            desk,
            tenancy,
            settings,
            fulfilment,
        }
    }

    /// Clamps a requested page size to the configured bounds.
    pub fn page_size(&self, first: Option<i32>) -> Result<u32, crate::error::ApiError> {
        match first {
            None => Ok(self.settings.default_page_size),
            Some(n) if n < 1 || n as i64 > i64::from(self.settings.max_page_size) => {
                Err(crate::error::ApiError::bad_field(
                    "first",
                    format!("must be between 1 and {}", self.settings.max_page_size),
                ))
            }
            Some(n) => Ok(n as u32),
        }
    }
}
