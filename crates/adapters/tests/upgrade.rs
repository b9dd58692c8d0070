//! A log written by the schema before `0500_lockfree_append` (positions from
//! the advisory-lock trigger) is upgraded without losing or reordering an
//! event, and appends after the upgrade continue above it.

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::{RequestDetails, RequestInput, Submitted};
use numberdesk_domain::values::OpsNotes;
use numberdesk_domain::{NumberRequest, NumberRequestEvent};
use postgres_es::PostgresEventRepository;
use serde_json::json;
use sqlx::migrate::Migrator;
use std::path::Path;
use uuid::Uuid;

/// The first migration of the lock-free write path.
const LOCKFREE: i64 = 500;

fn details() -> RequestDetails {
    RequestDetails::parse(&RequestInput {
        country: Some("NL".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Customer support".to_owned()),
        contact_name: Some("Ann Smith".to_owned()),
        contact_email: Some("ann@example.com".to_owned()),
        company_name: Some("Acme BV".to_owned()),
        quantity: Some(1),
        ..RequestInput::default()
    })
    .expect("valid request input")
}

fn events_of(id: Uuid, number: i64) -> Vec<SerializedEvent> {
    let submitted = NumberRequestEvent::Submitted(Box::new(Submitted {
        id,
        number,
        organization_id: 7,
        account_id: Uuid::nil(),
        details: details(),
    }));
    let notes = NumberRequestEvent::NotesUpdated {
        notes: OpsNotes::parse("before the upgrade").expect("notes"),
    };
    serialized(id, &[submitted, notes])
}

/// One request's events as an older release stored them, from sequence 1.
fn serialized(id: Uuid, events: &[NumberRequestEvent]) -> Vec<SerializedEvent> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| SerializedEvent {
            aggregate_id: id.to_string(),
            sequence: i + 1,
            aggregate_type: "NumberRequest".to_owned(),
            event_type: cqrs_es::DomainEvent::event_type(e),
            event_version: cqrs_es::DomainEvent::event_version(e),
            payload: serde_json::to_value(e).expect("event serialises"),
            metadata: json!({"actor": "test", "organization_id": "7", "occurred_at": "2030-01-01T09:00:00.000Z"}),
        })
        .collect()
}

/// The database at `url` with every migration before `version` applied
/// (the schema an older release left).
async fn schema_before(url: &str, version: i64) -> sqlx::PgPool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut old = Migrator::new(dir).await.expect("migrations");
    old.migrations = old
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    old.run(&pool).await.expect("old schema");
    pool
}

async fn log(pool: &sqlx::PgPool) -> Vec<(i64, String, i64)> {
    sqlx::query_as("SELECT position, aggregate_id, sequence FROM events ORDER BY position")
        .fetch_all(pool)
        .await
        .expect("read the log")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_written_by_the_locking_schema_upgrades_in_order() {
    let Some(database) = TestPostgres::create("upgrade").await else {
        return;
    };
    let url = database.url();
    // The schema as it was: every migration before the lock-free one.
    let pool = schema_before(url, LOCKFREE).await;
    // Filled by today's write path: postgres-es appends through the trigger,
    // from several tasks at once.
    let mut writers = Vec::new();
    for i in 0..6_i64 {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            let repo = PostgresEventRepository::new(pool);
            let id = Uuid::new_v4();
            repo.persist::<NumberRequest>(&events_of(id, i + 1), None)
                .await
                .expect("append with the old schema");
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    // The numbers above were the sequence's first six.
    sqlx::query("SELECT setval('request_number_seq', 6)")
        .execute(&pool)
        .await
        .expect("numbers drawn");
    let before = log(&pool).await;
    assert_eq!(before.len(), 12);
    pool.close().await;

    let db = Database::connect(url).await.expect("upgrade");
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    let Database::Postgres(pool) = &db else {
        unreachable!("connected to PostgreSQL")
    };
    assert_eq!(
        log(pool).await,
        before,
        "no event lost, moved or renumbered"
    );
    let feed = desk.events_after(0, 100).await.expect("feed");
    let positions: Vec<i64> = feed.iter().map(|e| e.position).collect();
    let expected: Vec<i64> = before.iter().map(|e| e.0).collect();
    assert_eq!(positions, expected);
    let (views, _) = desk.dump_views().await.expect("views");
    assert_eq!(views.len(), 6);
    assert!(views.iter().all(|v| v.version == 2));

    // New appends no longer take the lock and continue above the old log.
    let head = expected.last().copied().unwrap_or_default();
    let view = desk
        .submit(
            7,
            Uuid::nil(),
            details(),
            &CommandMetadata::new("partner:k"),
        )
        .await
        .expect("submit after the upgrade");
    let after = desk.events_after(head, 10).await.expect("feed");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].request_id, view.uuid);
    assert_eq!(after[0].position, head + 1);
    // The counters kept by the old projector and the new command's delta
    // add up (migration 0600 added the deltas beside the folded counts).
    let stats = desk.stats(None).await.expect("stats");
    assert_eq!(stats.values().sum::<i64>(), 7);
    let trigger: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'events_assign_position'",
    )
    .fetch_one(pool)
    .await
    .expect("catalogue");
    assert_eq!(trigger, 0, "no trigger left to serialise appends");
    db.close().await;
}

