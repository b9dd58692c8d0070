//! The views generation (what servers may cache results by): it moves with
//! every pass that changes the views, notices other processes' passes (on
//! PostgreSQL by LISTEN, on SQLite by the checkpoint), and is unknown
//! whenever changes could be missed.

use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{Database, NumberDesk, PageRequest, StoreSettings};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::{RequestDetails, RequestInput};
use std::time::Duration;
use uuid::Uuid;

fn details() -> RequestDetails {
    RequestDetails::parse(&RequestInput {
        country: Some("NL".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Support line".to_owned()),
        contact_name: Some("Jane Doe".to_owned()),
        contact_email: Some("jane@acme.example".to_owned()),
        quantity: Some(1),
        ..RequestInput::default()
    })
    .expect("valid details")
}

async fn submit(desk: &NumberDesk) {
    desk.submit(
        7,
        Uuid::new_v4(),
        details(),
        &CommandMetadata::new("partner:test"),
    )
    .await
    .expect("submit");
}

/// Polls `probe` every 20 ms for up to 10 s.
async fn eventually(what: &str, probe: impl Fn() -> bool) {
    for _ in 0..500 {
        if probe() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("not within 10 s: {what}");
}

#[tokio::test]
async fn sqlite_generation_is_known_and_moves_with_writes_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let db = Database::connect(&url).await.expect("sqlite");
    let desk = NumberDesk::open(db, StoreSettings::default())
        .await
        .expect("open");
    assert!(
        desk.follow_other_writers().is_none(),
        "nobody else to follow"
    );
    let before = desk.views_generation().expect("known on SQLite");
    let page = PageRequest {
        first: 20,
        after: None,
        with_total: true,
        ..PageRequest::default()
    };
    desk.list_requests(&Default::default(), &page)
        .await
        .expect("read");
    assert_eq!(desk.views_generation(), Some(before), "reads move nothing");
    submit(&desk).await;
    let after = desk.views_generation().expect("known");
    assert!(after > before, "a command moves it before returning");
    desk.rebuild_projections().await.expect("rebuild");
    assert!(desk.views_generation().expect("known") > after);
}

#[tokio::test]
async fn sqlite_readers_notice_another_process_on_the_same_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let open = || async {
        let db = Database::connect(&url).await.expect("sqlite");
        NumberDesk::open(db, StoreSettings::default())
            .await
            .expect("open")
    };
    let writer = open().await;
    let reader = open().await;
    let first = reader.refresh_views_generation().await.expect("known");
    assert_eq!(
        reader.refresh_views_generation().await,
        Some(first),
        "nothing changed"
    );
    // Another process's command: this process hears nothing, so only the
    // log's highest position tells.
    submit(&writer).await;
    assert_eq!(reader.views_generation(), Some(first), "not heard of yet");
    let after = reader.refresh_views_generation().await.expect("known");
    assert!(after > first, "the moved log moves the generation");
    assert_eq!(reader.refresh_views_generation().await, Some(after));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_generation_hears_other_processes_and_is_unknown_while_deaf() {
    let Some(database) = TestPostgres::create("freshness_listener").await else {
        return;
    };
    let url = database.url();
    let open = || async {
        let db = Database::connect(url).await.expect("postgres");
        NumberDesk::open(db, StoreSettings::default())
            .await
            .expect("open")
    };
    let writer = open().await;
    let reader = open().await;
    assert_eq!(
        reader.views_generation(),
        None,
        "unknown until something listens for other writers"
    );
    let follower = reader
        .follow_other_writers()
        .expect("a listener on PostgreSQL");
    eventually("the listener connects", || {
        reader.views_generation().is_some()
    })
    .await;

    let before = reader.views_generation();
    submit(&writer).await;
    eventually("the reader hears the writer's pass", || {
        reader.views_generation().is_some() && reader.views_generation() != before
    })
    .await;

    // Cut the listener's connection: the generation is unknown (changes made
    // meanwhile would be missed) until it has listened again.
    let Database::Postgres(pool) = writer.database() else {
        panic!("postgres");
    };
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(pool)
    .await
    .expect("terminate");
    assert_eq!(killed, [true], "exactly the one listener");
    eventually("the loss is noticed", || {
        reader.views_generation().is_none()
    })
    .await;
    eventually("it listens again", || reader.views_generation().is_some()).await;
    let before = reader.views_generation();
    submit(&writer).await;
    eventually("and hears passes again", || {
        reader.views_generation().is_some() && reader.views_generation() != before
    })
    .await;

    follower.abort();
    writer.database().close().await;
    reader.database().close().await;
}

/// The one "log moved" signal: a command here moves it before it returns;
/// another process's pass reaches a following desk, carrying the position.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_log_moved_follows_local_and_other_processes_commits() {
    let Some(database) = TestPostgres::create("freshness_log_moved").await else {
        return;
    };
    let url = database.url();
    let open = || async {
        let db = Database::connect(url).await.expect("postgres");
        NumberDesk::open(db, StoreSettings::default())
            .await
            .expect("open")
    };
    let writer = open().await;
    let reader = open().await;
    let mut local = writer.log_moved();
    let mut remote = reader.log_moved();
    let follower = reader
        .follow_other_writers()
        .expect("a listener on PostgreSQL");
    // The connect wakes the reader's waiters once.
    tokio::time::timeout(Duration::from_secs(10), remote.changed())
        .await
        .expect("listener connects")
        .expect("sender alive");
    let _ = remote.borrow_and_update();
    submit(&writer).await;
    // The command returns after its one commit; the sequencer task's pass,
    // which it woke, moves the signal.
    tokio::time::timeout(Duration::from_secs(10), local.changed())
        .await
        .expect("the writer's own pass moves it")
        .expect("sender alive");
    let head = writer.projection_status().await.expect("status").1;
    assert_eq!(*local.borrow_and_update(), head as u64);
    tokio::time::timeout(Duration::from_secs(10), remote.changed())
        .await
        .expect("the reader hears the writer's pass")
        .expect("sender alive");
    assert_eq!(*remote.borrow(), head as u64);
    follower.abort();
}
