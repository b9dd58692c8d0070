//! Live subscriptions over a real websocket (graphql-transport-ws).

use crate::helpers::{spawn, submit, Backend, TestApp};
use crate::ws_client::{close_code, connect, send, Socket};
use serde_json::{json, Value};
use std::time::Duration;

/// How long a test waits for the next message on its socket.
const WAIT: Duration = Duration::from_secs(10);

async fn next(socket: &mut Socket) -> Option<Value> {
    crate::ws_client::next(socket, WAIT).await
}

/// The log's head: a subscription started after it sees every event written
/// from now on, however late the server takes it up (no sleep to guess it).
async fn head(app: &TestApp) -> i64 {
    app.state
        .desk
        .projection_status()
        .await
        .expect("projection status")
        .1
}

async fn lifecycle_events_arrive_in_order(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 1, None).await;
    let after = head(&app).await;
    let mut socket = connect(&app.base, &t.partner_key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!, $after: Int) { numberRequestEvents(requestId: $id, afterPosition: $after) { position eventType requestId } }",
            "variables": {"id": id, "after": after}}}),
    )
    .await;

    // An unrelated request must not show up.
    submit(&app, t, 1, None).await;
    app.graphql_ok(
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }",
        json!({"id": id}),
    )
    .await;
    app.graphql_ok(
        &t.ops_key,
        "mutation($id: ID!) { orderNumbers(id: $id) { status } }",
        json!({"id": id}),
    )
    .await;

    let mut seen = Vec::new();
    let mut positions = Vec::new();
    while seen.len() < 3 {
        let message = next(&mut socket).await.expect("an event");
        assert_eq!(message["type"], "next", "{message}");
        let event = &message["payload"]["data"]["numberRequestEvents"];
        assert_eq!(event["requestId"], id.as_str());
        seen.push(event["eventType"].as_str().expect("type").to_owned());
        positions.push(event["position"].as_i64().expect("position"));
    }
    assert_eq!(seen, ["Assigned", "Ordered", "Provisioned"]);
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

async fn connections_without_a_valid_key_are_refused(app: TestApp) {
    let mut socket = connect(&app.base, "nd_partner_wrong").await;
    let reply = next(&mut socket).await;
    assert!(
        reply.as_ref().is_none_or(|m| m["type"] != "connection_ack"),
        "acknowledged a bad key: {reply:?}"
    );
}

async fn another_tenants_request_cannot_be_watched(app: TestApp) {
    let id = submit(&app, &app.tenant, 1, None).await;
    let mut socket = connect(&app.base, &app.other.partner_key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { numberRequestEvents(requestId: $id) { eventType } }",
            "variables": {"id": id}}}),
    )
    .await;
    let reply = next(&mut socket).await.expect("a reply");
    // graphql-transport-ws carries resolver errors in a `next` with `errors`.
    assert_eq!(reply["payload"]["data"], Value::Null, "{reply}");
    assert_eq!(
        reply["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{reply}"
    );
    assert_eq!(
        next(&mut socket).await.expect("complete")["type"],
        "complete"
    );

    // Watching everything shows none of the first tenant's events.
    send(
        &mut socket,
        json!({"id": "2", "type": "subscribe", "payload": {"query": watch_all(head(&app).await)}}),
    )
    .await;
    app.graphql_ok(
        &app.tenant.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }",
        json!({"id": id}),
    )
    .await;
    let theirs = submit(&app, &app.other, 1, None).await;
    let event = next(&mut socket).await.expect("their own event");
    assert_eq!(
        event["payload"]["data"]["numberRequestEvents"]["requestId"],
        theirs.as_str(),
        "{event}"
    );
}

#[tokio::test]
async fn sqlite_another_tenants_request_cannot_be_watched() {
    another_tenants_request_cannot_be_watched(
        spawn(Backend::Sqlite, "ws_isolation")
            .await
            .expect("sqlite"),
    )
    .await;
}

#[tokio::test]
async fn sqlite_lifecycle_events_arrive_in_order() {
    lifecycle_events_arrive_in_order(spawn(Backend::Sqlite, "ws_sqlite").await.expect("sqlite"))
        .await;
}

