//! Wiring: database, stores, carrier, fulfilment and router, and a server
//! bound to a port. [`Application::serve`] runs the HTTP server and the
//! fulfilment workers together and stops both on shutdown.

use crate::config::{FulfilmentConfig, ServeConfig};
use anyhow::Context;
use numberdesk_adapters::fulfilment::{Fulfilment, FulfilmentSettings};
use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::{Database, NumberDesk, SqlSandboxOrders, StoreSettings};
use numberdesk_application::{ApiSettings, AppState};
use numberdesk_domain::ports::NumberProvider;
use secrecy::ExposeSecret;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A server bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    limits: numberdesk_http::limits::HttpLimits,
    /// The shared state (tests use it to reach the stores directly).
    pub state: AppState,
}

/// Opens the database (running migrations), chooses the carrier and builds the router.
pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
    build_with(config, None).await
}

fn seconds(name: &str, value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .with_context(|| format!("{name} must be a non-negative number of seconds, not {value}"))
}

/// The fulfilment settings of a configuration.
pub fn fulfilment_settings(config: &FulfilmentConfig) -> anyhow::Result<FulfilmentSettings> {
    Ok(FulfilmentSettings {
        auto_fulfilment: config.auto_fulfilment,
        workers: config.fulfilment_workers,
        idle_poll: Duration::from_millis(config.fulfilment_idle_poll_ms.max(1)),
        lease: seconds("JOB_LEASE_SECONDS", config.job_lease_seconds)?
            .max(Duration::from_millis(100)),
        max_attempts: config.job_max_attempts.max(1),
        backoff_base: Duration::from_millis(config.job_backoff_base_ms),
        backoff_max: seconds("JOB_BACKOFF_MAX_SECONDS", config.job_backoff_max_seconds)?,
        poll_pending_after: seconds(
            "POLL_PENDING_AFTER_SECONDS",
            config.poll_pending_after_seconds,
        )?,
        order_reconcile_window: seconds(
            "ORDER_RECONCILE_WINDOW_SECONDS",
            config.order_reconcile_window_seconds,
        )?,
        callback_max_attempts: config.callback_max_attempts.max(1),
        callback_timeout: seconds("CALLBACK_TIMEOUT_SECONDS", config.callback_timeout_seconds)?,
        allow_private_callbacks: config.allow_private_callbacks,
    })
}

/// Like [`build`], with this carrier instead of the configured one (tests
/// use it to put a fake or a failing carrier behind the real server).
pub async fn build_with(
    config: &ServeConfig,
    carrier: Option<Arc<dyn NumberProvider>>,
) -> anyhow::Result<Application> {
    let db = Database::connect(config.database_url.expose_secret())
        .await
        .with_context(|| {
            format!(
                "opening the database at {}",
                redact(config.database_url.expose_secret())
            )
        })?;
    let desk = NumberDesk::open(
        db.clone(),
        StoreSettings {
            snapshot_every: config.snapshot_every,
            ..StoreSettings::default()
        },
    )
    .await
    .context("opening the event store")?;
    let key_cache = seconds("KEY_CACHE_SECONDS", config.key_cache_seconds)?;
    let provider = match carrier {
        Some(carrier) => carrier,
        None => provider(config, &db)?,
    };
    let tenancy = TenancyStore::with_key_cache(db, key_cache);
    let fulfilment = Fulfilment::new(
        desk.clone(),
        provider.clone(),
        fulfilment_settings(&config.fulfilment)?,
        numberdesk_http::callback_renderer(),
    );
    let settings = ApiSettings {
        max_page_size: config.max_page_size,
        max_body_bytes: config.max_body_bytes,
        introspection: config.graphql_introspection,
        max_query_depth: config.graphql_max_depth,
        max_query_complexity: config.graphql_max_complexity,
        max_subscriptions_per_socket: config.graphql_max_subscriptions_per_socket,
        key_cache,
        list_cache_bytes: config.list_cache_mb.saturating_mul(1024 * 1024),
        telnyx_webhook_public_key: config
            .fulfilment
            .telnyx_webhook_public_key
            .clone()
            .filter(|key| !key.trim().is_empty()),
        ..ApiSettings::default()
    };
    let state = AppState::new(desk, tenancy, settings, fulfilment);
    let limits = crate::config::http_limits(&config.http)?;
    let router = numberdesk_http::router_with(state.clone(), &limits);
    let address = format!("{}:{}", config.bind, config.port);
    let listener = TcpListener::bind(&address)
        .await
        .with_context(|| format!("binding {address}"))?;
    Ok(Application {
        listener,
        router,
        limits,
        state,
    })
}

/// The configured carrier: Telnyx with `TELNYX_API_KEY`, otherwise the
/// sandbox, keeping its orders in `db` (so they survive a restart).
fn provider(config: &ServeConfig, db: &Database) -> anyhow::Result<Arc<dyn NumberProvider>> {
    use secrecy::ExposeSecret;
    let settings = &config.telnyx;
    let api_key = settings
        .telnyx_api_key
        .as_ref()
        .map(|key| key.expose_secret().trim().to_owned())
        .filter(|key| !key.is_empty());
    let telnyx = match api_key {
        None => None,
        // Every TELNYX_* value comes from the typed configuration.
        Some(key) => numberdesk_telnyx::TelnyxConfig::from_lookup(|name| match name {
            "TELNYX_API_KEY" => Some(key.clone()),
            "TELNYX_WEBHOOK_PUBLIC_KEY" => config
                .fulfilment
                .telnyx_webhook_public_key
                .clone()
                .filter(|key| !key.trim().is_empty()),
            other => settings.lookup(other),
        })
        .context("reading the TELNYX_* settings")?,
    };
    match telnyx {
        Some(settings) => {
            let provider = numberdesk_telnyx::TelnyxProvider::new(&settings)
                .context("building the Telnyx client")?;
            tracing::info!("carrier: Telnyx");
            Ok(Arc::new(provider))
        }
        None => {
            tracing::info!("carrier: sandbox (no TELNYX_API_KEY set; nothing is bought)");
            Ok(Arc::new(numberdesk_telnyx::SandboxProvider::with_store(
                numberdesk_telnyx::SandboxConfig {
                    pending_delay: Duration::from_millis(
                        config.fulfilment.sandbox_pending_delay_ms,
                    ),
                    seed: None,
                },
                Arc::new(SqlSandboxOrders::new(db.clone())),
            )))
        }
    }
}

/// Hides a password in a database URL for logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Application {
    /// The bound address (the real port when 0 was asked for).
    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves HTTP and runs the fulfilment workers until `shutdown`
    /// completes; then the workers finish their current job and stop, and
    /// in-flight requests finish.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let fulfilment = self.state.fulfilment.clone();
        let commits = self.state.desk.log_moved();
        let workers = async move { fulfilment.run(stopped, Some(commits)).await };
        let limits = self.limits;
        let http = async move {
            numberdesk_http::serve::serve(self.listener, self.router, &limits, async move {
                shutdown.await;
                let _ = stop.send(true);
            })
            .await
        };
        // Hears other processes' projector passes, so cached list pages
        // stay exact on a shared PostgreSQL (see adapters' freshness.rs).
        let follower = self.state.desk.follow_other_writers();
        let (served, ()) = tokio::join!(http, workers);
        if let Some(follower) = follower {
            follower.abort();
        }
        served.context("serving HTTP")
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
