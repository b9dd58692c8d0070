//! Store errors keep their cause, and only the events primary key is an
//! optimistic-lock conflict: any other unique violation is an internal error.
//! A corrupt view row is an error too, never a panic.

use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, StoreError, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::{RequestDetails, RequestInput};
use std::error::Error;
use uuid::Uuid;

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

/// A stored status the domain does not know: reading the view fails with an
/// internal error that names the column (the row decodes through
/// `sqlx::FromRow`, the status through `TryFrom`).
async fn a_corrupt_view_row_is_an_internal_error(db: &Database) {
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("open");
    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Customer support".to_owned()),
        contact_name: Some("Ann Smith".to_owned()),
        contact_email: Some("ann@example.com".to_owned()),
        quantity: Some(1),
        ..RequestInput::default()
    })
    .expect("valid input");
    let view = desk
        .submit(
            1,
            Uuid::new_v4(),
            details,
            &CommandMetadata::new("partner:k"),
        )
        .await
        .expect("submit");
    run(db, "UPDATE number_requests SET status = 'bogus'")
        .await
        .expect("corrupt the row");
    let err = desk.request(view.uuid).await.expect_err("a bad status");
    let StoreError::Internal(cause) = &err else {
        panic!("an internal error: {err:?}");
    };
    assert!(cause.to_string().contains("status"), "{cause}");
    // The history (the log) is untouched and still readable.
    assert_eq!(desk.history(view.uuid).await.expect("history").len(), 1);
}

#[tokio::test]
async fn sqlite_corrupt_view_row_is_an_internal_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("corrupt.db").display());
    let db = Database::connect(&url).await.expect("sqlite");
    a_corrupt_view_row_is_an_internal_error(&db).await;
    db.close().await;
}

#[tokio::test]
async fn postgres_corrupt_view_row_is_an_internal_error() {
    let Some(database) = TestPostgres::create("store_errors_view").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres");
    a_corrupt_view_row_is_an_internal_error(&db).await;
    db.close().await;
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
    let Some(database) = TestPostgres::create("store_errors").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres");
    unique_violations_are_told_apart(&db).await;
    db.close().await;
}
