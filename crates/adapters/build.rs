//! `sqlx::migrate!` embeds the migration files at compile time; without this,
//! adding a migration would not rebuild the crate and a stale binary would
//! refuse a database migrated by a newer one.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
