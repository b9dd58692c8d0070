//! Events stored in an older shape (written here with a raw INSERT, as an
//! older release wrote them) read back through the domain's upcasters on
//! every path: the aggregate load (a command on the request), the projector,
//! the history, time travel and a rebuild from a log mixing old and new
//! versions. Runs against SQLite and PostgreSQL like the store contract.

use chrono::{DateTime, Duration, TimeZone, Utc};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::{RequestDetails, RequestInput};
use numberdesk_domain::values::{
    Amount, Assignee, CarrierOrderId, Currency, NumberPrice, PhoneNumber, Price,
};
use numberdesk_domain::{NumberRequestCommand, NumberRequestEvent, RequestStatus};
use serde_json::{json, Value};
use uuid::Uuid;

struct TestDb {
    db: Database,
    _dir: Option<tempfile::TempDir>,
    /// Drops the PostgreSQL database when the test ends, even if it failed.
    _postgres: Option<TestPostgres>,
}

async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("numberdesk.db").display());
    let db = Database::connect(&url).await.expect("sqlite connects");
    TestDb {
        db,
        _dir: Some(dir),
        _postgres: None,
    }
}

async fn postgres_db(test: &str) -> Option<TestDb> {
    let database = TestPostgres::create(test).await?;
    let db = Database::connect(database.url())
        .await
        .expect("postgres connects");
    Some(TestDb {
        db,
        _dir: None,
        _postgres: Some(database),
    })
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let t = super::sqlite_db().await;
                    super::$name(&t).await;
                    t.db.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(t) = super::postgres_db(concat!("upcasting::", stringify!($name))).await else {
                        return;
                    };
                    super::$name(&t).await;
                    t.db.close().await;
                }
            )*
        }
    };
}

on_both_stores!(old_ordered_reads_on_every_path, rebuild_from_a_mixed_log);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 9, 0, 0)
        .single()
        .expect("valid instant")
}

fn meta_at(actor: &str, at: DateTime<Utc>) -> CommandMetadata {
    let mut meta = CommandMetadata::new(actor);
    meta.occurred_at = at;
    meta
}

