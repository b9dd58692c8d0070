//! Bad scalars and out-of-range numbers are the client's: BAD_USER_INPUT,
//! never INTERNAL, naming the argument (in the message and in
//! `extensions.argument`); duplicate JSON keys in a GraphQL body are refused.

use crate::helpers::{submit, TestApp};
use serde_json::json;

on_both_backends!(
    "graphql_scalars":
    bad_scalars_are_bad_user_input_not_internal,
    duplicate_json_keys_are_refused_naming_the_key,
);

async fn duplicate_json_keys_are_refused_naming_the_key(app: TestApp) {
    let before = app.log_length().await;
    for (body, key) in [
        (
            r#"{"query": "{ __typename }", "query": "{ stats { total } }"}"#.to_owned(),
            "query",
        ),
        (
            format!(
                r#"{{"query": "mutation($input: SubmitNumberRequestInput!) {{ submitNumberRequest(input: $input) {{ id }} }}", "variables": {{"input": {{"organizationId": {org}, "country": "NL", "country": "DE", "numberType": "local", "useCase": "x", "contactName": "Jane", "contactEmail": "jane@acme.example"}}}}}}"#,
                org = app.tenant.org.id
            ),
            "country",
        ),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&app.tenant.partner_key)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("graphql request");
        assert_eq!(response.status(), 400, "{key}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        assert!(
            body["errors"][0]["extensions"]["fields"][key].is_string(),
            "{body}"
        );
    }
    assert_eq!(app.log_length().await, before, "nothing was submitted");
}

async fn bad_scalars_are_bad_user_input_not_internal(app: TestApp) {
    let key = &app.tenant.ops_key;
    let id = submit(&app, &app.tenant, 1, None).await;
    for (query, argument) in [
        (
            "{ numberRequests(filter: {createdAfter: \"bad\"}) { edges { cursor } } }".to_owned(),
            "filter.createdAfter",
        ),
        (
            format!("{{ numberRequestAsOf(id: \"{id}\", at: \"yesterday\") {{ id }} }}"),
            "at",
        ),
        (
            "{ numberRequests(first: 2147483648) { edges { cursor } } }".to_owned(),
            "first",
        ),
    ] {
        let body = app.graphql(key, &query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{query}: {body}"
        );
        assert!(
            body["data"].is_null() || body["data"].is_object(),
            "{argument}: {body}"
        );
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["argument"], argument, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{argument}`")), "{body}");
    }
}
