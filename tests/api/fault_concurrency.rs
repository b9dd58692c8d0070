//! Fault suite: 32 writers hammer the same 10 requests through the GraphQL
//! API. Afterwards every acknowledged command's event is in the log exactly
//! once, every refused command got CONFLICT (never a 500) and left nothing
//! behind, and each request's sequence numbers have no gaps.

use crate::helpers::{spawn, submit, Backend, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

const WRITERS: usize = 32;
const REQUESTS: usize = 10;
const COMMANDS_PER_WRITER: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_32_writers_on_10_requests() {
    let app = spawn(Backend::Sqlite, "fault_concurrency_sqlite")
        .await
        .expect("sqlite always runs");
    hammer(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_32_writers_on_10_requests() {
    if let Some(app) = spawn(Backend::Postgres, "fault_concurrency_postgres").await {
        hammer(app).await;
    }
}

/// What one writer's command was and how it ended.
#[derive(Debug)]
struct Outcome {
    request: usize,
    marker: String,
    acknowledged: bool,
}

fn command(writer: usize, k: usize, id: &str) -> (String, Value, String) {
    // Fixed-width markers: none is a substring of another.
    let marker = format!("w{writer:02}k{k:02}");
    let (query, variables) = match (writer + k) % 23 {
        // Rarely a terminal command: everything after it is refused.
        0 if k > COMMANDS_PER_WRITER / 2 => (
            "mutation($id: ID!, $m: String!) { cancelNumberRequest(id: $id, reason: $m) { status } }",
            json!({"id": id, "m": marker}),
        ),
        n if n % 2 == 0 => (
            "mutation($id: ID!, $m: String!) { assignNumberRequest(id: $id, assignee: $m) { status } }",
            json!({"id": id, "m": marker}),
        ),
        _ => (
            "mutation($id: ID!, $m: String!) { updateOpsNotes(id: $id, notes: $m) { status } }",
            json!({"id": id, "m": marker}),
        ),
    };
    (query.to_owned(), variables, marker)
}

async fn hammer(app: TestApp) {
    let t = &app.tenant;
    let mut ids = Vec::new();
    for _ in 0..REQUESTS {
        ids.push(submit(&app, t, 1, None).await);
    }
    let app = Arc::new(app);
    let ids = Arc::new(ids);
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let app = app.clone();
        let ids = ids.clone();
        writers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for k in 0..COMMANDS_PER_WRITER {
                let request = (writer * 7 + k * 3) % REQUESTS;
                let (query, variables, marker) = command(writer, k, &ids[request]);
                let response = app
                    .client
                    .post(format!("{}/graphql", app.base))
                    .bearer_auth(&app.tenant.ops_key)
                    .json(&json!({"query": query, "variables": variables}))
                    .send()
                    .await
                    .expect("the server answers");
                let status = response.status();
                let body: Value = response.json().await.expect("JSON body");
                assert!(status.is_success(), "HTTP {status} for {marker}: {body}");
                let acknowledged = match body["errors"].as_array() {
                    None => true,
                    Some(errors) => {
                        let code = errors[0]["extensions"]["code"].as_str().unwrap_or("none");
                        assert_eq!(code, "CONFLICT", "{marker} refused with {body}");
                        false
                    }
                };
                outcomes.push(Outcome {
                    request,
                    marker,
                    acknowledged,
                });
            }
            outcomes
        }));
    }
    let mut outcomes = Vec::new();
    for writer in writers {
        outcomes.extend(writer.await.expect("writer finished"));
    }
    let acknowledged = outcomes.iter().filter(|o| o.acknowledged).count();
    let refused = outcomes.len() - acknowledged;
    eprintln!("{acknowledged} acknowledged, {refused} refused with CONFLICT");
    assert!(acknowledged > 0, "nothing succeeded");

    let mut histories = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let uuid = id.parse().expect("uuid");
        let history = app.state.desk.history(uuid).await.expect("history");
        let sequences: Vec<i64> = history.iter().map(|e| e.sequence).collect();
        let expected: Vec<i64> = (1..=history.len() as i64).collect();
        assert_eq!(sequences, expected, "request {i} has gaps in {sequences:?}");
        let payloads: Vec<String> = history.iter().map(|e| e.payload.to_string()).collect();
        histories.insert(i, payloads);
    }
    for outcome in &outcomes {
        let found = histories[&outcome.request]
            .iter()
            .filter(|p| p.contains(&outcome.marker))
            .count();
        if outcome.acknowledged {
            assert_eq!(
                found, 1,
                "acknowledged {} appears {found} times",
                outcome.marker
            );
        } else {
            assert_eq!(found, 0, "refused {} is in the log", outcome.marker);
        }
    }
    // The views caught up with the log.
    let (checkpoint, head) = app.state.desk.projection_status().await.expect("status");
    assert_eq!(checkpoint, head, "views behind the log");
}
