//! The `numberdesk` command: `serve` (the default), `admin …`, `projections rebuild`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use numberdesk::admin::{self, AdminCommand};
use numberdesk::config::{DatabaseConfig, LogFormat, ServeConfig};
use numberdesk::{demo, startup, telemetry};
use numberdesk_adapters::fulfilment::CallbackSecrets;
use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use secrecy::ExposeSecret;

#[derive(Debug, Parser)]
#[command(
    name = "numberdesk",
    version,
    about = "Request, order and track phone numbers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (GraphQL, REST, webhooks).
    Serve(Box<ServeConfig>),
    /// Manage partners, accounts, organisations and API keys.
    Admin {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Maintain the read models.
    Projections {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
}

#[derive(Debug, Parser)]
struct DefaultServe {
    #[command(flatten)]
    config: ServeConfig,
}

#[derive(Debug, Subcommand)]
enum ProjectionsCommand {
    /// Replay the whole event log into fresh views.
    Rebuild,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => {
            // Plain `numberdesk` (what `cargo run` does) serves with the
            // environment's settings and the documented defaults.
            serve(DefaultServe::parse_from(["numberdesk"]).config).await
        }
        Some(Command::Serve(config)) => serve(*config).await,
        Some(Command::Admin { database, command }) => {
            telemetry::init(LogFormat::Text);
            let db = Database::connect(database.database_url.expose_secret())
                .await
                .context("opening the database")?;
            let secrets = CallbackSecrets::new(db.clone());
            admin::run(&TenancyStore::new(db), &secrets, command).await
        }
        Some(Command::Projections {
            database,
            command: ProjectionsCommand::Rebuild,
        }) => {
            telemetry::init(LogFormat::Text);
            let db = Database::connect(database.database_url.expose_secret())
                .await
                .context("opening the database")?;
            let desk = NumberDesk::open(
                db,
                StoreSettings {
                    snapshot_every: database.snapshot_every,
                    ..StoreSettings::default()
                },
            )
            .await?;
            let replayed = desk.rebuild_projections().await?;
            println!("rebuilt the read models from {replayed} events");
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    let app = startup::build(&config).await?;
    let address = app.address()?;
    if config.demo_seed {
        let base = format!("http://{address}");
        if let Some(seeded) = demo::seed_if_empty(&app.state.tenancy).await? {
            println!("{}", demo::banner(&seeded, &base));
        } else if let Some(existing) = demo::existing(&app.state.tenancy).await? {
            println!("{}", demo::reminder(&existing, &base));
        }
    }
    tracing::info!(%address, database = %startup::redact(config.database_url.expose_secret()), "numberdesk listening");
    app.serve(startup::shutdown_signal()).await
}