#[tokio::test]
async fn postgres_lifecycle_events_arrive_in_order() {
    if let Some(app) = spawn(Backend::Postgres, "ws_lifecycle").await {
        lifecycle_events_arrive_in_order(app).await;
    }
}

#[tokio::test]
async fn sqlite_connections_without_a_valid_key_are_refused() {
    connections_without_a_valid_key_are_refused(
        spawn(Backend::Sqlite, "ws_refused").await.expect("sqlite"),
    )
    .await;
}

#[tokio::test]
async fn sqlite_a_refused_connection_init_closes_with_4403() {
    let app = spawn(Backend::Sqlite, "ws_4403").await.expect("sqlite");
    let mut socket = connect(&app.base, "nd_partner_wrong").await;
    assert_eq!(close_code(&mut socket, WAIT).await, Some(4403));
}

/// Every event the key may see, after position `after`.
fn watch_all(after: i64) -> String {
    format!("subscription {{ numberRequestEvents(afterPosition: {after}) {{ requestId }} }}")
}

#[tokio::test]
async fn sqlite_subscriptions_per_socket_are_capped() {
    let app = crate::helpers::spawn_configured(Backend::Sqlite, "ws_cap", |c| {
        c.graphql_max_subscriptions_per_socket = 3
    })
    .await
    .expect("sqlite");
    let after = head(&app).await;
    let mut socket = connect(&app.base, &app.tenant.partner_key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    for id in ["1", "2", "3", "4"] {
        send(
            &mut socket,
            json!({"id": id, "type": "subscribe", "payload": {"query": watch_all(after)}}),
        )
        .await;
    }
    let refusal = next(&mut socket).await.expect("a refusal");
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(refusal["id"], "4", "{refusal}");
    assert!(
        refusal["payload"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 3")),
        "{refusal}"
    );

    // A stopped subscription frees its slot; the others keep running.
    send(&mut socket, json!({"id": "1", "type": "complete"})).await;
    send(
        &mut socket,
        json!({"id": "5", "type": "subscribe", "payload": {"query": watch_all(after)}}),
    )
    .await;
    let id = submit(&app, &app.tenant, 1, None).await;
    let mut ids = Vec::new();
    while ids.len() < 3 {
        let message = next(&mut socket).await.expect("an event");
        if message["type"] == "complete" && message["id"] == "1" {
            continue; // the stopped one's acknowledgement
        }
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(
            message["payload"]["data"]["numberRequestEvents"]["requestId"],
            id.as_str()
        );
        ids.push(message["id"].as_str().expect("id").to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["2", "3", "5"]);
}

#[tokio::test]
async fn sqlite_a_revoked_key_ends_its_streams_within_the_key_cache_time() {
    let app = crate::helpers::spawn_configured(Backend::Sqlite, "ws_revoked", |c| {
        c.key_cache_seconds = 1.0
    })
    .await
    .expect("sqlite");
    let tenancy = &app.state.tenancy;
    let partner = app.tenant.account.partner_id;
    let key = tenancy
        .issue_key(partner, numberdesk_adapters::tenancy::Role::Partner, "ws")
        .await
        .expect("key");
    let mut socket = connect(&app.base, &key.secret).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": watch_all(head(&app).await)}}),
    )
    .await;
    // The stream is live once it delivers an event: then revoke its key.
    let id = submit(&app, &app.tenant, 1, None).await;
    let live = next(&mut socket).await.expect("an event");
    assert_eq!(
        live["payload"]["data"]["numberRequestEvents"]["requestId"],
        id.as_str(),
        "{live}"
    );
    assert!(tenancy.revoke_key(key.info.id).await.expect("revokes"));
    let revoked = std::time::Instant::now();
    let ended = next(&mut socket).await.expect("an error");
    // The issue's bound: within the key-cache time (1 s here), measured with
    // a generous margin for a loaded machine.
    let took = revoked.elapsed();
    assert_eq!(ended["type"], "next", "{ended}");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    assert_eq!(
        next(&mut socket).await.expect("complete")["type"],
        "complete"
    );
    assert!(
        took < Duration::from_secs(4),
        "ended {took:?} after revocation"
    );
}
