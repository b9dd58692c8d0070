//! Wiring: database, stores, carrier and router, and a server bound to a port.

use crate::config::ServeConfig;
use anyhow::Context;
use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use numberdesk_domain::ports::NumberProvider;
use numberdesk_graphql::{ApiSettings, AppState};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A server bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// The shared state (tests use it to reach the stores directly).
    pub state: AppState,
}

/// Opens the database (running migrations), chooses the carrier and builds the router.
pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
    let db = Database::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database at {}", redact(&config.database_url)))?;
    let desk = NumberDesk::open(
        db.clone(),
        StoreSettings {
            snapshot_every: config.snapshot_every,
        },
    )
    .await
    .context("opening the event store")?;
    let tenancy = TenancyStore::new(db);
    let provider = provider(config)?;
    let settings = ApiSettings {
        max_page_size: config.max_page_size,
        max_body_bytes: config.max_body_bytes,
        introspection: config.graphql_introspection,
        max_query_depth: config.graphql_max_depth,
        max_query_complexity: config.graphql_max_complexity,
        ..ApiSettings::default()
    };
    let state = AppState::new(desk, tenancy, provider, settings);
    let router = numberdesk_graphql::router(state.clone());
    let address = format!("{}:{}", config.bind, config.port);
    let listener = TcpListener::bind(&address)
        .await
        .with_context(|| format!("binding {address}"))?;
    Ok(Application {
        listener,
        router,
        state,
    })
}

fn provider(config: &ServeConfig) -> anyhow::Result<Arc<dyn NumberProvider>> {
    let api_key = config
        .telnyx_api_key
        .clone()
        .filter(|key| !key.trim().is_empty());
    let telnyx = match api_key {
        None => None,
        Some(key) => numberdesk_telnyx::TelnyxConfig::from_lookup(|name| match name {
            "TELNYX_API_KEY" => Some(key.clone()),
            other => std::env::var(other).ok(),
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
            Ok(Arc::new(numberdesk_telnyx::SandboxProvider::default()))
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

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")
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
