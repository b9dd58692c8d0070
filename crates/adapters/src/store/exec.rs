//! Where the backend is chosen: the only code in the crate that looks at
//! which [`Database`] it has. Everything else runs [`Sql`] through a
//! [`Conn`] (or the [`Database`] and [`Tx`] shortcuts) and asks
//! [`Database::dialect`] for what differs.

use super::{Database, Dialect, Param, Sql};
use crate::StoreError;
use chrono::{DateTime, Utc};
use sqlx::encode::Encode;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::{Json, Type};
use sqlx::{Arguments, FromRow, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use uuid::Uuid;

/// A row shape both backends decode (every `sqlx::FromRow` struct or tuple
/// whose fields both support).
pub(crate) trait Record:
    for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin
{
}

/// The sqlx bounds a backend meets to bind every [`Param`]: written once,
/// here, for both.
fn arguments<'q, D>(params: Vec<Param>) -> Result<D::Arguments<'q>, StoreError>
where
    D: sqlx::Database,
    Option<i64>: Type<D> + Encode<'q, D>,
    Option<bool>: Type<D> + Encode<'q, D>,
    Option<String>: Type<D> + Encode<'q, D>,
    Option<Uuid>: Type<D> + Encode<'q, D>,
    Option<DateTime<Utc>>: Type<D> + Encode<'q, D>,
    Json<serde_json::Value>: Type<D> + Encode<'q, D>,
{
    let mut args = D::Arguments::<'q>::default();
    for param in params {
        match param {
            Param::I64(v) => args.add(v),
            Param::Bool(v) => args.add(v),
            Param::Text(v) => args.add(v),
            Param::Uuid(v) => args.add(v),
            Param::Time(v) => args.add(v),
            Param::Json(v) => args.add(Json(v)),
        }
        .map_err(StoreError::Internal)?;
    }
    Ok(args)
}

/// A connection of either backend: a pooled one ([`Database::acquire`]) or
/// a transaction's ([`Tx::conn`]).
pub(crate) enum Conn<'c> {
    Postgres(&'c mut PgConnection),
    Sqlite(&'c mut SqliteConnection),
}

impl Conn<'_> {
    /// What differs on this connection's backend.
    pub fn dialect(&self) -> &'static Dialect {
        match self {
            Conn::Postgres(_) => &Dialect::POSTGRES,
            Conn::Sqlite(_) => &Dialect::SQLITE,
        }
    }

    /// Runs a statement; returns the rows it affected.
    pub async fn execute(&mut self, sql: impl Into<Sql>) -> Result<u64, StoreError> {
        let Sql { text, params } = sql.into();
        Ok(match self {
            Conn::Postgres(c) => sqlx::query_with(&text, arguments::<Postgres>(params)?)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Conn::Sqlite(c) => sqlx::query_with(&text, arguments::<Sqlite>(params)?)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }

    /// Every row the statement returns.
    pub async fn fetch_all<T: Record>(
        &mut self,
        sql: impl Into<Sql>,
    ) -> Result<Vec<T>, StoreError> {
        let Sql { text, params } = sql.into();
        Ok(match self {
            Conn::Postgres(c) => {
                sqlx::query_as_with::<_, T, _>(&text, arguments::<Postgres>(params)?)
                    .fetch_all(&mut **c)
                    .await?
            }
            Conn::Sqlite(c) => {
                sqlx::query_as_with::<_, T, _>(&text, arguments::<Sqlite>(params)?)
                    .fetch_all(&mut **c)
                    .await?
            }
        })
    }

    /// The first row, if any.
    pub async fn fetch_optional<T: Record>(
        &mut self,
        sql: impl Into<Sql>,
    ) -> Result<Option<T>, StoreError> {
        let Sql { text, params } = sql.into();
        Ok(match self {
            Conn::Postgres(c) => {
                sqlx::query_as_with::<_, T, _>(&text, arguments::<Postgres>(params)?)
                    .fetch_optional(&mut **c)
                    .await?
            }
            Conn::Sqlite(c) => {
                sqlx::query_as_with::<_, T, _>(&text, arguments::<Sqlite>(params)?)
                    .fetch_optional(&mut **c)
                    .await?
            }
        })
    }

    /// Exactly one row (none is `sqlx::Error::RowNotFound`).
    pub async fn fetch_one<T: Record>(&mut self, sql: impl Into<Sql>) -> Result<T, StoreError> {
        self.fetch_optional(sql)
            .await?
            .ok_or_else(|| StoreError::from(sqlx::Error::RowNotFound))
    }

    /// The first column of exactly one row.
    pub async fn scalar<T>(&mut self, sql: impl Into<Sql>) -> Result<T, StoreError>
    where
        (T,): Record,
    {
        Ok(self.fetch_one::<(T,)>(sql).await?.0)
    }

    /// Tells other processes' listeners on `channel` (delivered at commit,
    /// dropped on rollback); nothing where the backend has no notifications.
    pub async fn notify(&mut self, channel: &str, payload: &str) -> Result<(), StoreError> {
        if self.dialect().notifies {
            self.execute(
                Sql::new("SELECT pg_notify($1, $2)")
                    .arg(channel)
                    .arg(payload),
            )
            .await?;
        }
        Ok(())
    }
}

/// A connection taken from the pool (back to it on drop).
pub(crate) enum Pooled {
    Postgres(sqlx::pool::PoolConnection<Postgres>),
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
}

impl Pooled {
    /// The connection, to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Postgres(c) => Conn::Postgres(c),
            Pooled::Sqlite(c) => Conn::Sqlite(c),
        }
    }
}

