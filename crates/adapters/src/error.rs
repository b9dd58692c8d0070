//! Typed errors of the stores and of command execution.

use cqrs_es::persist::PersistenceError;
use cqrs_es::AggregateError;
use numberdesk_domain::NumberRequestError;

/// A store failure. API layers map [`StoreError::Unavailable`] to 503,
/// [`StoreError::Conflict`] to 409 and [`StoreError::Internal`] to 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is down, unreachable or out of connections; retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Another writer appended to the same request first (optimistic
    /// concurrency); nothing of this command was written.
    #[error("concurrent update conflict")]
    Conflict,
    /// Anything else: a bug, corrupt data, a failed migration.
    #[error("store error: {0}")]
    Internal(String),
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The aggregate refused the command; nothing was written.
    #[error(transparent)]
    Domain(#[from] NumberRequestError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// True for sqlx errors that mean "the database cannot be reached right now".
fn sqlx_is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            // PostgreSQL: class 08 (connection exception), 53 (insufficient
            // resources), 57P0x (shutdown / cannot connect now).
            // SQLite: 5 / 6 (SQLITE_BUSY / SQLITE_LOCKED after the busy timeout).
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "5"
                || code == "6"
                || code == "517"
                || code == "261"
        }
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return StoreError::Conflict;
            }
        }
        if sqlx_is_unavailable(&err) {
            StoreError::Unavailable(err.to_string())
        } else {
            StoreError::Internal(err.to_string())
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::Execute(inner) => match StoreError::from(inner) {
                StoreError::Unavailable(text) => StoreError::Unavailable(text),
                other => StoreError::Internal(format!("migration failed: {other}")),
            },
            other => StoreError::Internal(format!("migration failed: {other}")),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Internal(format!("bad stored JSON: {err}"))
    }
}

/// Classifies a boxed error coming back through cqrs-es / postgres-es, which
/// wrap sqlx errors without saying whether the database was reachable.
fn classify_boxed(err: &(dyn std::error::Error + Send + Sync + 'static)) -> StoreError {
    if let Some(sqlx_err) = err.downcast_ref::<sqlx::Error>() {
        if sqlx_is_unavailable(sqlx_err) {
            return StoreError::Unavailable(sqlx_err.to_string());
        }
    }
    StoreError::Internal(err.to_string())
}

impl From<PersistenceError> for StoreError {
    fn from(err: PersistenceError) -> Self {
        match err {
            PersistenceError::OptimisticLockError => StoreError::Conflict,
            PersistenceError::ConnectionError(inner) => StoreError::Unavailable(inner.to_string()),
            PersistenceError::DeserializationError(inner) => {
                StoreError::Internal(format!("cannot read stored data: {inner}"))
            }
            PersistenceError::UnknownError(inner) => classify_boxed(inner.as_ref()),
        }
    }
}

impl From<AggregateError<NumberRequestError>> for CommandError {
    fn from(err: AggregateError<NumberRequestError>) -> Self {
        match err {
            AggregateError::UserError(domain) => CommandError::Domain(domain),
            AggregateError::AggregateConflict => CommandError::Store(StoreError::Conflict),
            AggregateError::DatabaseConnectionError(inner) => {
                CommandError::Store(StoreError::Unavailable(inner.to_string()))
            }
            AggregateError::DeserializationError(inner) => CommandError::Store(
                StoreError::Internal(format!("cannot read stored data: {inner}")),
            ),
            AggregateError::UnexpectedError(inner) => {
                CommandError::Store(classify_boxed(inner.as_ref()))
            }
        }
    }
}
