//! The harness itself: a test's PostgreSQL database is dropped when the test
//! ends, so test runs leave no databases behind.

use crate::helpers::{eventually, spawn, Backend};
use numberdesk_adapters::Database;

#[tokio::test]
async fn a_tests_postgres_database_is_dropped_with_its_app() {
    let Some(app) = spawn(Backend::Postgres, "harness_drop").await else {
        return;
    };
    let url = app.database_url.clone();
    let open = Database::connect(&url).await.expect("the database exists");
    open.close().await;
    drop(app);
    // DROP DATABASE waits for a checkpoint: slow on a busy machine.
    eventually(180, "the test database to be dropped", || async {
        match Database::connect(&url).await {
            Err(_) => Some(()),
            Ok(open) => {
                open.close().await;
                None
            }
        }
    })
    .await;
}
