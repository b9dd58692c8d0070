//! Two `numberdesk` server processes on one PostgreSQL database: writes go
//! through both at once (several commands on the same requests from both
//! servers), then both serve exactly the same views, list totals (through
//! their list caches) and counts, a rebuild from the log changes nothing (no
//! lost or doubled view update), and a subscriber on server 2 heard every
//! event, the ones written through server 1 included. Delivery is asserted,
//! never latency (that is the bench's `cross-server` workload).

use crate::carrier_process::{graphql, start_server, tenant, Tenant};
use crate::helpers::{Backend, TestDatabase};
use crate::ws_client::{connect, send, Socket};
use numberdesk_adapters::{Database, NumberDesk, StoreSettings};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const SUBMIT: &str =
    "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }";
const REJECT: &str =
    "mutation($id: ID!) { rejectNumberRequest(id: $id, reason: \"no stock\") { status } }";
const NOTES: &str =
    "mutation($id: ID!, $n: String!) { updateOpsNotes(id: $id, notes: $n) { version opsNotes } }";
const CANCEL: &str =
    "mutation($id: ID!) { cancelNumberRequest(id: $id, reason: \"changed mind\") { status } }";
const VIEW: &str =
    "query($id: ID!) { numberRequest(id: $id) { id status version opsNotes assignedTo reason } }";

/// Requests per writer task, and writer tasks.
const REQUESTS: usize = 6;
const WRITERS: usize = 6;

/// How long the test waits for the next message on its socket.
const WAIT: Duration = Duration::from_secs(20);

async fn next(socket: &mut Socket) -> Option<Value> {
    crate::ws_client::next(socket, WAIT).await
}

/// A subscriber to every event from the log's start (it is empty then), so
/// none is missed however late the server takes the subscription up.
async fn subscribe(base: &str, key: &str) -> Socket {
    let mut socket = connect(base, key).await;
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { numberRequestEvents(afterPosition: 0) { requestId position } }"}}),
    )
    .await;
    socket
}

async fn call(client: &reqwest::Client, base: &str, key: &str, query: &str, vars: Value) -> Value {
    graphql(client, base, key, query, vars)
        .await
        .unwrap_or_else(|| panic!("{query} through {base} failed"))
}

