//! `cross-server`: subscriber latency across two servers on one database.
//! A subscriber on server 2 (`graphql-transport-ws`) watches the bench
//! organisation's events; writes (submit, then assign) go through server 1
//! one after the other, and each write's latency is from sending the
//! mutation to the subscriber on server 2 receiving its event.
//! With `--worker-events` (servers started with `AUTO_FULFILMENT=true`) it
//! times the events the fulfilment workers make instead: each sample
//! submits and assigns a request through server 1, a worker (on either
//! server) orders it at the sandbox carrier, and each of its `Ordered` and
//! `Provisioned` events is timed from its `occurredAt` (the worker's command)
//! to the subscriber on server 2 receiving it — same machine, same clock.

use crate::setup::Tenant;
use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(socket: &mut Socket, message: Value) -> anyhow::Result<()> {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .context("websocket send")
}

/// The next `next` message's event, answering pings on the way.
async fn next_event(socket: &mut Socket) -> anyhow::Result<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .context("no event within 10 s")?
            .context("socket closed")??;
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text)?;
            match value["type"].as_str() {
                Some("ping") => send(socket, json!({"type": "pong"})).await?,
                Some("next") => return Ok(value["payload"]["data"]["numberRequestEvents"].clone()),
                Some("connection_ack") => {}
                _ => bail!("unexpected message {value}"),
            }
        }
    }
}

async fn subscribe(base: &str, key: &str) -> anyhow::Result<Socket> {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {key}")}}),
    )
    .await?;
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { numberRequestEvents { requestId eventType occurredAt } }"}}),
    )
    .await?;
    Ok(socket)
}

async fn graphql(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let body: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(key)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await?
        .json()
        .await?;
    if body.get("errors").is_some() {
        bail!("graphql errors: {body}");
    }
    Ok(body["data"].clone())
}

const SUBMIT: &str =
    "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }";
const ASSIGN: &str =
    "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }";

fn submit_input(tenant: &Tenant) -> Value {
    json!({"input": {"organizationId": tenant.organization_id, "country": "NL",
        "numberType": "local", "quantity": 1, "useCase": "cross-server bench",
        "contactName": "Jane", "contactEmail": "jane@acme.example"}})
}

/// Runs `samples` writes through `one` and prints p50/p95/p99/max of
/// write → heard on `two` (or, with `worker_events`, worker event → heard
/// on `two`), in milliseconds, as JSON.
pub async fn run(
    one: &str,
    two: &str,
    tenant: &Tenant,
    samples: usize,
    worker_events: bool,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let mut socket = subscribe(two, &tenant.partner_key).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if worker_events {
        return run_worker_events(&client, one, &mut socket, tenant, samples).await;
    }
    let mut histogram = Histogram::<u64>::new(3)?;
    for i in 0..samples {
        let started = Instant::now();
        let id = if i % 2 == 0 {
            let data = graphql(
                &client,
                one,
                &tenant.partner_key,
                SUBMIT,
                submit_input(tenant),
            )
            .await?;
            data["submitNumberRequest"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            // Works on a fresh request so the assign is always allowed.
            let data = graphql(
                &client,
                one,
                &tenant.partner_key,
                SUBMIT,
                submit_input(tenant),
            )
            .await?;
            let id = data["submitNumberRequest"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            while next_event(&mut socket).await?["requestId"] != id.as_str() {}
            let started_assign = Instant::now();
            graphql(&client, one, &tenant.ops_key, ASSIGN, json!({"id": id})).await?;
            loop {
                let event = next_event(&mut socket).await?;
                if event["requestId"] == id.as_str() && event["eventType"] == "Assigned" {
                    break;
                }
            }
            histogram.record(started_assign.elapsed().as_micros() as u64)?;
            continue;
        };
        while next_event(&mut socket).await?["requestId"] != id.as_str() {}
        histogram.record(started.elapsed().as_micros() as u64)?;
    }
    report(
        "cross-server",
        "write_to_heard_on_other_server_ms",
        &histogram,
    )
}

/// Prints a histogram of microseconds as milliseconds.
fn report(workload: &str, what: &str, histogram: &Histogram<u64>) -> anyhow::Result<()> {
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "workload": workload,
            "samples": histogram.len(),
            what: {
                "p50": ms(0.5), "p95": ms(0.95), "p99": ms(0.99),
                "max": histogram.max() as f64 / 1000.0,
            },
        }))?
    );
    Ok(())
}

/// See the module docs: worker-made events, from `occurredAt` to heard.
async fn run_worker_events(
    client: &reqwest::Client,
    one: &str,
    socket: &mut Socket,
    tenant: &Tenant,
    samples: usize,
) -> anyhow::Result<()> {
    let mut histogram = Histogram::<u64>::new(3)?;
    for _ in 0..samples {
        let data = graphql(
            client,
            one,
            &tenant.partner_key,
            SUBMIT,
            submit_input(tenant),
        )
        .await?;
        let id = data["submitNumberRequest"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        graphql(client, one, &tenant.ops_key, ASSIGN, json!({"id": id})).await?;
        loop {
            let event = next_event(socket).await?;
            let heard = chrono::Utc::now();
            if event["requestId"] != id.as_str() {
                continue;
            }
            let kind = event["eventType"].as_str().unwrap_or_default();
            if kind == "Ordered" || kind == "Provisioned" {
                let made: chrono::DateTime<chrono::Utc> = event["occurredAt"]
                    .as_str()
                    .context("occurredAt")?
                    .parse()?;
                let micros = (heard - made).num_microseconds().unwrap_or(0).max(0);
                histogram.record(u64::try_from(micros)?)?;
            }
            if kind == "Provisioned" || kind == "OrderFailed" {
                break;
            }
        }
    }
    report("worker-events", "worker_event_to_heard_ms", &histogram)
}
