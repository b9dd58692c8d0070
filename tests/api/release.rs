//! Releasing numbers end to end with the sandbox carrier, on SQLite and
//! PostgreSQL: ops release any request's number, a partner key its own
//! organisation's, another organisation's partner is refused (NOT_FOUND);
//! the numbers read `released` in GraphQL and REST `/numbers`; the
//! customer's callback is sent for each release; a number not held or
//! already released is refused with a clear error and changes nothing.

use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

on_both_stores!(
    "rl":
    ops_and_the_owning_partner_release_numbers_and_the_customer_is_called_back,
    releasing_what_the_request_does_not_hold_is_refused_and_changes_nothing,
);

pub const RELEASE: &str = "mutation($id: ID!, $n: String!, $r: String!) { releaseNumber(requestId: $id, phoneNumber: $n, reason: $r) { id status provisionedNumbers } }";

/// Every callback body received.
#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Receiver::default();
        let shared = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: axum::body::Bytes| {
                let shared = shared.clone();
                async move {
                    if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                        shared.bodies.lock().expect("lock").push(json);
                    }
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (receiver, format!("http://127.0.0.1:{port}/hook"))
    }
}

/// A provisioned request of two numbers with a callback URL.
async fn provisioned(app: &TestApp, callback: &str) -> (String, Vec<String>) {
    let id = app
        .submit_with(json!({"quantity": 2, "callbackUrl": callback}))
        .await;
    app.assign(&id).await;
    let done = app.wait_status(&id, "PROVISIONED", 30).await;
    let numbers: Vec<String> = done["provisionedNumbers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(numbers.len(), 2, "{done}");
    (id, numbers)
}

/// The statuses of the tenant's numbers over REST, by number.
async fn rest_statuses(app: &TestApp) -> Vec<(String, String)> {
    let path = format!("/api/v1/org/{}/numbers", app.tenant.org.slug);
    let response = app.rest_get(&app.tenant, &path).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let mut statuses: Vec<(String, String)> = body["numbers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    let keys: Vec<&str> = n
                        .as_object()
                        .map(|o| o.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    assert_eq!(
                        keys,
                        [
                            "id",
                            "number_request_id",
                            "organization_id",
                            "phone_number",
                            "provisioned_at",
                            "status"
                        ],
                        "the REST keys stay exact: {n}"
                    );
                    (
                        n["phone_number"].as_str().unwrap_or_default().to_owned(),
                        n["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    statuses.sort();
    statuses
}

async fn ops_and_the_owning_partner_release_numbers_and_the_customer_is_called_back(
    backend: Backend,
    name: &str,
) {
    let Some((app, node, _)) = spawn_fulfilment(backend, name, fast_fulfilment(), None).await
    else {
        return;
    };
    let (receiver, url) = Receiver::start().await;
    let (id, numbers) = provisioned(&app, &url).await;
    let (a, b) = (numbers[0].clone(), numbers[1].clone());
    let vars = |n: &str| json!({"id": id, "n": n, "r": "customer moved away"});

    // Another organisation's partner does not see the request.
    let before = app.log_length().await;
    let refused = app.graphql(&app.other.partner_key, RELEASE, vars(&a)).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert_eq!(app.log_length().await, before, "a refusal records nothing");

    // The owning partner releases one, ops the other.
    app.graphql_ok(&app.tenant.partner_key, RELEASE, vars(&a))
        .await;
    app.graphql_ok(&app.tenant.ops_key, RELEASE, vars(&b)).await;

    let statuses = eventually(30, "both numbers released", || async {
        let statuses = rest_statuses(&app).await;
        statuses
            .iter()
            .all(|(_, s)| s == "released")
            .then_some(statuses)
    })
    .await;
    assert_eq!(
        statuses,
        vec![
            (a.clone(), "released".into()),
            (b.clone(), "released".into())
        ]
    );
    let request = app.request_at(&app.base, &id).await;
    assert_eq!(
        request["status"], "PROVISIONED",
        "the status does not change"
    );
    assert_eq!(request["provisionedNumbers"], json!([]), "none is live");

    // History: who asked and why, and the carrier's confirmation.
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let history = app.state.desk.history(uuid).await.expect("history");
    let requested: Vec<_> = history
        .iter()
        .filter(|e| e.event_type == "ReleaseRequested")
        .collect();
    let released: Vec<_> = history
        .iter()
        .filter(|e| e.event_type == "NumberReleased")
        .collect();
    assert_eq!((requested.len(), released.len()), (2, 2), "{history:?}");
    assert!(
        requested[0].actor.starts_with("partner:"),
        "{:?}",
        requested[0]
    );
    assert!(requested[1].actor.starts_with("ops:"), "{:?}", requested[1]);
    for event in &released {
        let body = &event.payload["number_released"];
        assert_eq!(body["reason"], "customer moved away", "{body}");
        assert!(body["requested_by"].is_string(), "{body}");
    }

    // Each release is called back: assigned, ordered, provisioned, then two
    // more deliveries of the (still provisioned) request.
    let deliveries = eventually(30, "every callback delivered", || async {
        let deliveries = app.callback_deliveries(&id).await;
        (deliveries.len() == 5 && deliveries.iter().all(|d| d["status"] == "DONE"))
            .then_some(deliveries)
    })
    .await;
    let statuses: Vec<&str> = deliveries
        .iter()
        .filter_map(|d| d["requestStatus"].as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "assigned",
            "ordered",
            "provisioned",
            "provisioned",
            "provisioned"
        ]
    );
    let bodies = receiver.bodies.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 5, "{bodies:?}");

    // Every release job ran once.
    let jobs = app.jobs(&id).await;
    let releases: Vec<&Value> = jobs.iter().filter(|j| j["kind"] == "release").collect();
    assert_eq!(releases.len(), 2, "{jobs:?}");
    assert!(releases
        .iter()
        .all(|j| j["status"] == "DONE" && j["attempts"] == 1));
    node.task.abort();
}

async fn releasing_what_the_request_does_not_hold_is_refused_and_changes_nothing(
    backend: Backend,
    name: &str,
) {
    let Some((app, node, _)) = spawn_fulfilment(backend, name, fast_fulfilment(), None).await
    else {
        return;
    };
    let (_receiver, url) = Receiver::start().await;
    let (id, numbers) = provisioned(&app, &url).await;
    let ops = &app.tenant.ops_key;
    let before = app.log_length().await;
    for (number, reason, field, code) in [
        ("+31201234567", "r", "phoneNumber", "BAD_USER_INPUT"),
        ("not a number", "r", "phoneNumber", "BAD_USER_INPUT"),
        (numbers[0].as_str(), "  ", "reason", "BAD_USER_INPUT"),
    ] {
        let body = app
            .graphql(ops, RELEASE, json!({"id": id, "n": number, "r": reason}))
            .await;
        let extensions = &body["errors"][0]["extensions"];
        assert_eq!(extensions["code"], code, "{body}");
        assert!(extensions["fields"][field].is_string(), "{body}");
    }
    assert_eq!(app.log_length().await, before, "refusals record nothing");

    // Released once; asking again afterwards is a conflict.
    let vars = json!({"id": id, "n": numbers[0], "r": "not needed"});
    app.graphql_ok(ops, RELEASE, vars.clone()).await;
    eventually(30, "the release recorded", || async {
        let statuses = rest_statuses(&app).await;
        statuses
            .iter()
            .any(|(n, s)| n == &numbers[0] && s == "released")
            .then_some(())
    })
    .await;
    let again = app.graphql(ops, RELEASE, vars).await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again}"
    );
    assert!(
        again["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already released")),
        "{again}"
    );
    node.task.abort();
}
