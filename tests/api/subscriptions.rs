//! Live subscriptions over a real websocket (graphql-transport-ws).

use crate::helpers::{spawn, submit, Backend, TestApp};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, key: &str) -> Socket {
    let url = format!("{}/graphql/ws", app.base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connects");
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {key}")}}),
    )
    .await;
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("sends");
}

/// The next protocol message, skipping pings; `None` when the socket closed.
async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")?;
        match message.ok()? {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).expect("json");
                if value["type"] == "ping" {
                    send(socket, json!({"type": "pong"})).await;
                    continue;
                }
                return Some(value);
            }
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

async fn lifecycle_events_arrive_in_order(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 1, None).await;
    let mut socket = connect(&app, &t.partner_key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { numberRequestEvents(requestId: $id) { position eventType requestId } }",
            "variables": {"id": id}}}),
    )
    .await;
    // Give the subscription a moment to take its starting position.
    tokio::time::sleep(Duration::from_millis(300)).await;

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
    let mut socket = connect(&app, "nd_partner_wrong").await;
    let reply = next(&mut socket).await;
    assert!(
        reply.as_ref().is_none_or(|m| m["type"] != "connection_ack"),
        "acknowledged a bad key: {reply:?}"
    );
}

async fn another_tenants_request_cannot_be_watched(app: TestApp) {
    let id = submit(&app, &app.tenant, 1, None).await;
    let mut socket = connect(&app, &app.other.partner_key).await;
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
        json!({"id": "2", "type": "subscribe", "payload": {
            "query": "subscription { numberRequestEvents { requestId } }"}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
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

/// The close code and reason of a socket's next close frame.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")?;
        match message.ok()? {
            Message::Close(frame) => return frame.map(|f| f.code.into()),
            _ => continue,
        }
    }
}

#[tokio::test]
async fn sqlite_a_refused_connection_init_closes_with_4403() {
    let app = spawn(Backend::Sqlite, "ws_4403").await.expect("sqlite");
    let mut socket = connect(&app, "nd_partner_wrong").await;
    assert_eq!(close_code(&mut socket).await, Some(4403));
}

const WATCH_ALL: &str = "subscription { numberRequestEvents { requestId } }";

#[tokio::test]
async fn sqlite_subscriptions_per_socket_are_capped() {
    let app = crate::helpers::spawn_configured(Backend::Sqlite, "ws_cap", |c| {
        c.graphql_max_subscriptions_per_socket = 3
    })
    .await
    .expect("sqlite");
    let mut socket = connect(&app, &app.tenant.partner_key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    for id in ["1", "2", "3", "4"] {
        send(
            &mut socket,
            json!({"id": id, "type": "subscribe", "payload": {"query": WATCH_ALL}}),
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
        json!({"id": "5", "type": "subscribe", "payload": {"query": WATCH_ALL}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
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
    let mut socket = connect(&app, &key.secret).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": WATCH_ALL}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
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
