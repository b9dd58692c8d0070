//! Configuration from environment variables (or flags), with documented
//! defaults. The README's configuration table lists the same names.

use clap::{Args, ValueEnum};
use numberdesk_http::limits::rate::Rate;
use secrecy::SecretString;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Settings of `numberdesk serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Event store and read models: `sqlite://FILE` (embedded) or `postgres://…`.
    /// It may hold a password: kept as a secret whose `Debug` prints no value.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://numberdesk.db", hide_env_values = true, value_parser = secret)]
    pub database_url: SecretString,
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Store an aggregate snapshot every N events.
    #[arg(long, env = "SNAPSHOT_EVERY", default_value_t = 0)]
    pub snapshot_every: usize,
    /// Largest page a client may ask for.
    #[arg(long, env = "MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u32,
    /// Largest request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Whether GraphQL introspection is on.
    #[arg(long, env = "GRAPHQL_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphql_introspection: bool,
    /// Deepest GraphQL query accepted.
    #[arg(long, env = "GRAPHQL_MAX_DEPTH", default_value_t = 12)]
    pub graphql_max_depth: usize,
    /// Most complex GraphQL query accepted.
    #[arg(long, env = "GRAPHQL_MAX_COMPLEXITY", default_value_t = 1000)]
    pub graphql_max_complexity: usize,
    /// Most subscriptions running at once on one websocket; the next one is
    /// answered with an error for its id.
    #[arg(
        long,
        env = "GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET",
        default_value_t = 20
    )]
    pub graphql_max_subscriptions_per_socket: usize,
    /// How long a valid API key (and a partner's list of organisations) is
    /// served from memory, in seconds: a key revoked by another process
    /// (`numberdesk admin revoke-key`) keeps working here for up to this long.
    /// 0 checks the database on every call.
    #[arg(long, env = "KEY_CACHE_SECONDS", default_value_t = 5.0)]
    pub key_cache_seconds: f64,
    /// Memory for finished REST list pages served while the views are
    /// unchanged, in MiB; 0 turns the cache off.
    #[arg(long, env = "LIST_CACHE_MB", default_value_t = 64)]
    pub list_cache_mb: u64,
    /// Seed a demo partner, account, organisation and keys on first start.
    #[arg(long, env = "DEMO_SEED", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_seed: bool,
    /// The carrier: Telnyx's key and options (without a key, the sandbox).
    #[command(flatten)]
    pub telnyx: TelnyxSettings,
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Fulfilment: workers, retries, polling, webhooks and callbacks.
    #[command(flatten)]
    pub fulfilment: FulfilmentConfig,
    /// HTTP limits: read timeouts, open connections, rate limits.
    #[command(flatten)]
    pub http: HttpLimitsConfig,
}

/// Telnyx, read with the rest of the configuration (never from the
/// environment elsewhere); `crates/telnyx`'s `TelnyxConfig` documents each.
#[derive(Debug, Clone, Default, Args)]
pub struct TelnyxSettings {
    /// Telnyx API key; without one the sandbox carrier is used. Its `Debug`
    /// prints no value.
    #[arg(long, env = "TELNYX_API_KEY", hide_env_values = true, value_parser = secret)]
    pub telnyx_api_key: Option<SecretString>,
    /// API base URL (default Telnyx's v2 API).
    #[arg(long, env = "TELNYX_BASE_URL")]
    pub telnyx_base_url: Option<String>,
    /// Connect timeout in seconds (default 5).
    #[arg(long, env = "TELNYX_CONNECT_TIMEOUT_SECS")]
    pub telnyx_connect_timeout_secs: Option<String>,
    /// Request timeout in seconds (default 30).
    #[arg(long, env = "TELNYX_REQUEST_TIMEOUT_SECS")]
    pub telnyx_request_timeout_secs: Option<String>,
    /// Voice connection new numbers are attached to.
    #[arg(long, env = "TELNYX_CONNECTION_ID")]
    pub telnyx_connection_id: Option<String>,
    /// Messaging profile new numbers are attached to.
    #[arg(long, env = "TELNYX_MESSAGING_PROFILE_ID")]
    pub telnyx_messaging_profile_id: Option<String>,
    /// Billing group of new orders.
    #[arg(long, env = "TELNYX_BILLING_GROUP_ID")]
    pub telnyx_billing_group_id: Option<String>,
    /// Requirement groups per country (`CC=id,…`).
    #[arg(long, env = "TELNYX_REQUIREMENT_GROUPS")]
    pub telnyx_requirement_groups: Option<String>,
    /// Regulatory bundles per country (`CC=id,…`).
    #[arg(long, env = "TELNYX_BUNDLES")]
    pub telnyx_bundles: Option<String>,
}

