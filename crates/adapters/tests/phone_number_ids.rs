//! A provisioned number's id is drawn with its `Provisioned` event (kept in
//! the event's metadata), not taken from the event's position: the command
//! that provisions a number writes and answers its own view in its own
//! transaction, even while no sequencer pass can run; the id is the one the
//! log keeps, so a rebuild gives the number the same id.

mod common;

use common::{details, number};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, PageRequest, PhoneNumberFilter, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::{Assignee, CarrierOrderId, PhoneNumber};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use std::time::Duration;
use uuid::Uuid;

/// A request of two numbers, assigned and ordered; returns its id.
async fn ordered(desk: &NumberDesk, numbers: &[PhoneNumber]) -> Uuid {
    let meta = CommandMetadata::new("ops:test");
    let view = desk
        .submit(7, Uuid::new_v4(), details(), &meta)
        .await
        .expect("submit");
    let assign = NumberRequestCommand::Assign {
        assignee: Assignee::parse("ops@example.com").expect("assignee"),
        notes: None,
    };
    desk.execute(view.uuid, assign, &meta)
        .await
        .expect("assign");
    let order = NumberRequestCommand::RecordOrder {
        carrier_order_id: CarrierOrderId::parse("ord-1").expect("order id"),
        phone_numbers: numbers.to_vec(),
        prices: vec![],
    };
    desk.execute(view.uuid, order, &meta).await.expect("order");
    view.uuid
}

fn provision(n: &PhoneNumber) -> NumberRequestCommand {
    NumberRequestCommand::RecordProvisioned {
        phone_number: n.clone(),
    }
}

async fn phone_ids(desk: &NumberDesk) -> Vec<(String, i64)> {
    let page = PageRequest {
        first: 50,
        ..PageRequest::default()
    };
    let phones = desk
        .list_phone_numbers(&PhoneNumberFilter::default(), &page)
        .await
        .expect("phones");
    phones
        .items
        .into_iter()
        .map(|p| (p.phone_number, p.id))
        .collect()
}

async fn sqlite() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ids.db").display());
    (dir, Database::connect(&url).await.expect("sqlite"))
}

/// Provisions both numbers of a request and checks the ids: the own views
/// carry them, they are distinct, the phone-number views list them, and a
/// rebuild from the log gives the same ones.
async fn ids_are_drawn_with_the_event(db: Database) {
    let desk = NumberDesk::open(db, StoreSettings::default())
        .await
        .expect("desk opens");
    let numbers = [number(1), number(2)];
    let id = ordered(&desk, &numbers).await;
    let meta = CommandMetadata::new("ops:test");
    let first = desk
        .execute(id, provision(&numbers[0]), &meta)
        .await
        .expect("provision the first");
    let second = desk
        .execute(id, provision(&numbers[1]), &meta)
        .await
        .expect("provision the second");
    assert_eq!(second.status, RequestStatus::Provisioned);
    let first_id = first.provisioned_number_id.expect("the own view has an id");
    assert!(first_id > 0);
    assert_eq!(second.provisioned_number_id, Some(first_id));
    let listed = phone_ids(&desk).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0], (numbers[0].as_str().to_owned(), first_id));
    assert_ne!(listed[0].1, listed[1].1, "each number its own id");
    desk.rebuild_projections().await.expect("rebuild");
    assert_eq!(phone_ids(&desk).await, listed, "the log keeps the ids");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_ids_are_drawn_with_the_event() {
    let (_dir, db) = sqlite().await;
    ids_are_drawn_with_the_event(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ids_are_drawn_with_the_event() {
    let Some(database) = TestPostgres::create("phone_ids").await else {
        return;
    };
    let db = Database::connect(database.url()).await.expect("postgres");
    ids_are_drawn_with_the_event(db).await;
}

/// Nothing waits for the sequencer: with every projector pass blocked (a
/// session holds the checkpoint row that serialises them), provisioning a
/// number still commits and answers the request with the number and its
/// id. (When the id was the event's position, this command waited for a
/// pass to stamp it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisioning_answers_while_no_sequencer_pass_can_run() {
    let Some(database) = TestPostgres::create("phone_ids_blocked").await else {
        return;
    };
    let db = Database::connect(database.url()).await.expect("postgres");
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    let numbers = [number(3), number(4)];
    let id = ordered(&desk, &numbers).await;

    let blocker = sqlx::PgPool::connect(database.url())
        .await
        .expect("second connection");
    let mut pass_lock = blocker.begin().await.expect("begin");
    sqlx::query("SELECT position FROM projection_checkpoints WHERE name = 'views' FOR UPDATE")
        .fetch_one(&mut *pass_lock)
        .await
        .expect("hold the projector's checkpoint row");

    let provisioned = tokio::time::timeout(
        Duration::from_secs(20),
        desk.execute(
            id,
            provision(&numbers[0]),
            &CommandMetadata::new("ops:test"),
        ),
    )
    .await
    .expect("provisioning must not wait for a sequencer pass")
    .expect("provision");
    assert_eq!(
        provisioned.provisioned_numbers,
        vec![numbers[0].as_str().to_owned()]
    );
    let number_id = provisioned
        .provisioned_number_id
        .expect("the number has its id at once");
    let Database::Postgres(pool) = &db else {
        unreachable!("connected to PostgreSQL")
    };
    let kept: (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT metadata ->> 'phone_number_id', position FROM events \
         WHERE aggregate_id = $1 AND event_type = 'Provisioned'",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await
    .expect("the Provisioned event");
    assert_eq!(kept.0, Some(number_id.to_string()), "the id is in the log");
    assert_eq!(kept.1, None, "and no pass has stamped a position yet");
    pass_lock.rollback().await.expect("release");
    blocker.close().await;
    db.close().await;
}
