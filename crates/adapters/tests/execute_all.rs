//! `NumberDesk::execute_all`: several commands on one request decided in
//! order and appended in one transaction — all of their events or none — on
//! both stores.

mod common;

use common::{details, number};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{CommandError, Database, NumberDesk, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::SubmitNumberRequest;
use numberdesk_domain::values::{Assignee, CarrierOrderId, PhoneNumber};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use uuid::Uuid;

fn order(numbers: &[PhoneNumber]) -> NumberRequestCommand {
    NumberRequestCommand::RecordOrder {
        carrier_order_id: CarrierOrderId::parse("ord-1").expect("order id"),
        phone_numbers: numbers.to_vec(),
        prices: vec![],
    }
}

fn provision(n: &PhoneNumber) -> NumberRequestCommand {
    NumberRequestCommand::RecordProvisioned {
        phone_number: n.clone(),
    }
}

async fn event_types(desk: &NumberDesk, id: Uuid) -> Vec<String> {
    desk.history(id)
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

async fn all_or_nothing(db: Database) {
    let desk = NumberDesk::open(db, StoreSettings::default())
        .await
        .expect("desk opens");
    let meta = CommandMetadata::new("ops:test");
    let id = desk
        .submit(7, Uuid::new_v4(), details(), &meta)
        .await
        .expect("submit")
        .uuid;
    let assign = NumberRequestCommand::Assign {
        assignee: Assignee::parse("ops@example.com").expect("assignee"),
        notes: None,
    };
    desk.execute(id, assign, &meta).await.expect("assign");
    let numbers = [number(21), number(22)];

    // A later command the request refuses (a number not in the order): the
    // order before it is not recorded either.
    let refused = desk
        .execute_all(id, vec![order(&numbers), provision(&number(29))], &meta)
        .await
        .expect_err("a number outside the order is refused");
    assert!(matches!(refused, CommandError::Domain(_)), "{refused:?}");
    assert_eq!(event_types(&desk, id).await, ["Submitted", "Assigned"]);
    let unchanged = desk.request(id).await.expect("read").expect("view");
    assert_eq!(unchanged.status, RequestStatus::Assigned);
    assert_eq!(unchanged.version, 2);

    // Accepted: each command sees what the ones before it did (the second
    // provisions a number the first ordered), all land, one view answers.
    let done = desk
        .execute_all(
            id,
            vec![
                order(&numbers),
                provision(&numbers[0]),
                provision(&numbers[1]),
            ],
            &meta,
        )
        .await
        .expect("order and provision as one");
    assert_eq!(done.status, RequestStatus::Provisioned);
    assert_eq!(done.version, 5);
    assert_eq!(
        done.provisioned_numbers,
        numbers
            .iter()
            .map(|n| n.as_str().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        event_types(&desk, id).await,
        [
            "Submitted",
            "Assigned",
            "Ordered",
            "Provisioned",
            "Provisioned"
        ]
    );
    let history = desk.history(id).await.expect("history");
    assert!(
        history
            .windows(2)
            .all(|w| w[0].occurred_at < w[1].occurred_at),
        "the batch's events keep their times in order"
    );
    assert_eq!(desk.request(id).await.expect("read"), Some(done));

    // `Submit` opens a request; it is never part of a batch.
    let submit_in_batch = desk
        .execute_all(
            id,
            vec![NumberRequestCommand::Submit(Box::new(
                SubmitNumberRequest {
                    id,
                    number: 99,
                    organization_id: 7,
                    account_id: Uuid::nil(),
                    details: details(),
                },
            ))],
            &meta,
        )
        .await;
    assert!(submit_in_batch.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commands_run_as_one_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("batch.db").display());
    all_or_nothing(Database::connect(&url).await.expect("sqlite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_commands_run_as_one_all_or_nothing() {
    let Some(database) = TestPostgres::create("execute_all").await else {
        return;
    };
    all_or_nothing(Database::connect(database.url()).await.expect("postgres")).await;
}