/// The first migration that draws phone-number ids with their event.
const NUMBER_IDS: i64 = 900;

/// One request's whole life up to its `Provisioned` event, as the schema
/// before `0900` wrote it (no `phone_number_id` in the metadata).
fn provisioned_life(id: Uuid, number: i64, phone: &str) -> Vec<SerializedEvent> {
    use numberdesk_domain::values::{Assignee, CarrierOrderId, PhoneNumber};
    let phone = PhoneNumber::parse(phone).expect("fixture number");
    let life = [
        NumberRequestEvent::Submitted(Box::new(Submitted {
            id,
            number,
            organization_id: 7,
            account_id: Uuid::nil(),
            details: details(),
        })),
        NumberRequestEvent::Assigned {
            assignee: Assignee::parse("ops@example.com").expect("assignee"),
            notes: None,
            attempt: 1,
        },
        NumberRequestEvent::Ordered {
            carrier_order_id: CarrierOrderId::parse("ord-old").expect("order id"),
            phone_numbers: vec![phone.clone()],
            attempt: 1,
            prices: vec![],
        },
        NumberRequestEvent::Provisioned {
            phone_number: phone,
        },
    ];
    serialized(id, &life)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_provisioned_before_0900_keep_their_position_as_id() {
    let Some(database) = TestPostgres::create("upgrade_number_ids").await else {
        return;
    };
    let url = database.url();
    let pool = schema_before(url, NUMBER_IDS).await;
    // Two requests written by the lock-free schema: the first sequenced
    // (positions 1–4, as a pass would stamp them), the second still waiting
    // for its positions when the upgrade runs.
    let repo = PostgresEventRepository::new(pool.clone());
    let (sequenced, waiting) = (Uuid::new_v4(), Uuid::new_v4());
    repo.persist::<NumberRequest>(&provisioned_life(sequenced, 1, "+31201000011"), None)
        .await
        .expect("append");
    sqlx::query("UPDATE events SET position = sequence WHERE aggregate_id = $1")
        .bind(sequenced.to_string())
        .execute(&pool)
        .await
        .expect("sequence the first request");
    repo.persist::<NumberRequest>(&provisioned_life(waiting, 2, "+31201000012"), None)
        .await
        .expect("append");
    sqlx::query("SELECT setval('request_number_seq', 2)")
        .execute(&pool)
        .await
        .expect("numbers drawn");
    pool.close().await;

    let db = Database::connect(url).await.expect("upgrade");
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    desk.catch_up().await.expect("sequenced and projected");
    let Database::Postgres(pool) = &db else {
        unreachable!("connected to PostgreSQL")
    };
    let provisioned_at: Vec<(String, i64)> = sqlx::query_as(
        "SELECT aggregate_id, position FROM events WHERE event_type = 'Provisioned' ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .expect("positions");
    assert_eq!(provisioned_at.len(), 2);
    let old_ids: Vec<(String, i64)> =
        sqlx::query_as("SELECT request_id::text, id FROM phone_numbers ORDER BY id")
            .fetch_all(pool)
            .await
            .expect("phone numbers");
    assert_eq!(
        old_ids, provisioned_at,
        "an old number's id is its Provisioned event's position"
    );

    // A number provisioned now gets an id from the new sequence, above
    // every id an older number has or could have.
    let meta = CommandMetadata::new("ops:test");
    let view = desk
        .submit(7, Uuid::nil(), details(), &meta)
        .await
        .expect("submit");
    let phone = numberdesk_domain::values::PhoneNumber::parse("+31201000013").expect("number");
    for command in [
        numberdesk_domain::NumberRequestCommand::Assign {
            assignee: numberdesk_domain::values::Assignee::parse("ops@example.com")
                .expect("assignee"),
            notes: None,
        },
        numberdesk_domain::NumberRequestCommand::RecordOrder {
            carrier_order_id: numberdesk_domain::values::CarrierOrderId::parse("ord-new")
                .expect("order id"),
            phone_numbers: vec![phone.clone()],
            prices: vec![],
        },
    ] {
        desk.execute(view.uuid, command, &meta)
            .await
            .expect("command");
    }
    let done = desk
        .execute(
            view.uuid,
            numberdesk_domain::NumberRequestCommand::RecordProvisioned {
                phone_number: phone,
            },
            &meta,
        )
        .await
        .expect("provision");
    let new_id = done.provisioned_number_id.expect("an id at once");
    let highest_old = provisioned_at.iter().map(|p| p.1).max().unwrap_or(0);
    assert!(
        new_id > highest_old,
        "new id {new_id} above the old ones (up to {highest_old})"
    );
    db.close().await;
}
