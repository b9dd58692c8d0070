//! The checked-in SDL is the public contract of the GraphQL API: this test
//! fails when the code's schema drifts from it. After an intended change, run
//! `UPDATE_SCHEMA=1 cargo test -p numberdesk-graphql --test schema_sdl` and
//! commit the new `schema.graphql`.

#[test]
fn checked_in_sdl_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let actual = numberdesk_graphql::schema::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &actual).expect("write schema.graphql");
    }
    let expected = std::fs::read_to_string(&path).expect("crates/graphql/schema.graphql exists");
    assert!(
        expected == actual,
        "crates/graphql/schema.graphql is out of date; run UPDATE_SCHEMA=1 cargo test -p numberdesk-graphql --test schema_sdl"
    );
}
