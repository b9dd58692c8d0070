//! Constraint violations become API errors by constraint name, in one place
//! (`error.rs`): a duplicate organisation slug is a conflict, an
//! organisation of an unknown account is "account not found", on both
//! databases where they can say so.

use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::testing::TestPostgres;
use numberdesk_adapters::{ConstraintKind, Database, StoreError};
use numberdesk_application::ApiError;
use uuid::Uuid;

async fn duplicate_slug(db: &Database) -> StoreError {
    let tenancy = TenancyStore::new(db.clone());
    let partner = tenancy.create_partner("Acme").await.expect("partner");
    let account = tenancy
        .create_account(partner.id, "Main")
        .await
        .expect("account");
    let org = tenancy
        .create_organization(account.id, "One")
        .await
        .expect("org");
    let sql = "INSERT INTO organizations (slug, account_id, name, created_at) \
               VALUES ($1, $2, 'Two', CURRENT_TIMESTAMP)";
    match db {
        Database::Postgres(pool) => sqlx::query(sql)
            .bind(&org.slug)
            .bind(account.id.to_string())
            .execute(pool)
            .await
            .map(drop),
        Database::Sqlite(pool) => sqlx::query(sql)
            .bind(&org.slug)
            .bind(account.id.to_string())
            .execute(pool)
            .await
            .map(drop),
    }
    .map_err(StoreError::from)
    .expect_err("a second organisation with the same slug")
}

async fn a_duplicate_slug_is_a_conflict(db: &Database) {
    let error = duplicate_slug(db).await;
    let constraint = error.constraint().expect("a constraint violation");
    assert_eq!(constraint.kind, ConstraintKind::Unique);
    assert_eq!(constraint.name.as_deref(), Some("organizations_slug_key"));
    match ApiError::from(error) {
        ApiError::Conflict(message) => {
            assert_eq!(message, "an organization with this slug already exists")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn sqlite_duplicate_slug_is_a_conflict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("constraints.db").display());
    let db = Database::connect(&url).await.expect("sqlite");
    a_duplicate_slug_is_a_conflict(&db).await;
    db.close().await;
}

#[tokio::test]
async fn postgres_constraints_map_by_name() {
    let Some(database) = TestPostgres::create("constraints").await else {
        return;
    };
    let url = database.url();
    let db = Database::connect(url).await.expect("postgres");
    a_duplicate_slug_is_a_conflict(&db).await;

    // PostgreSQL names foreign keys too.
    let error = TenancyStore::new(db.clone())
        .create_organization(Uuid::new_v4(), "Orphan")
        .await
        .expect_err("an organisation of no account");
    let constraint = error.constraint().expect("a constraint violation");
    assert_eq!(constraint.kind, ConstraintKind::ForeignKey);
    assert_eq!(
        constraint.name.as_deref(),
        Some("organizations_account_id_fkey")
    );
    match ApiError::from(error) {
        ApiError::NotFound(message) => assert_eq!(message, "account not found"),
        other => panic!("expected not found, got {other:?}"),
    }
    db.close().await;
}