impl TelnyxSettings {
    /// The value of one `TELNYX_*` setting, as `TelnyxConfig::from_lookup`
    /// asks for it (the key and the webhook key are passed separately).
    pub fn lookup(&self, name: &str) -> Option<String> {
        let value = match name {
            "TELNYX_BASE_URL" => &self.telnyx_base_url,
            "TELNYX_CONNECT_TIMEOUT_SECS" => &self.telnyx_connect_timeout_secs,
            "TELNYX_REQUEST_TIMEOUT_SECS" => &self.telnyx_request_timeout_secs,
            "TELNYX_CONNECTION_ID" => &self.telnyx_connection_id,
            "TELNYX_MESSAGING_PROFILE_ID" => &self.telnyx_messaging_profile_id,
            "TELNYX_BILLING_GROUP_ID" => &self.telnyx_billing_group_id,
            "TELNYX_REQUIREMENT_GROUPS" => &self.telnyx_requirement_groups,
            "TELNYX_BUNDLES" => &self.telnyx_bundles,
            _ => return None,
        };
        value.clone().filter(|v| !v.trim().is_empty())
    }
}

fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value.to_owned()))
}

/// Settings of the HTTP server's limits (defaults a normal client never meets).
#[derive(Debug, Clone, Args)]
pub struct HttpLimitsConfig {
    /// How long a client may take to send a request's headers, in seconds.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10.0)]
    pub header_read_timeout_seconds: f64,
    /// How long a client may take to send a request's body, in seconds.
    #[arg(long, env = "BODY_READ_TIMEOUT_SECONDS", default_value_t = 30.0)]
    pub body_read_timeout_seconds: f64,
    /// Open connections served at once (more wait in the listen backlog).
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Requests per second one API key may send (0: no limit).
    #[arg(long, env = "RATE_LIMIT_PER_KEY", default_value_t = 1000)]
    pub rate_limit_per_key: u32,
    /// Requests one API key may send at once above that rate.
    #[arg(long, env = "RATE_LIMIT_PER_KEY_BURST", default_value_t = 2000)]
    pub rate_limit_per_key_burst: u32,
    /// Requests per second one client address may send, counted before authentication (0: no limit).
    #[arg(long, env = "RATE_LIMIT_PER_ADDRESS", default_value_t = 2000)]
    pub rate_limit_per_address: u32,
    /// Requests one client address may send at once above that rate.
    #[arg(long, env = "RATE_LIMIT_PER_ADDRESS_BURST", default_value_t = 4000)]
    pub rate_limit_per_address_burst: u32,
}

impl Default for HttpLimitsConfig {
    /// The documented defaults (the same as the flags').
    fn default() -> Self {
        Self {
            header_read_timeout_seconds: 10.0,
            body_read_timeout_seconds: 30.0,
            max_connections: 1024,
            rate_limit_per_key: 1000,
            rate_limit_per_key_burst: 2000,
            rate_limit_per_address: 2000,
            rate_limit_per_address_burst: 4000,
        }
    }
}

/// The HTTP limits of a configuration, checked.
pub fn http_limits(
    config: &HttpLimitsConfig,
) -> anyhow::Result<numberdesk_http::limits::HttpLimits> {
    let positive = |name: &str, value: f64| {
        if value.is_finite() && value > 0.0 && value < 86_400.0 {
            Ok(std::time::Duration::from_secs_f64(value))
        } else {
            Err(anyhow::anyhow!(
                "{name} must be a number of seconds above 0 (got {value})"
            ))
        }
    };
    if config.max_connections == 0 {
        anyhow::bail!("MAX_CONNECTIONS must be at least 1");
    }
    Ok(numberdesk_http::limits::HttpLimits {
        header_read_timeout: positive(
            "HEADER_READ_TIMEOUT_SECONDS",
            config.header_read_timeout_seconds,
        )?,
        body_read_timeout: positive(
            "BODY_READ_TIMEOUT_SECONDS",
            config.body_read_timeout_seconds,
        )?,
        max_connections: config.max_connections,
        per_key: Rate {
            per_second: config.rate_limit_per_key,
            burst: config.rate_limit_per_key_burst,
        },
        per_address: Rate {
            per_second: config.rate_limit_per_address,
            burst: config.rate_limit_per_address_burst,
        },
        ..numberdesk_http::limits::HttpLimits::default()
    })
}

