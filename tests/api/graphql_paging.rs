//! Relay paging on every connection (requests, numbers, audit), both ways:
//! `first`/`after` and `last`/`before` give the same items, `pageInfo` is
//! true to the data in both directions, malformed cursors are refused, and
//! "before" bounds are exclusive.

use crate::helpers::{submit, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    "graphql_paging":
    every_connection_pages_both_ways,
    malformed_paging_arguments_are_refused_by_name,
    before_bounds_are_exclusive_after_bounds_inclusive,
);

/// One page of `field` (with fixed `filter` arguments) as cursors plus
/// `(hasPreviousPage, hasNextPage)`.
async fn page(app: &TestApp, key: &str, field: &str, args: &str) -> (Vec<String>, bool, bool) {
    let query = format!(
        "{{ {field}({args}) {{ edges {{ cursor }} pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }} }}"
    );
    let data = app.graphql_ok(key, &query, json!({})).await;
    let connection = &data[field];
    let cursors = connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["cursor"].as_str().expect("cursor").to_owned())
        .collect();
    let info = &connection["pageInfo"];
    (
        cursors,
        info["hasPreviousPage"] == true,
        info["hasNextPage"] == true,
    )
}

/// Walks `field` forwards in pages of 2 and backwards in pages of 2, and
/// through an `after`+`before` window, against the whole list.
async fn walk_both_ways(app: &TestApp, key: &str, field: &str, filter: &str) {
    let (all, previous, next) = page(app, key, field, &format!("{filter} first: 100")).await;
    assert!(all.len() >= 5, "{field}: enough items to page ({all:?})");
    assert!(!previous && !next, "{field}: one page holds everything");
    let n = all.len();

    let mut after = String::new();
    let mut start = 0;
    while start < n {
        let (items, previous, next) =
            page(app, key, field, &format!("{filter} first: 2 {after}")).await;
        let end = (start + 2).min(n);
        assert_eq!(items, all[start..end], "{field}: forwards from {start}");
        assert_eq!(previous, start > 0, "{field}: hasPreviousPage at {start}");
        assert_eq!(next, end < n, "{field}: hasNextPage at {start}");
        after = format!("after: \"{}\"", all[end - 1]);
        start = end;
    }

    let mut before = String::new();
    let mut end = n;
    while end > 0 {
        let (items, previous, next) =
            page(app, key, field, &format!("{filter} last: 2 {before}")).await;
        let start = end.saturating_sub(2);
        assert_eq!(items, all[start..end], "{field}: backwards to {end}");
        assert_eq!(
            previous,
            start > 0,
            "{field}: hasPreviousPage back at {start}"
        );
        assert_eq!(next, end < n, "{field}: hasNextPage back at {end}");
        before = format!("before: \"{}\"", all[start]);
        end = start;
    }

    let window = format!("{filter} after: \"{}\" before: \"{}\"", all[0], all[n - 1]);
    let (items, previous, next) = page(app, key, field, &format!("{window} first: 100")).await;
    assert_eq!(
        items,
        all[1..n - 1],
        "{field}: the window between two cursors"
    );
    assert!(
        previous && next,
        "{field}: items lie on both sides of the window"
    );
    let (items, previous, next) = page(app, key, field, &format!("{window} last: 2")).await;
    assert_eq!(items, all[n - 3..n - 1], "{field}: the window's end");
    assert!(previous && next, "{field}: last in a window");
    let (items, previous, next) = page(app, key, field, &format!("{window} first: 2")).await;
    assert_eq!(items, all[1..3], "{field}: the window's start");
    assert!(previous && next, "{field}: first in a window");
}

async fn provisioned(app: &TestApp, quantity: i64) -> String {
    let t = &app.tenant;
    let id = submit(app, t, quantity, None).await;
    app.graphql_ok(
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\") { status } }",
        json!({"id": id}),
    )
    .await;
    let ordered = app
        .graphql_ok(
            &t.ops_key,
            "mutation($id: ID!) { orderNumbers(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        ordered["orderNumbers"]["status"], "PROVISIONED",
        "{ordered}"
    );
    id
}

