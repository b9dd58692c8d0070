//! Bad scalars and out-of-range numbers are the client's: BAD_USER_INPUT,
//! never INTERNAL. (Naming the argument in `extensions.fields` is not done
//! yet: async-graphql's parse error does not carry it.)

use crate::helpers::{submit, TestApp};
use serde_json::json;

on_both_backends!(
    "graphql_scalars":
    bad_scalars_are_bad_user_input_not_internal,
);

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
    }
}
