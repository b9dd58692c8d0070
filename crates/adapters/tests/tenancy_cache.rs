//! What the tenancy caches may and may not hide: revocations and new
//! organisations made through the same store are seen at once; ones made by
//! another process only after the key cache's time to live; without a key
//! cache every revocation is seen at once. Runs on a real SQLite file.

use numberdesk_adapters::tenancy::{IssuedKey, Role, TenancyStore};
use numberdesk_adapters::Database;
use std::time::{Duration, Instant};

struct Fixture {
    db: Database,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("tenancy.db").display());
    let db = Database::connect(&url).await.expect("sqlite connects");
    Fixture { db, _dir: dir }
}

async fn valid(store: &TenancyStore, secret: &str) -> bool {
    store.authenticate(secret).await.expect("db").is_some()
}

/// A new partner with one key.
async fn new_key(store: &TenancyStore, role: Role) -> IssuedKey {
    let partner = store.create_partner("P").await.expect("partner");
    store.issue_key(partner.id, role, "k").await.expect("key")
}

#[tokio::test]
async fn a_revocation_through_the_same_store_is_seen_at_once() {
    let f = fixture().await;
    let store = TenancyStore::with_key_cache(f.db.clone(), Duration::from_secs(600));
    let key = new_key(&store, Role::Partner).await;
    assert!(valid(&store, &key.secret).await);
    assert!(store.revoke_key(key.info.id).await.expect("db"));
    assert!(!valid(&store, &key.secret).await);
}

#[tokio::test]
async fn without_a_key_cache_another_process_revocation_is_seen_at_once() {
    let f = fixture().await;
    let server = TenancyStore::new(f.db.clone());
    let admin = TenancyStore::new(f.db.clone());
    let key = new_key(&admin, Role::Ops).await;
    assert!(valid(&server, &key.secret).await);
    assert!(admin.revoke_key(key.info.id).await.expect("db"));
    assert!(!valid(&server, &key.secret).await);
}

#[tokio::test]
async fn another_process_revocation_is_seen_after_the_time_to_live() {
    let f = fixture().await;
    // Long enough for the revocation's write on a loaded machine to fit in
    // it (300 ms did not always).
    let ttl = Duration::from_secs(2);
    let server = TenancyStore::with_key_cache(f.db.clone(), ttl);
    let admin = TenancyStore::new(f.db.clone());
    let key = new_key(&admin, Role::Partner).await;
    let asked = Instant::now();
    let principal = server.authenticate(&key.secret).await.expect("db");
    // The entry was cached between `asked` and `cached`.
    let cached = Instant::now();
    assert_eq!(principal.map(|p| p.key_id), Some(key.info.id));
    assert!(admin.revoke_key(key.info.id).await.expect("db"));
    // Served from memory within the time to live: the documented trade-off.
    assert!(valid(&server, &key.secret).await);
    assert!(
        asked.elapsed() < ttl,
        "the check ran {:?} after caching, past the time to live: nothing proven",
        asked.elapsed()
    );
    tokio::time::sleep_until((cached + ttl + Duration::from_millis(100)).into()).await;
    assert!(!valid(&server, &key.secret).await);
}

#[tokio::test]
async fn unknown_keys_are_never_cached_as_valid_and_new_keys_work_at_once() {
    let f = fixture().await;
    let server = TenancyStore::with_key_cache(f.db.clone(), Duration::from_secs(600));
    let admin = TenancyStore::new(f.db.clone());
    assert!(!valid(&server, "nd_partner_not-a-key").await);
    let key = new_key(&admin, Role::Partner).await;
    assert!(valid(&server, &key.secret).await);
}

#[tokio::test]
async fn a_partner_scope_follows_organisations_created_through_the_same_store() {
    let f = fixture().await;
    let store = TenancyStore::with_key_cache(f.db.clone(), Duration::from_secs(600));
    let partner = store.create_partner("P").await.expect("partner");
    let account = store
        .create_account(partner.id, "A")
        .await
        .expect("account");
    let first = store
        .create_organization(account.id, "One")
        .await
        .expect("org");
    let scope = store
        .organizations_of_partner(partner.id)
        .await
        .expect("db");
    assert_eq!(scope.iter().map(|o| o.id).collect::<Vec<_>>(), [first.id]);
    let second = store
        .create_organization(account.id, "Two")
        .await
        .expect("org");
    let scope = store
        .organizations_of_partner(partner.id)
        .await
        .expect("db");
    assert_eq!(
        scope.iter().map(|o| o.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
}

#[tokio::test]
async fn organisations_and_accounts_created_elsewhere_are_found_after_a_miss() {
    let f = fixture().await;
    let server = TenancyStore::with_key_cache(f.db.clone(), Duration::from_secs(600));
    let admin = TenancyStore::new(f.db.clone());
    assert!(server
        .organization_by_slug("abcd")
        .await
        .expect("db")
        .is_none());
    let partner = admin.create_partner("P").await.expect("partner");
    let account = admin
        .create_account(partner.id, "A")
        .await
        .expect("account");
    let org = admin
        .create_organization(account.id, "One")
        .await
        .expect("org");
    assert_eq!(
        server.organization_by_slug(&org.slug).await.expect("db"),
        Some(org.clone())
    );
    assert_eq!(server.organization(org.id).await.expect("db"), Some(org));
    assert_eq!(server.account(account.id).await.expect("db"), Some(account));
}