/// A transaction of either backend, started with its dialect's `BEGIN`;
/// rolled back on drop unless committed.
pub(crate) enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    /// The transaction's connection, to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Postgres(tx) => Conn::Postgres(tx),
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Database {
    /// What differs on this backend.
    pub(crate) fn dialect(&self) -> &'static Dialect {
        match self {
            Database::Postgres(_) => &Dialect::POSTGRES,
            Database::Sqlite(_) => &Dialect::SQLITE,
        }
    }

    /// The pool's open connections and how many of them are idle (for
    /// metrics).
    pub fn pool_stats(&self) -> (u32, usize) {
        match self {
            Database::Postgres(pool) => (pool.size(), pool.num_idle()),
            Database::Sqlite(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// A connection from the pool.
    pub(crate) async fn acquire(&self) -> Result<Pooled, StoreError> {
        Ok(match self {
            Database::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
            Database::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
        })
    }

    /// Starts a writing transaction ([`Dialect::begin`]).
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        let begin = self.dialect().begin;
        Ok(match self {
            Database::Postgres(pool) => Tx::Postgres(pool.begin_with(begin).await?),
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with(begin).await?),
        })
    }

    /// [`Conn::execute`] on a pooled connection.
    pub(crate) async fn execute(&self, sql: impl Into<Sql>) -> Result<u64, StoreError> {
        self.acquire().await?.conn().execute(sql).await
    }

    /// [`Conn::fetch_all`] on a pooled connection.
    pub(crate) async fn fetch_all<T: Record>(
        &self,
        sql: impl Into<Sql>,
    ) -> Result<Vec<T>, StoreError> {
        self.acquire().await?.conn().fetch_all(sql).await
    }

    /// [`Conn::fetch_optional`] on a pooled connection.
    pub(crate) async fn fetch_optional<T: Record>(
        &self,
        sql: impl Into<Sql>,
    ) -> Result<Option<T>, StoreError> {
        self.acquire().await?.conn().fetch_optional(sql).await
    }

    /// [`Conn::fetch_one`] on a pooled connection.
    pub(crate) async fn fetch_one<T: Record>(&self, sql: impl Into<Sql>) -> Result<T, StoreError> {
        self.acquire().await?.conn().fetch_one(sql).await
    }

    /// [`Conn::scalar`] on a pooled connection.
    pub(crate) async fn scalar<T>(&self, sql: impl Into<Sql>) -> Result<T, StoreError>
    where
        (T,): Record,
    {
        self.acquire().await?.conn().scalar(sql).await
    }
}
