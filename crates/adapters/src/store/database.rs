//! The runtime choice of backend: connecting to PostgreSQL or SQLite and
//! migrating the schema.

use crate::StoreError;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// How long a caller waits for a connection before the database counts as
/// unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long an SQLite statement waits for another connection's (or
/// process's) write lock before it fails with "database is locked". Longer
/// than the pool's acquire timeout: a writer queued behind another is not an
/// unavailable database, and on a loaded machine 5 s was seen to run out
/// while a restarted server repaired its views beside a running one.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// A migrated database: the production PostgreSQL or the embedded SQLite.
#[derive(Debug, Clone)]
pub enum Database {
    /// PostgreSQL (the event log through postgres-es).
    Postgres(sqlx::PgPool),
    /// SQLite, a file on disk (or `sqlite::memory:` for tests).
    Sqlite(sqlx::SqlitePool),
}

impl Database {
    /// Connects to `postgres://...` / `postgresql://...` or `sqlite://path` /
    /// `sqlite::memory:`, creating a missing SQLite file (WAL, foreign keys on),
    /// and applies the migrations (idempotent: already applied ones are
    /// skipped). An unreachable server is [`StoreError::Unavailable`].
    pub async fn connect(url: &str) -> Result<Database, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            sqlx::migrate!("../../migrations/postgres")
                .run(&pool)
                .await?;
            Ok(Database::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|err| StoreError::Internal(format!("bad SQLite URL: {err}").into()))?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            if !memory {
                if let Some(parent) = options.get_filename().parent() {
                    if !parent.as_os_str().is_empty() && !parent.exists() {
                        std::fs::create_dir_all(parent).map_err(|err| {
                            StoreError::Internal(
                                format!(
                                    "cannot create the SQLite directory {}: {err}",
                                    parent.display()
                                )
                                .into(),
                            )
                        })?;
                    }
                }
            }
            let options = if memory {
                options
            } else {
                options
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
            };
            // Every connection to `:memory:` is its own database: keep exactly
            // one, for ever.
            let pool_options = if memory {
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                SqlitePoolOptions::new().max_connections(8)
            };
            let pool = pool_options
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            sqlx::migrate!("../../migrations/sqlite").run(&pool).await?;
            Ok(Database::Sqlite(pool))
        } else {
            Err(StoreError::Internal(
                format!(
                    "unsupported database URL (want postgres://... or sqlite://...): {}",
                    redact(url)
                )
                .into(),
            ))
        }
    }

    /// A cheap round trip; [`StoreError::Unavailable`] when the database is down.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.execute("SELECT 1").await?;
        Ok(())
    }

    /// `"postgres"` or `"sqlite"`.
    pub fn backend_name(&self) -> &'static str {
        self.dialect().name
    }

    /// The PostgreSQL pool, if this is PostgreSQL.
    pub fn as_postgres(&self) -> Option<&PgPool> {
        match self {
            Database::Postgres(pool) => Some(pool),
            Database::Sqlite(_) => None,
        }
    }

    /// The SQLite pool, if this is SQLite.
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Database::Sqlite(pool) => Some(pool),
            Database::Postgres(_) => None,
        }
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        match self {
            Database::Postgres(pool) => pool.close().await,
            Database::Sqlite(pool) => pool.close().await,
        }
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}
