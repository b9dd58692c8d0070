//! Configuration from environment variables (or flags), with documented
//! defaults. The README's configuration table lists the same names.

use clap::{Args, ValueEnum};

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
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://numberdesk.db")]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Store an aggregate snapshot every N events.
    #[arg(long, env = "SNAPSHOT_EVERY", default_value_t = 20)]
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
    /// Seed a demo partner, account, organisation and keys on first start.
    #[arg(long, env = "DEMO_SEED", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_seed: bool,
    /// Telnyx API key; without one the sandbox carrier is used.
    #[arg(long, env = "TELNYX_API_KEY", hide_env_values = true)]
    pub telnyx_api_key: Option<String>,
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Settings of commands that only need the database.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Event store and read models: `sqlite://FILE` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://numberdesk.db")]
    pub database_url: String,
    /// Store an aggregate snapshot every N events.
    #[arg(long, env = "SNAPSHOT_EVERY", default_value_t = 20)]
    pub snapshot_every: usize,
}