fn details() -> RequestDetails {
    RequestDetails::parse(&RequestInput {
        country: Some("US".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Customer support".to_owned()),
        contact_name: Some("Ann Smith".to_owned()),
        contact_email: Some("ann@example.com".to_owned()),
        quantity: Some(1),
        ..RequestInput::default()
    })
    .expect("valid request input")
}

fn number(n: &str) -> PhoneNumber {
    PhoneNumber::parse(n).expect("number")
}

/// A submitted and assigned request (sequences 1 and 2).
async fn assigned_request(desk: &NumberDesk, at: DateTime<Utc>) -> Uuid {
    let view = desk
        .submit(7, Uuid::new_v4(), details(), &meta_at("partner:k", at))
        .await
        .expect("submit");
    desk.execute(
        view.uuid,
        NumberRequestCommand::Assign {
            assignee: Assignee::parse("ops@example.com").expect("assignee"),
            notes: None,
        },
        &meta_at("ops:a", at),
    )
    .await
    .expect("assign");
    view.uuid
}

/// Appends `Ordered` as release 1.0 wrote it (no `prices`), behind the
/// application's back, at sequence 3.
async fn insert_ordered_v1(db: &Database, id: Uuid, phone: &str, at: DateTime<Utc>) {
    let payload = json!({"ordered": {"carrier_order_id": "order-old", "phone_numbers": [phone], "attempt": 1}});
    let metadata = json!({
        "actor": "worker:fulfilment",
        "organization_id": "7",
        "occurred_at": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    });
    const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('NumberRequest', $1, 3, 'Ordered', '1.0', $2, $3)";
    match db {
        Database::Postgres(pool) => {
            sqlx::query(INSERT)
                .bind(id.to_string())
                .bind(&payload)
                .bind(&metadata)
                .execute(pool)
                .await
                .expect("insert old event");
        }
        Database::Sqlite(pool) => {
            sqlx::query(INSERT)
                .bind(id.to_string())
                .bind(payload.to_string())
                .bind(metadata.to_string())
                .execute(pool)
                .await
                .expect("insert old event");
        }
    }
}

fn prices_of(event: &NumberRequestEvent) -> Option<&Vec<NumberPrice>> {
    match event {
        NumberRequestEvent::Ordered { prices, .. } => Some(prices),
        _ => None,
    }
}

async fn old_ordered_reads_on_every_path(t: &TestDb) {
    let desk = NumberDesk::open(t.db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    let id = assigned_request(&desk, t0()).await;
    let ordered_at = t0() + Duration::minutes(1);
    insert_ordered_v1(&t.db, id, "+12025550101", ordered_at).await;

    // The projector reads it.
    desk.catch_up().await.expect("catch up");
    let view = desk.request(id).await.expect("view").expect("exists");
    assert_eq!(view.status, RequestStatus::Ordered);
    assert_eq!(view.carrier_order_id.as_deref(), Some("order-old"));

    // The aggregate load reads it: the command decides on the old order.
    let provisioned = desk
        .execute(
            id,
            NumberRequestCommand::RecordProvisioned {
                phone_number: number("+12025550101"),
            },
            &meta_at("worker:fulfilment", ordered_at + Duration::minutes(1)),
        )
        .await
        .expect("a command on a request with an old event");
    assert_eq!(provisioned.status, RequestStatus::Provisioned);
    assert_eq!(provisioned.provisioned_numbers, ["+12025550101"]);

    // History keeps what is stored (version 1.0, no prices) and decodes it
    // through the upcaster.
    let history = desk.history(id).await.expect("history");
    let old = &history[2];
    assert_eq!(
        (old.event_type.as_str(), old.event_version.as_str()),
        ("Ordered", "1.0")
    );
    assert!(old.payload["ordered"].get("prices").is_none());
    let decoded = old.decode().expect("old event decodes");
    assert_eq!(prices_of(&decoded), Some(&vec![]));

    // Time travel to just after the old order.
    let then = desk
        .request_as_of(id, ordered_at)
        .await
        .expect("as of")
        .expect("exists then");
    assert_eq!(then.status, RequestStatus::Ordered);
}

async fn rebuild_from_a_mixed_log(t: &TestDb) {
    let desk = NumberDesk::open(t.db.clone(), StoreSettings::default())
        .await
        .expect("desk opens");
    let old = assigned_request(&desk, t0()).await;
    insert_ordered_v1(&t.db, old, "+12025550101", t0() + Duration::minutes(1)).await;
    let new = assigned_request(&desk, t0() + Duration::minutes(2)).await;
    let price = Price {
        monthly_cost: Amount::parse("1.00").expect("amount"),
        upfront_cost: Amount::parse("0.50").expect("amount"),
        currency: Currency::parse("USD").expect("currency"),
    };
    desk.execute(
        new,
        NumberRequestCommand::RecordOrder {
            carrier_order_id: CarrierOrderId::parse("order-new").expect("id"),
            phone_numbers: vec![number("+12025550102")],
            prices: vec![NumberPrice {
                phone_number: number("+12025550102"),
                price: price.clone(),
            }],
        },
        &meta_at("worker:fulfilment", t0() + Duration::minutes(3)),
    )
    .await
    .expect("order with prices");

    // The raw 1.0 row reaches the old request's view only through a
    // projector pass (no command wrote it); wait for the background pass
    // before reading "before" (read too early under load: still ASSIGNED).
    desk.catch_up().await.expect("caught up");
    let before_old = desk.request(old).await.expect("view").expect("old");
    let before_new = desk.request(new).await.expect("view").expect("new");
    let replayed = desk.rebuild_projections().await.expect("rebuild");
    assert_eq!(replayed, 6);
    let after_old = desk.request(old).await.expect("view").expect("old");
    let after_new = desk.request(new).await.expect("view").expect("new");
    assert_eq!(after_old.status, RequestStatus::Ordered);
    assert_eq!(after_old.ordered_numbers, ["+12025550101"]);
    assert_eq!(after_new.ordered_numbers, ["+12025550102"]);
    assert_eq!(after_old, before_old);
    assert_eq!(after_new, before_new);

    // The new event is stored at 2.0 with its prices; both decode.
    let history = desk.history(new).await.expect("history");
    let ordered = &history[2];
    assert_eq!(ordered.event_version, "2.0");
    let decoded = ordered.decode().expect("decodes");
    assert_eq!(prices_of(&decoded).map(|p| p[0].price.clone()), Some(price));
    let stored: &Value = &ordered.payload["ordered"]["prices"][0];
    assert_eq!(stored["price"]["monthly_cost"], "1.00");
}