/// One writer: submits requests through one server and works on them
/// through both, two commands on the same request racing each other from
/// the two servers. Returns each request's id and final status.
async fn writer(
    client: reqwest::Client,
    bases: [String; 2],
    t: Tenant,
    w: usize,
) -> Vec<(String, &'static str)> {
    let mut done = Vec::new();
    for r in 0..REQUESTS {
        let (here, there) = (&bases[(w + r) % 2], &bases[(w + r + 1) % 2]);
        let input = json!({"input": {"organizationId": t.org_id, "country": "NL",
            "numberType": "local", "quantity": 1, "useCase": "two servers",
            "contactName": "Jane", "contactEmail": "jane@acme.example"}});
        let data = call(&client, here, &t.partner_key, SUBMIT, input).await;
        let id = data["submitNumberRequest"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        // The same request from both servers at once: both commands land
        // (one retries on the version conflict), and each answers the
        // request as it left it — its own notes at its own version — even
        // when the other one landed on top before the answer was sent.
        let (a, b) = tokio::join!(
            call(
                &client,
                here,
                &t.ops_key,
                NOTES,
                json!({"id": id, "n": "from one"})
            ),
            call(
                &client,
                there,
                &t.ops_key,
                NOTES,
                json!({"id": id, "n": "from two"})
            ),
        );
        let (a, b) = (&a["updateOpsNotes"], &b["updateOpsNotes"]);
        assert_eq!(a["opsNotes"], "from one", "{a}");
        assert_eq!(b["opsNotes"], "from two", "{b}");
        let versions: BTreeSet<i64> = [&a["version"], &b["version"]]
            .into_iter()
            .map(|v| v.as_i64().expect("version"))
            .collect();
        assert_eq!(
            versions,
            BTreeSet::from([2, 3]),
            "two commands, two versions"
        );
        // Assigning would start the fulfilment worker (an order in flight);
        // these end without one.
        let status = match r % 3 {
            0 => "submitted",
            1 => {
                call(&client, there, &t.ops_key, CANCEL, json!({"id": id})).await;
                "cancelled"
            }
            _ => {
                call(&client, here, &t.ops_key, REJECT, json!({"id": id})).await;
                "rejected"
            }
        };
        done.push((id, status));
    }
    done
}

async fn list_total(client: &reqwest::Client, base: &str, t: &Tenant, status: &str) -> i64 {
    let body: Value = client
        .get(format!(
            "{base}/api/v1/org/{}/number-requests?limit=5&status={status}",
            t.slug
        ))
        .bearer_auth(&t.partner_key)
        .header("X-Account-Id", &t.account)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    body["pagination"]["total"].as_i64().expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_on_one_database_agree_on_every_write() {
    let Some(database) = TestDatabase::create(Backend::Postgres, "two_servers").await else {
        return;
    };
    let url = database.url().to_owned();
    let t = tenant(&url).await;
    let client = reqwest::Client::new();
    let env: Vec<(String, String)> = [
        ("RATE_LIMIT_PER_KEY", "0"),
        ("RATE_LIMIT_PER_ADDRESS", "0"),
        ("AUTO_FULFILMENT", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let (_one, one) = start_server(&url, &env, &client).await;
    let (_two, two) = start_server(&url, &env, &client).await;
    let mut socket = subscribe(&two, &t.partner_key).await;

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let tenant = Tenant {
            org_id: t.org_id,
            slug: t.slug.clone(),
            account: t.account.clone(),
            partner_key: t.partner_key.clone(),
            ops_key: t.ops_key.clone(),
        };
        writers.push(tokio::spawn(writer(
            client.clone(),
            [one.clone(), two.clone()],
            tenant,
            w,
        )));
    }
    let mut expected: BTreeMap<String, &str> = BTreeMap::new();
    for w in writers {
        expected.extend(w.await.expect("writer"));
    }
    assert_eq!(expected.len(), WRITERS * REQUESTS);

    // Both servers show every request exactly as the last command left it.
    for (id, status) in &expected {
        let a = call(&client, &one, &t.ops_key, VIEW, json!({"id": id})).await;
        let b = call(&client, &two, &t.ops_key, VIEW, json!({"id": id})).await;
        assert_eq!(a, b, "both servers serve the same row");
        let view = &a["numberRequest"];
        assert_eq!(
            view["status"].as_str().map(str::to_lowercase).as_deref(),
            Some(*status)
        );
        let version = if *status == "submitted" { 3 } else { 4 };
        assert_eq!(view["version"], version, "{view}");
    }

    // The list totals (through each server's list cache) are exact on both,
    // once the other server's sequencer pass has been heard.
    for status in ["submitted", "cancelled", "rejected"] {
        let want = expected.values().filter(|s| **s == status).count() as i64;
        for base in [&one, &two] {
            let mut total = -1;
            for _ in 0..100 {
                // Twice: the second answer may come from the cache.
                list_total(&client, base, &t, status).await;
                total = list_total(&client, base, &t, status).await;
                if total == want {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(total, want, "{status} through {base}");
        }
    }

    // The log and the views agree: a rebuild from the log changes no row
    // and no count (nothing lost, nothing doubled).
    let db = Database::connect(&url).await.expect("database");
    let desk = NumberDesk::open(db.clone(), StoreSettings::default())
        .await
        .expect("desk");
    let (views, phones) = desk.dump_views().await.expect("views");
    let stats = desk.stats(None).await.expect("stats");
    desk.rebuild_projections().await.expect("rebuild");
    assert_eq!(desk.dump_views().await.expect("views"), (views, phones));
    assert_eq!(desk.stats(None).await.expect("stats"), stats);
    let (checkpoint, head) = desk.projection_status().await.expect("status");
    assert_eq!(checkpoint, head, "every event sequenced");

    // The subscriber on server 2 heard every event, server 1's included.
    let mut heard: BTreeSet<i64> = BTreeSet::new();
    while heard.len() < head as usize {
        let message = next(&mut socket).await.expect("an event");
        assert_eq!(message["type"], "next", "{message}");
        let event = &message["payload"]["data"]["numberRequestEvents"];
        assert!(expected.contains_key(event["requestId"].as_str().expect("id")));
        let position = event["position"].as_i64().expect("position");
        assert!(
            heard.insert(position),
            "position {position} delivered twice"
        );
    }
    assert_eq!(heard, (1..=head).collect::<BTreeSet<i64>>());
    db.close().await;
}