/// Settings of fulfilment (jobs, carrier polling, webhooks, callbacks).
#[derive(Debug, Clone, Args)]
pub struct FulfilmentConfig {
    /// Assign submitted requests to "system" and order them at once.
    #[arg(long, env = "AUTO_FULFILMENT", default_value_t = false, action = clap::ArgAction::Set)]
    pub auto_fulfilment: bool,
    /// Fulfilment worker loops in this process (0: run no background jobs here).
    #[arg(long, env = "FULFILMENT_WORKERS", default_value_t = 2)]
    pub fulfilment_workers: usize,
    /// How often idle workers look for due jobs and new events, in milliseconds.
    #[arg(long, env = "FULFILMENT_IDLE_POLL_MS", default_value_t = 1000)]
    pub fulfilment_idle_poll_ms: u64,
    /// How long a job stays leased to a worker without a heartbeat, in seconds.
    #[arg(long, env = "JOB_LEASE_SECONDS", default_value_t = 60.0)]
    pub job_lease_seconds: f64,
    /// Runs of an order / assign / webhook job before it gives up.
    #[arg(long, env = "JOB_MAX_ATTEMPTS", default_value_t = 10)]
    pub job_max_attempts: u32,
    /// First retry delay of a failed job (doubles per attempt), in milliseconds.
    #[arg(long, env = "JOB_BACKOFF_BASE_MS", default_value_t = 2000)]
    pub job_backoff_base_ms: u64,
    /// Longest retry delay, in seconds.
    #[arg(long, env = "JOB_BACKOFF_MAX_SECONDS", default_value_t = 600.0)]
    pub job_backoff_max_seconds: f64,
    /// Read an order from the carrier when it is still pending this long after
    /// it was placed (and again, with backoff, while it stays pending), in seconds.
    #[arg(long, env = "POLL_PENDING_AFTER_SECONDS", default_value_t = 60.0)]
    pub poll_pending_after_seconds: f64,
    /// After an order post with an unknown outcome (timeout, 5xx), how long the
    /// order is only looked up by reference (with backoff) before its absence
    /// counts as established and it may be placed again, in seconds.
    #[arg(long, env = "ORDER_RECONCILE_WINDOW_SECONDS", default_value_t = 300.0)]
    pub order_reconcile_window_seconds: f64,
    /// Delivery attempts of one customer callback before it gives up.
    #[arg(long, env = "CALLBACK_MAX_ATTEMPTS", default_value_t = 8)]
    pub callback_max_attempts: u32,
    /// Timeout of one callback delivery, in seconds.
    #[arg(long, env = "CALLBACK_TIMEOUT_SECONDS", default_value_t = 10.0)]
    pub callback_timeout_seconds: f64,
    /// Deliver callbacks to loopback / private / link-local / unique-local addresses.
    #[arg(long, env = "ALLOW_PRIVATE_CALLBACKS", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_private_callbacks: bool,
    /// Base64 Ed25519 public key verifying Telnyx webhooks; unset: the webhook route answers 503.
    #[arg(long, env = "TELNYX_WEBHOOK_PUBLIC_KEY")]
    pub telnyx_webhook_public_key: Option<String>,
    /// How long the sandbox carrier keeps orders of its pending areas pending, in milliseconds.
    #[arg(long, env = "SANDBOX_PENDING_DELAY_MS", default_value_t = 5000)]
    pub sandbox_pending_delay_ms: u64,
}

impl Default for FulfilmentConfig {
    /// The documented defaults (the same as the flags').
    fn default() -> Self {
        Self {
            auto_fulfilment: false,
            fulfilment_workers: 2,
            fulfilment_idle_poll_ms: 1000,
            job_lease_seconds: 60.0,
            job_max_attempts: 10,
            job_backoff_base_ms: 2000,
            job_backoff_max_seconds: 600.0,
            poll_pending_after_seconds: 60.0,
            order_reconcile_window_seconds: 300.0,
            callback_max_attempts: 8,
            callback_timeout_seconds: 10.0,
            allow_private_callbacks: false,
            telnyx_webhook_public_key: None,
            sandbox_pending_delay_ms: 5000,
        }
    }
}

/// Settings of commands that only need the database.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Event store and read models: `sqlite://FILE` or `postgres://…`.
    /// It may hold a password: kept as a secret whose `Debug` prints no value.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://numberdesk.db", hide_env_values = true, value_parser = secret)]
    pub database_url: SecretString,
    /// Store an aggregate snapshot every N events.
    #[arg(long, env = "SNAPSHOT_EVERY", default_value_t = 0)]
    pub snapshot_every: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn the_telnyx_key_is_kept_but_never_printed() {
        let settings = TelnyxSettings {
            telnyx_api_key: secret("KEY0123-very-secret").ok(),
            telnyx_connection_id: Some("conn-1".into()),
            ..TelnyxSettings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("conn-1"), "{shown}");
        let key = settings.telnyx_api_key.as_ref().map(|k| k.expose_secret());
        assert_eq!(key, Some("KEY0123-very-secret"));
    }

    #[test]
    fn the_database_url_is_kept_but_never_printed() {
        let url = "postgres://numberdesk:pa55word@db.example/numberdesk";
        let database = DatabaseConfig {
            database_url: secret(url).unwrap_or_else(|never| match never {}),
            snapshot_every: 0,
        };
        let shown = format!("{database:?}");
        assert!(!shown.contains("pa55word"), "{shown}");
        assert_eq!(database.database_url.expose_secret(), url);
    }

    #[test]
    fn telnyx_options_come_from_the_settings_not_the_environment() {
        let settings = TelnyxSettings {
            telnyx_bundles: Some("DE=b-1".into()),
            telnyx_billing_group_id: Some(" ".into()),
            ..TelnyxSettings::default()
        };
        assert_eq!(settings.lookup("TELNYX_BUNDLES").as_deref(), Some("DE=b-1"));
        assert_eq!(settings.lookup("TELNYX_BILLING_GROUP_ID"), None);
        assert_eq!(settings.lookup("HOME"), None);
    }
}
