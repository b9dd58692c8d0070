//! The depth limit: `GRAPHQL_MAX_DEPTH` (12 here) for every operation, and
//! 16 for one asking for introspection only, so that GraphiQL's own
//! introspection query (15 levels) loads its docs while deeper queries of
//! either kind are refused before they run.

use crate::helpers::{spawn, Backend};
use serde_json::{json, Value};

/// The query GraphiQL sends for its docs and completion, as it sends it.
const GRAPHIQL_INTROSPECTION: &str =
    include_str!("../../crates/graphql/src/schema/introspection_query.graphql");

/// `__type(name: "NumberRequest") { fields { type { ofType … name } } }`,
/// nesting `depth` levels of fields.
fn deep_type(depth: usize) -> String {
    let mut inner = String::from("name");
    for _ in 0..depth - 4 {
        inner = format!("ofType {{ {inner} }}");
    }
    format!("__type(name: \"NumberRequest\") {{ fields {{ type {{ {inner} }} }} }}")
}

fn refused_for_depth(body: &Value, depth: usize, limit: usize) {
    assert!(
        body.get("data").is_none_or(Value::is_null),
        "a too-deep query ran: {body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("nested too deep")
            && message.contains(&format!("{depth} levels"))
            && message.contains(&format!("limit is {limit}")),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
}

#[tokio::test]
async fn graphiqls_introspection_loads_and_deeper_queries_are_refused() {
    let app = spawn(Backend::Sqlite, "gql_depth").await.expect("sqlite");
    let key = &app.tenant.ops_key;

    let body: Value = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(key)
        .json(&json!({"query": GRAPHIQL_INTROSPECTION, "operationName": "IntrospectionQuery"}))
        .send()
        .await
        .expect("graphql request")
        .json()
        .await
        .expect("graphql json");
    assert!(body.get("errors").is_none(), "GraphiQL's docs: {body}");
    let types = body["data"]["__schema"]["types"].as_array().expect("types");
    assert!(
        types.iter().any(|t| t["name"] == "NumberRequest"),
        "the schema's own types are listed"
    );
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");

    // 16 levels of introspection alone: still allowed.
    let at_limit = app
        .graphql_ok(key, &format!("{{ {} }}", deep_type(16)), json!({}))
        .await;
    assert!(
        at_limit["__type"]["fields"][0]["type"].is_object(),
        "{at_limit}"
    );

    // An abusive `__type` nest (23 levels) is refused, introspection or not.
    let abusive = app
        .graphql(key, &format!("{{ {} }}", deep_type(23)), json!({}))
        .await;
    refused_for_depth(&abusive, 23, 16);

    // 13 levels in an operation that also reads data: a normal operation,
    // refused at GRAPHQL_MAX_DEPTH (12), though it would run otherwise.
    let normal = app
        .graphql(
            key,
            &format!("{{ stats {{ total }} {} }}", deep_type(13)),
            json!({}),
        )
        .await;
    refused_for_depth(&normal, 13, 12);
    // The same at 12 runs.
    let ok = app
        .graphql_ok(
            key,
            &format!("{{ stats {{ total }} {} }}", deep_type(12)),
            json!({}),
        )
        .await;
    assert!(ok["stats"]["total"].is_number(), "{ok}");
}