async fn every_connection_pages_both_ways(app: TestApp) {
    let key = app.tenant.ops_key.clone();
    for _ in 0..5 {
        submit(&app, &app.tenant, 1, None).await;
    }
    provisioned(&app, 6).await;
    walk_both_ways(&app, &key, "numberRequests", "").await;
    walk_both_ways(&app, &key, "phoneNumbers", "").await;
    walk_both_ways(&app, &key, "auditLog", "").await;
    // A filter bounds both the page and what lies beyond it.
    walk_both_ways(
        &app,
        &key,
        "auditLog",
        "filter: {eventTypes: [\"Submitted\"]}",
    )
    .await;
}

fn refused_on(body: &Value, argument: &str) {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{argument}: {body}"
    );
    assert!(
        body["errors"][0]["extensions"]["fields"][argument].is_string(),
        "the error names {argument}: {body}"
    );
    assert!(body["data"].is_null() || body["data"].is_object(), "{body}");
}

async fn malformed_paging_arguments_are_refused_by_name(app: TestApp) {
    let key = &app.tenant.ops_key;
    submit(&app, &app.tenant, 1, None).await;
    for field in ["numberRequests", "phoneNumbers", "auditLog"] {
        for (args, argument) in [
            ("after: \"-5\"", "after"),
            ("after: \"0\"", "after"),
            ("after: \"+5\"", "after"),
            ("after: \"007\"", "after"),
            ("after: \"garbage\"", "after"),
            ("after: \"\"", "after"),
            ("after: \"99999999999999999999\"", "after"),
            ("before: \"-5\"", "before"),
            ("before: \"x\"", "before"),
            ("last: 0", "last"),
            ("last: -1", "last"),
            ("last: 1000", "last"),
            ("first: 0", "first"),
            ("first: 1 last: 1", "last"),
        ] {
            let body = app
                .graphql(
                    key,
                    &format!("{{ {field}({args}) {{ edges {{ cursor }} }} }}"),
                    json!({}),
                )
                .await;
            refused_on(&body, argument);
        }
    }
}

async fn before_bounds_are_exclusive_after_bounds_inclusive(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 1, None).await;
    let request = app
        .graphql_ok(
            &t.ops_key,
            "query($id: ID!) { numberRequest(id: $id) { createdAt } history(requestId: $id) { occurredAt } }",
            json!({"id": id}),
        )
        .await;
    let created = request["numberRequest"]["createdAt"].clone();
    let occurred = request["history"][0]["occurredAt"].clone();

    let count = |filter: &'static str, at: Value| {
        let app = &app;
        let key = t.ops_key.clone();
        async move {
            let query = format!("query($at: DateTime!) {{ {filter} }}");
            let data = app.graphql_ok(&key, &query, json!({"at": at})).await;
            data.as_object()
                .and_then(|o| o.values().next())
                .and_then(|c| c["edges"].as_array().map(Vec::len))
                .expect("a connection")
        }
    };
    assert_eq!(
        count(
            "numberRequests(filter: {createdBefore: $at}) { edges { cursor } }",
            created.clone()
        )
        .await,
        0,
        "createdBefore excludes a request created at that instant"
    );
    assert_eq!(
        count(
            "numberRequests(filter: {createdAfter: $at}) { edges { cursor } }",
            created
        )
        .await,
        1,
        "createdAfter includes a request created at that instant"
    );
    assert_eq!(
        count(
            "auditLog(filter: {to: $at}) { edges { cursor } }",
            occurred.clone()
        )
        .await,
        0,
        "auditLog's `to` excludes an event at that instant"
    );
    assert_eq!(
        count(
            "auditLog(filter: {from: $at}) { edges { cursor } }",
            occurred
        )
        .await,
        1,
        "auditLog's `from` includes an event at that instant"
    );
}
