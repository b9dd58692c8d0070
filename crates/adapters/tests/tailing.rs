//! The global order is commit-safe: many appenders, some holding their
//! transaction open a random while before committing, and a reader tailing
//! the log with "events after the last position seen". Every committed event
//! must reach the reader exactly once, on both stores.
//!
//! Against a plain sequence drawn at insert time (no sequencer, no lock) the
//! reader skips the events whose transaction committed after a higher
//! position had been read: this test fails then (checked by hand, see the
//! issue 11 note).

use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use numberdesk_domain::request::{RequestDetails, RequestInput, Submitted};
use numberdesk_domain::NumberRequestEvent;
use rand::Rng;
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const APPENDERS: usize = 12;
const APPENDS_EACH: usize = 6;

fn submitted(id: Uuid, number: i64) -> serde_json::Value {
    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Customer support".to_owned()),
        contact_name: Some("Ann Smith".to_owned()),
        contact_email: Some("ann@example.com".to_owned()),
        company_name: Some("Acme BV".to_owned()),
        quantity: Some(1),
        ..RequestInput::default()
    })
    .expect("valid request input");
    serde_json::to_value(NumberRequestEvent::Submitted(Box::new(Submitted {
        id,
        number,
        organization_id: 7,
        account_id: Uuid::nil(),
        details,
    })))
    .expect("event serialises")
}

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
     event_version, payload, metadata) VALUES ('NumberRequest', $1, 1, 'Submitted', '1.0', $2, $3)";

/// One append in its own transaction, held open for `hold` before commit.
async fn append(db: &Database, id: Uuid, number: i64, hold: Duration) {
    let payload = submitted(id, number);
    let metadata =
        json!({"actor": "test", "organization_id": "7", "occurred_at": "2030-01-01T09:00:00.000Z"});
    match db {
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query(INSERT)
                .bind(id.to_string())
                .bind(&payload)
                .bind(&metadata)
                .execute(&mut *tx)
                .await
                .expect("insert");
            tokio::time::sleep(hold).await;
            tx.commit().await.expect("commit");
        }
        Database::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
            sqlx::query(INSERT)
                .bind(id.to_string())
                .bind(payload.to_string())
                .bind(metadata.to_string())
                .execute(&mut *tx)
                .await
                .expect("insert");
            tokio::time::sleep(hold).await;
            tx.commit().await.expect("commit");
        }
    }
}

async fn tail_sees_every_committed_event_once(db: Database) {
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let desk = desk.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                // Read the flag first: a read after it was set sees everything.
                let finished = done.load(Ordering::SeqCst);
                let page = desk.events_after(cursor, 5).await.expect("tail");
                if let Some(last) = page.last() {
                    cursor = last.position;
                }
                let empty = page.is_empty();
                seen.extend(page.into_iter().map(|e| e.request_id));
                if finished && empty {
                    return seen;
                }
                if empty {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        })
    };
    let mut appenders = Vec::new();
    for a in 0..APPENDERS {
        let db = db.clone();
        let desk = desk.clone();
        appenders.push(tokio::spawn(async move {
            let mut committed = Vec::new();
            for i in 0..APPENDS_EACH {
                let (hold, pause) = {
                    let mut rng = rand::thread_rng();
                    let hold = if rng.gen_bool(0.4) {
                        rng.gen_range(1..60)
                    } else {
                        0
                    };
                    (hold, rng.gen_range(0..5))
                };
                let id = Uuid::new_v4();
                let number = (a * APPENDS_EACH + i + 1) as i64;
                append(&db, id, number, Duration::from_millis(hold)).await;
                committed.push(id);
                // What every command does after its commit.
                desk.catch_up().await.expect("catch up");
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            committed
        }));
    }
    let mut committed = HashSet::new();
    for appender in appenders {
        committed.extend(appender.await.expect("appender"));
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.expect("reader");
    let distinct: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "an event was seen twice");
    let missed: Vec<&Uuid> = committed.difference(&distinct).collect();
    assert!(
        missed.is_empty(),
        "{} of {} committed events never reached the reader",
        missed.len(),
        committed.len()
    );
    assert_eq!(distinct, committed);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tail_sees_every_committed_event_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("tail.db").display());
    let db = Database::connect(&url).await.expect("sqlite connects");
    tail_sees_every_committed_event_once(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tail_sees_every_committed_event_once() {
    let Some(database) = TestPostgres::create("tailing").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres connects");
    tail_sees_every_committed_event_once(db).await;
}
