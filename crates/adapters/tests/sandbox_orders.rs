//! The sandbox carrier's order store on both backends: one order per
//! reference, a number held by one order only, and nothing of a refused
//! order stored (the order row and its numbers go in one transaction).

use chrono::{TimeZone, Utc};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, SqlSandboxOrders};
use numberdesk_domain::ports::{
    SandboxOrder, SandboxOrderNumber, SandboxOrderStore, SandboxOutcome, SandboxPlacement,
};
use numberdesk_domain::values::PhoneNumber;

fn number(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).expect("number")
}

fn order(id: &str, reference: &str, numbers: &[(&str, SandboxOutcome)]) -> SandboxOrder {
    SandboxOrder {
        id: id.to_owned(),
        customer_reference: reference.to_owned(),
        placed_at: Utc
            .timestamp_millis_opt(1_700_000_000_123)
            .single()
            .expect("time"),
        numbers: numbers
            .iter()
            .map(|(n, outcome)| SandboxOrderNumber {
                phone_number: number(n),
                outcome: *outcome,
            })
            .collect(),
    }
}

async fn keeps_one_order_per_reference_and_number(db: Database) {
    let store = SqlSandboxOrders::new(db.clone());
    let first = order(
        "sandbox-1",
        "ref-1",
        &[
            ("+31201234567", SandboxOutcome::Pending),
            ("+31201234568", SandboxOutcome::Fail),
        ],
    );
    assert_eq!(store.place(&first).await, Ok(SandboxPlacement::Placed));
    assert_eq!(store.order("sandbox-1").await, Ok(Some(first.clone())));
    assert_eq!(
        store.order_by_reference("ref-1").await,
        Ok(Some(first.clone()))
    );
    assert_eq!(store.order("nope").await, Ok(None));

    // The same reference again: the first order, nothing new.
    let again = order(
        "sandbox-2",
        "ref-1",
        &[("+31201234569", SandboxOutcome::Immediate)],
    );
    assert_eq!(
        store.place(&again).await,
        Ok(SandboxPlacement::Existing(first.clone()))
    );
    assert_eq!(store.order("sandbox-2").await, Ok(None));

    // A held number refuses the whole order; a failed one is free again.
    let clash = order(
        "sandbox-3",
        "ref-3",
        &[
            ("+31201234569", SandboxOutcome::Immediate),
            ("+31201234567", SandboxOutcome::Immediate),
        ],
    );
    assert_eq!(
        store.place(&clash).await,
        Ok(SandboxPlacement::Taken(number("+31201234567")))
    );
    assert_eq!(store.order("sandbox-3").await, Ok(None));
    assert_eq!(
        store
            .taken(&[
                number("+31201234567"),
                number("+31201234568"),
                number("+31201234569"),
            ])
            .await,
        Ok(vec![number("+31201234567")])
    );
    let reuse = order(
        "sandbox-4",
        "ref-4",
        &[("+31201234568", SandboxOutcome::Immediate)],
    );
    assert_eq!(store.place(&reuse).await, Ok(SandboxPlacement::Placed));

    // Another store on the same database (a restarted server) sees it all.
    let restarted = SqlSandboxOrders::new(db);
    assert_eq!(restarted.order_by_reference("ref-1").await, Ok(Some(first)));
    assert_eq!(restarted.order("sandbox-4").await, Ok(Some(reuse)));

    // Releasing gives a held number back, once; the order stays.
    assert_eq!(restarted.release(&number("+31201234567")).await, Ok(true));
    assert_eq!(restarted.taken(&[number("+31201234567")]).await, Ok(vec![]));
    assert_eq!(
        restarted.release(&number("+31201234567")).await,
        Ok(false),
        "released already: not held"
    );
    assert_eq!(
        restarted.release(&number("+31209999999")).await,
        Ok(false),
        "never held"
    );
    assert!(matches!(restarted.order("sandbox-1").await, Ok(Some(_))));
    let resold = order(
        "sandbox-5",
        "ref-5",
        &[("+31201234567", SandboxOutcome::Immediate)],
    );
    assert_eq!(restarted.place(&resold).await, Ok(SandboxPlacement::Placed));
}

#[tokio::test]
async fn sqlite_keeps_one_sandbox_order_per_reference_and_number() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sandbox.db").display());
    let db = Database::connect(&url).await.expect("sqlite connects");
    keeps_one_order_per_reference_and_number(db).await;
}

#[tokio::test]
async fn postgres_keeps_one_sandbox_order_per_reference_and_number() {
    let Some(database) = TestPostgres::create("sandbox_orders").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres connects");
    keeps_one_order_per_reference_and_number(db.clone()).await;
    db.close().await;
}
