//! The jobs table on both backends: lease, retry, finish, heartbeat and
//! lease expiry, all on the database's clock.

use numberdesk_adapters::fulfilment::{JobKind, JobStatus, JobStore, NewJob, RunOutcome};
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::Database;
use serde_json::json;
use std::time::Duration;

fn job(key: &str) -> NewJob {
    NewJob {
        kind: JobKind::Order,
        request_id: Some(uuid::Uuid::new_v4()),
        dedupe_key: key.to_owned(),
        payload: json!({"attempt": 1}),
        max_attempts: Some(3),
        run_at: chrono::Utc::now(),
    }
}

async fn leases_retries_and_expiry(db: Database) {
    let jobs = JobStore::new(db);
    assert!(jobs.enqueue(&job("k1")).await.expect("enqueue"));
    assert!(!jobs.enqueue(&job("k1")).await.expect("enqueue again"));
    let lease = Duration::from_secs(30);
    let first = jobs
        .lease_next("w1", lease)
        .await
        .expect("lease")
        .expect("due");
    assert_eq!(first.attempts, 1);
    assert!(
        jobs.lease_next("w2", lease).await.expect("lease").is_none(),
        "held"
    );
    assert!(jobs
        .heartbeat(first.id, "w1", lease)
        .await
        .expect("heartbeat"));
    assert!(!jobs
        .heartbeat(first.id, "w2", lease)
        .await
        .expect("heartbeat"));
    let retry = RunOutcome::Retry {
        error: "carrier unavailable".into(),
        after: Duration::ZERO,
        http_status: None,
    };
    let started = chrono::Utc::now();
    assert!(jobs
        .finish(&first, "w1", started, &retry)
        .await
        .expect("finish"));
    let pending = jobs.get(first.id).await.expect("get").expect("job");
    assert_eq!(pending.status, JobStatus::Pending);
    assert_eq!(pending.last_error.as_deref(), Some("carrier unavailable"));
    let runs = jobs.attempts_of(first.id).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, "retry");

    // A lease of zero length is expired at once on the database's clock:
    // another worker takes the job over, and the old owner cannot finish it.
    let second = jobs
        .lease_next("w2", Duration::ZERO)
        .await
        .expect("lease")
        .expect("due again");
    assert_eq!(second.attempts, 2);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let third = jobs
        .lease_next("w3", lease)
        .await
        .expect("lease")
        .expect("expired lease taken over");
    assert_eq!(third.attempts, 3);
    let done = RunOutcome::Done { http_status: None };
    assert!(!jobs
        .finish(&second, "w2", started, &done)
        .await
        .expect("finish"));
    assert!(jobs
        .finish(&third, "w3", started, &done)
        .await
        .expect("finish"));
    let finished = jobs.get(first.id).await.expect("get").expect("job");
    assert_eq!(finished.status, JobStatus::Done);
    assert!(finished.finished_at.is_some());
    assert_eq!(jobs.attempts_of(first.id).await.expect("runs").len(), 2);
}

#[tokio::test]
async fn sqlite_jobs_lease_retry_and_expire_on_the_database_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let db = Database::connect(&url).await.expect("sqlite connects");
    leases_retries_and_expiry(db).await;
}

#[tokio::test]
async fn postgres_jobs_lease_retry_and_expire_on_the_database_clock() {
    let Some(database) = TestPostgres::create("fulfilment_jobs").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres connects");
    leases_retries_and_expiry(db).await;
}

