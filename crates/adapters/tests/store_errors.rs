//! Store errors keep their cause, and only the events primary key is an
//! optimistic-lock conflict: any other unique violation is an internal error.

use numberdesk_adapters::testing::{drop_postgres_database, fresh_postgres_url};
use numberdesk_adapters::{Database, StoreError};
use std::error::Error;

const EVENT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
     event_version, payload, metadata) VALUES ('Other', 'a', 1, 'T', '1', '{}', '{}')";

async fn run(db: &Database, sql: &str) -> Result<(), StoreError> {
    match db {
        Database::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop),
        Database::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop),
    }
    .map_err(StoreError::from)
}

async fn unique_violations_are_told_apart(db: &Database) {
    run(db, EVENT).await.expect("first event");
    let again = run(db, EVENT).await.expect_err("same key");
    assert!(matches!(again, StoreError::Conflict), "{again:?}");

    // `projection_checkpoints` already has the 'views' row.
    let other = run(
        db,
        "INSERT INTO projection_checkpoints (name, position) VALUES ('views', 0)",
    )
    .await
    .expect_err("duplicate checkpoint");
    let StoreError::Internal(_) = &other else {
        panic!("another constraint is no conflict: {other:?}");
    };
    let cause = other
        .source()
        .and_then(|c| c.downcast_ref::<sqlx::Error>())
        .expect("the sqlx error is kept as the source");
    let sqlx::Error::Database(db_error) = cause else {
        panic!("a database error: {cause:?}");
    };
    assert!(db_error.is_unique_violation());
}

#[tokio::test]
async fn sqlite_unique_violations_are_told_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("errors.db").display());
    let db = Database::connect(&url).await.expect("sqlite");
    unique_violations_are_told_apart(&db).await;
    db.close().await;
}

#[tokio::test]
async fn postgres_unique_violations_are_told_apart() {
    let Some(url) = fresh_postgres_url("store_errors").await else {
        return;
    };
    let db = Database::connect(&url).await.expect("postgres");
    unique_violations_are_told_apart(&db).await;
    db.close().await;
    drop_postgres_database(&url).await;
}
