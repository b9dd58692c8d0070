//! cqrs-es's [`ViewRepository`] on SQLite: the embedded twin of postgres-es's
//! `PostgresViewRepository`, so services embedding the domain can keep their
//! own `GenericQuery` views on either store with the same table shape
//! (`view_id TEXT PRIMARY KEY, version BIGINT, payload JSON`).
//!
//! numberdesk's own read models are column tables kept by the projector (see
//! [`crate::desk`]); this repository is for additional JSON-document views.

use cqrs_es::persist::{PersistenceError, ViewContext, ViewRepository};
use cqrs_es::{Aggregate, View};
use sqlx::{Row, SqlitePool};
use std::marker::PhantomData;

/// A JSON-document view table on SQLite with optimistic versioning.
#[derive(Debug)]
pub struct SqliteViewRepository<V, A> {
    table: String,
    pool: SqlitePool,
    _types: PhantomData<fn() -> (V, A)>,
}

impl<V, A> Clone for SqliteViewRepository<V, A> {
    fn clone(&self) -> Self {
        Self {
            table: self.table.clone(),
            pool: self.pool.clone(),
            _types: PhantomData,
        }
    }
}

/// Whether `name` can be used as a table name without quoting.
fn valid_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn unknown(error: impl std::error::Error + Send + Sync + 'static) -> PersistenceError {
    PersistenceError::UnknownError(Box::new(error))
}

fn connection(error: sqlx::Error) -> PersistenceError {
    PersistenceError::ConnectionError(Box::new(error))
}

impl<V, A> SqliteViewRepository<V, A>
where
    V: View<A>,
    A: Aggregate,
{
    /// A repository on table `table` (created if missing). The name must be a
    /// plain identifier, because it is put into SQL text.
    pub async fn new(table: &str, pool: SqlitePool) -> Result<Self, PersistenceError> {
        if !valid_table_name(table) {
            return Err(unknown(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{table:?} is not a valid view table name"),
            )));
        }
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (view_id TEXT PRIMARY KEY, version BIGINT NOT NULL CHECK (version >= 0), payload TEXT NOT NULL)"
        ))
        .execute(&pool)
        .await
        .map_err(connection)?;
        Ok(Self {
            table: table.to_owned(),
            pool,
            _types: PhantomData,
        })
    }
}

impl<V, A> ViewRepository<V, A> for SqliteViewRepository<V, A>
where
    V: View<A>,
    A: Aggregate,
{
    async fn load(&self, view_id: &str) -> Result<Option<V>, PersistenceError> {
        Ok(self.load_with_context(view_id).await?.map(|(view, _)| view))
    }

    async fn load_with_context(
        &self,
        view_id: &str,
    ) -> Result<Option<(V, ViewContext)>, PersistenceError> {
        let row = sqlx::query(&format!(
            "SELECT version, payload FROM {} WHERE view_id = $1",
            self.table
        ))
        .bind(view_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(connection)?;
        let Some(row) = row else { return Ok(None) };
        let version: i64 = row.try_get("version").map_err(unknown)?;
        let payload: String = row.try_get("payload").map_err(unknown)?;
        let view: V = serde_json::from_str(&payload)?;
        Ok(Some((view, ViewContext::new(view_id.to_owned(), version))))
    }

    async fn update_view(&self, view: V, context: ViewContext) -> Result<(), PersistenceError> {
        let payload = serde_json::to_string(&view)?;
        let next = context.version + 1;
        let result = if context.version == 0 {
            sqlx::query(&format!(
                "INSERT INTO {} (view_id, version, payload) VALUES ($1, $2, $3) ON CONFLICT (view_id) DO NOTHING",
                self.table
            ))
            .bind(&context.view_instance_id)
            .bind(next)
            .bind(payload)
            .execute(&self.pool)
            .await
        } else {
            sqlx::query(&format!(
                "UPDATE {} SET payload = $1, version = $2 WHERE view_id = $3 AND version = $4",
                self.table
            ))
            .bind(payload)
            .bind(next)
            .bind(&context.view_instance_id)
            .bind(context.version)
            .execute(&self.pool)
            .await
        }
        .map_err(connection)?;
        if result.rows_affected() == 1 {
            Ok(())
        } else {
            Err(PersistenceError::OptimisticLockError)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_table_name;

    #[test]
    fn table_names_are_plain_identifiers() {
        assert!(valid_table_name("request_documents"));
        for bad in ["", "1views", "views; DROP TABLE events", "a-b", "\"x\""] {
            assert!(!valid_table_name(bad), "{bad}");
        }
    }
}
