//! Typed errors of the stores and of command execution.

use cqrs_es::persist::PersistenceError;
use cqrs_es::AggregateError;
use numberdesk_domain::NumberRequestError;

/// The underlying error of a [`StoreError`] (a `sqlx::Error`, a JSON error,
/// or a message), kept as its `source()`.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A store failure. API layers map [`StoreError::Unavailable`] to 503,
/// [`StoreError::Conflict`] to 409 and [`StoreError::Internal`] to 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is down, unreachable or out of connections; retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// Another writer appended to the same request first (optimistic
    /// concurrency: the events primary key); nothing of this command was
    /// written.
    #[error("concurrent update conflict")]
    Conflict,
    /// Anything else: a bug, corrupt data, a failed migration, a unique
    /// violation of any constraint but the events primary key.
    #[error("store error: {0}")]
    Internal(#[source] Cause),
}

/// The kind of integrity constraint a write violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// A unique constraint or primary key.
    Unique,
    /// A foreign key.
    ForeignKey,
}

/// An integrity constraint a write violated, by name: PostgreSQL's name for
/// it, or for SQLite (which reports columns, not names) the name PostgreSQL
/// gives such a unique constraint by default (`<table>_<columns>_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// The constraint's name; `None` when the database did not say (SQLite
    /// foreign keys).
    pub name: Option<String>,
    /// Unique or foreign key.
    pub kind: ConstraintKind,
}

impl StoreError {
    /// The integrity constraint behind this error, if it is a unique or
    /// foreign-key violation. API layers map it to their errors by name.
    pub fn constraint(&self) -> Option<Constraint> {
        let (StoreError::Internal(cause) | StoreError::Unavailable(cause)) = self else {
            return None;
        };
        let sqlx::Error::Database(db) = cause.downcast_ref::<sqlx::Error>()? else {
            return None;
        };
        let kind = if db.is_unique_violation() {
            ConstraintKind::Unique
        } else if db.is_foreign_key_violation() {
            ConstraintKind::ForeignKey
        } else {
            return None;
        };
        let name = db.constraint().map(str::to_owned).or_else(|| {
            // SQLite: "UNIQUE constraint failed: table.a, table.b".
            let columns = db.message().strip_prefix("UNIQUE constraint failed: ")?;
            let mut table = None;
            let mut name = Vec::new();
            for column in columns.split(", ") {
                let (t, c) = column.split_once('.')?;
                table.get_or_insert(t);
                name.push(c);
            }
            Some(format!("{}_{}_key", table?, name.join("_")))
        });
        Some(Constraint { name, kind })
    }
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

/// The events primary key `(aggregate_type, aggregate_id, sequence)`: the
/// optimistic lock. PostgreSQL names the constraint; SQLite names its
/// columns in the message only.
fn is_events_key_violation(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.is_unique_violation()
        && (db.constraint() == Some("events_pkey")
            || db
                .message()
                .contains("events.aggregate_type, events.aggregate_id, events.sequence"))
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if is_events_key_violation(db.as_ref()) {
                return StoreError::Conflict;
            }
        }
        if sqlx_is_unavailable(&err) {
            StoreError::Unavailable(Box::new(err))
        } else {
            StoreError::Internal(Box::new(err))
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::Execute(inner) => match StoreError::from(inner) {
                StoreError::Unavailable(cause) => StoreError::Unavailable(cause),
                StoreError::Internal(cause) => StoreError::Internal(cause),
                StoreError::Conflict => StoreError::Internal("migration hit a conflict".into()),
            },
            other => StoreError::Internal(Box::new(other)),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Internal(Box::new(err))
    }
}

/// Classifies a boxed error coming back through cqrs-es / postgres-es, which
/// wrap sqlx errors without saying whether the database was reachable.
fn classify_boxed(err: Cause) -> StoreError {
    match err.downcast::<sqlx::Error>() {
        Ok(sqlx_err) => StoreError::from(*sqlx_err),
        Err(other) => StoreError::Internal(other),
    }
}

impl From<PersistenceError> for StoreError {
    fn from(err: PersistenceError) -> Self {
        match err {
            PersistenceError::OptimisticLockError => StoreError::Conflict,
            PersistenceError::ConnectionError(inner) => StoreError::Unavailable(inner),
            PersistenceError::DeserializationError(inner) => StoreError::Internal(inner),
            PersistenceError::UnknownError(inner) => classify_boxed(inner),
        }
    }
}

impl From<AggregateError<NumberRequestError>> for CommandError {
    fn from(err: AggregateError<NumberRequestError>) -> Self {
        match err {
            AggregateError::UserError(domain) => CommandError::Domain(domain),
            AggregateError::AggregateConflict => CommandError::Store(StoreError::Conflict),
            AggregateError::DatabaseConnectionError(inner) => {
                CommandError::Store(StoreError::Unavailable(inner))
            }
            AggregateError::DeserializationError(inner) => {
                CommandError::Store(StoreError::Internal(inner))
            }
            AggregateError::UnexpectedError(inner) => CommandError::Store(classify_boxed(inner)),
        }
    }
}