/// The database's clock runs an hour ahead of this process (a `now()` in a
/// schema searched before `pg_catalog`, as a server whose clock disagrees
/// would see it). A 30-minute lease taken now must still hold: were it
/// stamped with the caller's time, it would have ended 30 minutes ago on
/// the database's clock and another worker would take the job at once.
#[tokio::test]
async fn postgres_a_lease_is_judged_on_the_database_clock_not_the_callers() {
    use sqlx::Connection;
    let Some(database) = TestPostgres::create("fulfilment_jobs_skew").await else {
        return;
    };
    let url = database.url().to_owned();
    let name = url
        .rsplit('/')
        .next()
        .and_then(|n| n.split('?').next())
        .expect("database name")
        .to_owned();
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
    for statement in [
        "CREATE SCHEMA skew".to_owned(),
        "CREATE FUNCTION skew.now() RETURNS timestamptz LANGUAGE sql STABLE \
         AS $$ SELECT pg_catalog.now() + interval '1 hour' $$"
            .to_owned(),
        format!("ALTER DATABASE {name} SET search_path = skew, pg_catalog, public"),
    ] {
        sqlx::query(&statement)
            .execute(&mut conn)
            .await
            .expect("skew the database clock");
    }
    let _ = conn.close().await;
    let db = Database::connect(&url).await.expect("postgres connects");
    let ahead: i64 = {
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        let row: (i64,) = sqlx::query_as(
            "SELECT (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT - \
             (EXTRACT(EPOCH FROM pg_catalog.now()) * 1000)::BIGINT",
        )
        .fetch_one(&mut conn)
        .await
        .expect("skew");
        row.0
    };
    assert!(ahead >= 3_500_000, "the database clock is skewed: {ahead}");

    let jobs = JobStore::new(db);
    assert!(jobs.enqueue(&job("skewed")).await.expect("enqueue"));
    let lease = Duration::from_secs(30 * 60);
    let taken = jobs
        .lease_next("w1", lease)
        .await
        .expect("lease")
        .expect("due");
    let until = taken.lease_until.expect("lease end");
    assert!(
        until > chrono::Utc::now() + chrono::Duration::minutes(80),
        "the lease ends 30 min after the database's now, not the caller's: {until}"
    );
    assert!(
        jobs.lease_next("w2", lease).await.expect("lease").is_none(),
        "a lease 30 min long, taken now, is held on the database's clock"
    );
    assert!(
        jobs.claim(taken.id, "w2", lease)
            .await
            .expect("claim")
            .is_none(),
        "nor can it be claimed"
    );
}

/// A job enqueued already leased (`orderNumbers` runs its order job in the
/// call): it is running for its owner from the start, no worker can lease
/// it, and a second enqueue of its key creates nothing.
async fn enqueued_claimed(db: Database) {
    let jobs = JobStore::new(db);
    let lease = Duration::from_secs(30);
    let claimed = jobs
        .enqueue_claimed(&job("order:1"), "api/1", lease)
        .await
        .expect("enqueue")
        .expect("a new job");
    assert_eq!(claimed.status, JobStatus::Running);
    assert_eq!(claimed.lease_owner.as_deref(), Some("api/1"));
    assert_eq!(claimed.attempts, 1);
    assert!(
        jobs.lease_next("worker", lease)
            .await
            .expect("lease")
            .is_none(),
        "a worker cannot take a job leased at birth"
    );
    assert!(jobs
        .enqueue_claimed(&job("order:1"), "api/2", lease)
        .await
        .expect("enqueue again")
        .is_none());
    assert!(!jobs.enqueue(&job("order:1")).await.expect("enqueue again"));
    // A run put off (`Later`) releases the job and records no run.
    let later = RunOutcome::Later {
        after: Duration::ZERO,
        note: Some("waiting for the carrier".into()),
    };
    assert!(jobs
        .finish(&claimed, "api/1", chrono::Utc::now(), &later)
        .await
        .expect("finish"));
    assert!(jobs.attempts_of(claimed.id).await.expect("runs").is_empty());
    let again = jobs
        .claim(claimed.id, "api/1", lease)
        .await
        .expect("claim")
        .expect("pending again");
    let done = RunOutcome::Done { http_status: None };
    assert!(jobs
        .finish(&again, "api/1", chrono::Utc::now(), &done)
        .await
        .expect("finish"));
    let runs = jobs.attempts_of(claimed.id).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].attempt, 2);
    assert_eq!(runs[0].outcome, "ok");
}

#[tokio::test]
async fn sqlite_a_job_can_be_enqueued_already_leased() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    enqueued_claimed(Database::connect(&url).await.expect("sqlite connects")).await;
}

#[tokio::test]
async fn postgres_a_job_can_be_enqueued_already_leased() {
    let Some(database) = TestPostgres::create("fulfilment_jobs_claimed").await else {
        return;
    };
    enqueued_claimed(Database::connect(database.url()).await.expect("postgres")).await;
}
