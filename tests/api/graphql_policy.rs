//! The document policy: introspection answers signed-in callers only (and
//! nobody when it is off, with no "Did you mean …" either), and every field
//! counts against the complexity limit, `__typename` and aliases included.

use crate::helpers::{spawn, spawn_configured, Backend, TestApp};
use serde_json::{json, Value};

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

async fn anonymous(app: &TestApp, query: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.base))
        .json(&json!({"query": query}))
        .send()
        .await
        .expect("graphql request")
        .json()
        .await
        .expect("graphql json")
}

#[tokio::test]
async fn introspection_answers_signed_in_callers_only() {
    let app = spawn(Backend::Sqlite, "gql_introspection")
        .await
        .expect("sqlite");
    let body = anonymous(&app, INTROSPECTION).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    assert!(body["data"].is_null(), "no schema for anonymous: {body}");
    let typed = anonymous(&app, "{ __type(name: \"Query\") { name } }").await;
    assert_eq!(
        typed["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{typed}"
    );

    let data = app
        .graphql_ok(&app.tenant.partner_key, INTROSPECTION, json!({}))
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    // `__typename` is not introspection of the schema.
    let plain = anonymous(&app, "{ __typename }").await;
    assert_eq!(plain["data"]["__typename"], "Query", "{plain}");
}

#[tokio::test]
async fn introspection_off_is_an_error_for_everyone_and_suggests_nothing() {
    let app = spawn_configured(Backend::Sqlite, "gql_introspection_off", |c| {
        c.graphql_introspection = false
    })
    .await
    .expect("sqlite");
    let body = app
        .graphql(&app.tenant.ops_key, INTROSPECTION, json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert!(body["data"].is_null(), "{body}");

    let typo = app
        .graphql(&app.tenant.ops_key, "{ numberRequest { id } }", json!({}))
        .await;
    assert!(typo["errors"].is_array(), "{typo}");
    assert!(
        !typo.to_string().contains("Did you mean"),
        "suggestions list names: {typo}"
    );
}

#[tokio::test]
async fn every_field_counts_typename_and_aliases_included() {
    let app = spawn(Backend::Sqlite, "gql_field_count")
        .await
        .expect("sqlite");
    let many: String = (0..2000).map(|i| format!("a{i}: __typename ")).collect();
    let body = app
        .graphql(&app.tenant.ops_key, &format!("{{ {many} }}"), json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{}",
        body["errors"]
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2000 fields"), "{message}");
    assert!(message.contains("1000"), "the limit is named: {message}");

    // Through a fragment spread many times the fields count every time.
    let spreads: String = (0..600)
        .map(|i| format!("s{i}: stats {{ ...F }} "))
        .collect();
    let body = app
        .graphql(
            &app.tenant.ops_key,
            &format!("{{ {spreads} }} fragment F on Stats {{ total }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{}",
        body["errors"]
    );

    // An ordinary query stays well under the limit.
    let data = app
        .graphql_ok(
            &app.tenant.ops_key,
            "{ a: __typename b: __typename stats { total } }",
            json!({}),
        )
        .await;
    assert_eq!(data["b"], "Query");
}
