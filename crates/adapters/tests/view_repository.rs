//! One contract for cqrs-es `ViewRepository`s, run unchanged on
//! postgres-es's `PostgresViewRepository` and our `SqliteViewRepository`:
//! upsert through `GenericQuery`, load, and optimistic versioning.

use cqrs_es::persist::{GenericQuery, PersistenceError, ViewContext, ViewRepository};
use cqrs_es::{EventEnvelope, Query, View};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, SqliteViewRepository};
use numberdesk_domain::values::OpsNotes;
use numberdesk_domain::{NumberRequest, NumberRequestEvent};
use postgres_es::PostgresViewRepository;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// A small document view: the event types a request has seen.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct EventTypes {
    types: Vec<String>,
}

impl View<NumberRequest> for EventTypes {
    fn update(&mut self, event: &EventEnvelope<NumberRequest>) {
        self.types
            .push(cqrs_es::DomainEvent::event_type(&event.payload));
    }
}

fn envelope(id: &str, sequence: usize, notes: &str) -> EventEnvelope<NumberRequest> {
    EventEnvelope {
        aggregate_id: id.to_owned(),
        sequence,
        payload: NumberRequestEvent::NotesUpdated {
            notes: OpsNotes::parse(notes).expect("valid"),
        },
        metadata: HashMap::new(),
    }
}

async fn contract<R: ViewRepository<EventTypes, NumberRequest> + 'static>(repo: R) {
    let repo = Arc::new(repo);
    assert_eq!(repo.load("r-1").await.expect("load"), None);

    // Upsert through the framework's GenericQuery, twice.
    let query = GenericQuery::<R, EventTypes, NumberRequest>::new(repo.clone());
    query.dispatch("r-1", &[envelope("r-1", 1, "a")]).await;
    query
        .dispatch("r-1", &[envelope("r-1", 2, "b"), envelope("r-1", 3, "c")])
        .await;
    let view = repo.load("r-1").await.expect("load").expect("stored");
    assert_eq!(view.types, ["NotesUpdated", "NotesUpdated", "NotesUpdated"]);
    let (_, context) = repo
        .load_with_context("r-1")
        .await
        .expect("load")
        .expect("stored");
    assert_eq!(context.version, 2, "one version per update");

    // Two writers from the same version: exactly one wins.
    let first = repo
        .update_view(
            EventTypes {
                types: vec!["x".into()],
            },
            ViewContext::new("r-1".into(), 2),
        )
        .await;
    let second = repo
        .update_view(
            EventTypes {
                types: vec!["y".into()],
            },
            ViewContext::new("r-1".into(), 2),
        )
        .await;
    assert!(first.is_ok());
    assert!(matches!(second, Err(PersistenceError::OptimisticLockError)));
    assert_eq!(
        repo.load("r-1").await.expect("load").expect("stored").types,
        ["x"]
    );
    // Inserting a view that already exists is a conflict, not an overwrite.
    let again = repo
        .update_view(EventTypes::default(), ViewContext::new("r-1".into(), 0))
        .await;
    assert!(matches!(again, Err(PersistenceError::OptimisticLockError)));
    // Views are independent.
    assert_eq!(repo.load("r-2").await.expect("load"), None);
}

#[tokio::test]
async fn sqlite_view_repository_keeps_the_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::connect(&format!("sqlite://{}", dir.path().join("v.db").display()))
        .await
        .expect("sqlite");
    let pool = db.as_sqlite().expect("sqlite pool").clone();
    let repo = SqliteViewRepository::new("event_types_view", pool)
        .await
        .expect("repo");
    contract(repo).await;
}

#[tokio::test]
async fn postgres_view_repository_keeps_the_contract() {
    let Some(database) = TestPostgres::create("view_repository").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres");
    let pool = db.as_postgres().expect("pg pool").clone();
    sqlx::query("CREATE TABLE event_types_view (view_id TEXT PRIMARY KEY, version BIGINT NOT NULL CHECK (version >= 0), payload JSON NOT NULL)")
        .execute(&pool)
        .await
        .expect("view table");
    contract(PostgresViewRepository::new("event_types_view", pool)).await;
    db.close().await;
}
