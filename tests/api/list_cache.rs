//! REST list pages served from memory are never stale: every write through
//! this server shows in its next list, and every write through another
//! server on the same database shows as soon as its projector pass is heard
//! (PostgreSQL) or its checkpoint is seen (SQLite).

use crate::helpers::{second_server, submit, until_generation_known, Tenant, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

on_both_backends!(
    "listcache":
    list_pages_follow_every_write_of_this_server,
    a_second_server_sees_the_first_servers_writes,
);

const ASSIGN: &str =
    "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\") { status } }";

fn list_path(tenant: &Tenant, query: &str) -> String {
    format!("/api/v1/org/{}/number-requests{query}", tenant.org.slug)
}

async fn list(app: &TestApp, base: &str, tenant: &Tenant, query: &str) -> (Vec<u8>, Value) {
    let response = app
        .client
        .get(format!("{base}{}", list_path(tenant, query)))
        .bearer_auth(&tenant.partner_key)
        .header("X-Account-Id", tenant.account.id.to_string())
        .send()
        .await
        .expect("list request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "the same media type from memory as from the database"
    );
    let bytes = response.bytes().await.expect("body").to_vec();
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    (bytes, body)
}

fn numbers(body: &Value) -> Vec<i64> {
    body["numberRequests"]
        .as_array()
        .expect("numberRequests")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

async fn list_pages_follow_every_write_of_this_server(app: TestApp) {
    // Caching must really be on for this test to mean anything.
    until_generation_known(&app.state).await;
    let base = app.base.clone();
    let t = &app.tenant;
    let first = submit(&app, t, 1, None).await;
    submit(&app, t, 1, None).await;

    let (bytes, page) = list(&app, &base, t, "?limit=5").await;
    assert_eq!(numbers(&page).len(), 2);
    assert_eq!(page["pagination"]["total"], 2);
    let (again, _) = list(&app, &base, t, "?limit=5").await;
    assert_eq!(again, bytes, "an unchanged list answers the same bytes");

    // A new request is on the next page at once, with the new total.
    submit(&app, t, 1, None).await;
    let (_, page) = list(&app, &base, t, "?limit=5").await;
    assert_eq!(numbers(&page).len(), 3);
    assert_eq!(page["pagination"]["total"], 3);

    // A status change moves a request out of a filtered page at once.
    let (_, submitted) = list(&app, &base, t, "?limit=5&status=submitted").await;
    assert_eq!(numbers(&submitted).len(), 3);
    app.graphql_ok(&t.ops_key, ASSIGN, json!({"id": first}))
        .await;
    let (_, submitted) = list(&app, &base, t, "?limit=5&status=submitted").await;
    assert_eq!(numbers(&submitted).len(), 2);
    let (_, assigned) = list(&app, &base, t, "?limit=5&status=assigned").await;
    assert_eq!(numbers(&assigned).len(), 1);
    assert_eq!(assigned["numberRequests"][0]["status"], "assigned");

    // Another tenant's list is never the cached page of this one.
    let (_, theirs) = list(&app, &base, &app.other, "?limit=5").await;
    assert!(numbers(&theirs).is_empty());
}

/// Two servers on one database: B caches a page, A writes, and B's next
/// pages show it (PostgreSQL: B hears A's pass; SQLite: B sees the
/// checkpoint move).
async fn a_second_server_sees_the_first_servers_writes(app: TestApp) {
    let second = second_server(&app).await;
    let (other_base, other_state) = (second.base.clone(), second.state.clone());
    until_generation_known(&other_state).await;
    let t = &app.tenant;
    submit(&app, t, 1, None).await;
    let (_, page) = list(&app, &other_base, t, "?limit=5").await;
    assert_eq!(numbers(&page).len(), 1, "B sees A's first write");
    let (_, page) = list(&app, &other_base, t, "?limit=5").await;
    assert_eq!(numbers(&page).len(), 1, "and caches that page");
    let before = other_state.desk.views_generation();

    // A writes; B hears A's projector pass (NOTIFY) and drops the page.
    submit(&app, t, 1, None).await;
    let mut seen = 0;
    for _ in 0..100 {
        let (_, page) = list(&app, &other_base, t, "?limit=5").await;
        seen = numbers(&page).len();
        if seen == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 2, "B's list shows A's second write within 5 s");
    assert_ne!(
        other_state.desk.views_generation(),
        before,
        "B heard of A's pass"
    );
}
