//! Fulfilment end to end with the sandbox carrier: the real server with its
//! workers on a random port, on SQLite and PostgreSQL. Assignment orders,
//! auto-fulfilment assigns and orders, a pending area completes through the
//! poller, a failing area fails with the carrier's reason, and status
//! callbacks are delivered signed, retried, and refused for private targets.

use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend, TestApp};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use numberdesk_adapters::fulfilment::{verify_callback, SIGNATURE_HEADER};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

on_both_stores!(
    "fs":
    assignment_orders_and_a_pending_area_completes_through_the_poller,
    auto_fulfilment_assigns_to_system_and_orders,
    callbacks_are_signed_retried_and_recorded,
    private_callback_targets_are_refused_without_the_setting,
    mark_provisioned_refuses_a_number_of_another_country,
);

async fn app(backend: Backend, name: &str, auto: bool, allow_private: bool) -> Option<TestApp> {
    let mut config = fast_fulfilment();
    config.auto_fulfilment = auto;
    config.allow_private_callbacks = allow_private;
    spawn_fulfilment(backend, name, config, None)
        .await
        .map(|(app, _node, _url)| app)
}

fn job<'a>(jobs: &'a [Value], kind: &str) -> &'a Value {
    jobs.iter()
        .find(|j| j["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} job in {jobs:?}"))
}

/// The request's jobs once those of these kinds are DONE (a run records its
/// outcome just after its events, so a settled request may still show it
/// running for a moment).
async fn done_jobs(app: &TestApp, id: &str, kinds: &[&str]) -> Vec<Value> {
    eventually(20, "the jobs to finish", || async {
        let jobs = app.jobs(id).await;
        kinds
            .iter()
            .all(|kind| job(&jobs, kind)["status"] == "DONE")
            .then_some(jobs)
    })
    .await
}

async fn assignment_orders_and_a_pending_area_completes_through_the_poller(
    backend: Backend,
    name: &str,
) {
    let Some(app) = app(backend, name, false, true).await else {
        return;
    };
    // Assigning is enough: the worker searches, orders and records.
    let now = app.submit_with(json!({"quantity": 2})).await;
    let assigned = app.assign(&now).await;
    assert_eq!(assigned["status"], "ASSIGNED");
    let done = app.wait_status(&now, "PROVISIONED", 20).await;
    assert_eq!(
        done["provisionedNumbers"].as_array().map(Vec::len),
        Some(2),
        "{done}"
    );
    let jobs = done_jobs(&app, &now, &["order"]).await;
    let order = job(&jobs, "order");
    assert_eq!(order["attempts"], 1);
    // Automatic work is recorded as the system's.
    let history = app
        .graphql_ok(
            &app.tenant.ops_key,
            "query($id: ID!) { history(requestId: $id) { eventType actor } }",
            json!({"id": now}),
        )
        .await;
    let events = history["history"].as_array().cloned().unwrap_or_default();
    let ordered = events
        .iter()
        .find(|e| e["eventType"] == "Ordered")
        .unwrap_or_else(|| panic!("no Ordered in {events:?}"));
    assert_eq!(ordered["actor"], "system");

    // A pending area: ordered first, provisioned later through the poller.
    let later = app.submit_with(json!({"city": "pending"})).await;
    app.assign(&later).await;
    let ordered = app.wait_status(&later, "ORDERED", 20).await;
    assert_eq!(ordered["provisionedNumbers"], json!([]));
    let done = app.wait_status(&later, "PROVISIONED", 20).await;
    assert_eq!(done["provisionedNumbers"].as_array().map(Vec::len), Some(1));
    done_jobs(&app, &later, &["poll"]).await;

    // A failing area: the carrier's reason is recorded.
    let failing = app.submit_with(json!({"city": "fail"})).await;
    app.assign(&failing).await;
    let failed = app.wait_status(&failing, "FAILED", 20).await;
    assert_eq!(
        failed["reason"], "sandbox: regulatory requirements not met",
        "{failed}"
    );

    // Without a public key the webhook route says what is missing.
    let response = app
        .client
        .post(format!("{}/webhooks/telnyx", app.base))
        .body("{}")
        .send()
        .await
        .expect("webhook request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "NOT_CONFIGURED", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("TELNYX_WEBHOOK_PUBLIC_KEY")),
        "{body}"
    );
}

async fn auto_fulfilment_assigns_to_system_and_orders(backend: Backend, name: &str) {
    let Some(app) = app(backend, name, true, true).await else {
        return;
    };
    let id = app.submit_with(json!({"quantity": 1})).await;
    let done = app.wait_status(&id, "PROVISIONED", 20).await;
    assert_eq!(done["assignedTo"], "system", "{done}");
    done_jobs(&app, &id, &["auto_assign", "order"]).await;
}

/// A callback receiver on loopback: records every delivery, and answers 500
/// to the first two deliveries reporting `fail_status`.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

impl Receiver {
    async fn start(fail_status: &'static str) -> (Self, String) {
        let receiver = Receiver::default();
        let shared = receiver.clone();
        let failures = Arc::new(Mutex::new(0u32));
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                let failures = failures.clone();
                async move {
                    let status = serde_json::from_slice::<Value>(&body)
                        .ok()
                        .and_then(|v| v["numberRequest"]["status"].as_str().map(str::to_owned));
                    shared.received.lock().expect("lock").push((headers, body));
                    let mut failures = failures.lock().expect("lock");
                    if status.as_deref() == Some(fail_status) && *failures < 2 {
                        *failures += 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (
            receiver,
            format!("http://127.0.0.1:{}/hook", address.port()),
        )
    }

    fn count(&self) -> usize {
        self.received.lock().expect("lock").len()
    }
}

async fn callbacks_are_signed_retried_and_recorded(backend: Backend, name: &str) {
    let Some(app) = app(backend, name, false, true).await else {
        return;
    };
    let (receiver, url) = Receiver::start("assigned").await;
    let id = app.submit_with(json!({"callbackUrl": url})).await;
    app.assign(&id).await;
    app.wait_status(&id, "PROVISIONED", 20).await;
    let deliveries = eventually(20, "every callback delivered", || async {
        let deliveries = app.callback_deliveries(&id).await;
        (deliveries.len() == 3 && deliveries.iter().all(|d| d["status"] == "DONE"))
            .then_some(deliveries)
    })
    .await;
    let statuses: Vec<&str> = deliveries
        .iter()
        .filter_map(|d| d["requestStatus"].as_str())
        .collect();
    assert_eq!(statuses, ["assigned", "ordered", "provisioned"]);
    // The first delivery failed twice, then was accepted: 3 attempts recorded.
    let first = &deliveries[0];
    assert_eq!(first["attempts"], 3, "{first}");
    assert_eq!(first["lastHttpStatus"], 200);
    let codes: Vec<&Value> = first["runs"]
        .as_array()
        .map(|runs| runs.iter().map(|r| &r["httpStatus"]).collect())
        .unwrap_or_default();
    assert_eq!(codes, [&json!(500), &json!(500), &json!(200)], "{first}");
    assert_eq!(deliveries[1]["attempts"], 1);
    assert_eq!(receiver.count(), 5);

    // Every delivery is the REST shape, signed with the account's secret.
    let secret = app
        .state
        .fulfilment
        .secrets()
        .get_or_create(app.tenant.account.id)
        .await
        .expect("secret");
    let received = receiver.received.lock().expect("lock").clone();
    for (headers, body) in &received {
        let signature = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .expect("signature header");
        let now = chrono::Utc::now().timestamp();
        assert_eq!(verify_callback(&secret, signature, body, now, 300), Ok(()));
        assert!(
            verify_callback("another secret", signature, body, now, 300).is_err(),
            "a wrong secret must not verify"
        );
        let json: Value = serde_json::from_slice(body).expect("json body");
        assert_eq!(json["success"], true);
        assert!(json["numberRequest"]["id"].is_i64(), "{json}");
        assert_eq!(
            json["numberRequest"]["organization_id"], app.tenant.org.id,
            "{json}"
        );
    }
    let last: Value = serde_json::from_slice(&received[received.len() - 1].1).expect("json");
    assert_eq!(last["numberRequest"]["status"], "provisioned");
}

async fn private_callback_targets_are_refused_without_the_setting(backend: Backend, name: &str) {
    let Some(app) = app(backend, name, false, false).await else {
        return;
    };
    let (receiver, url) = Receiver::start("none").await;
    // By IP literal and by a name that resolves to loopback.
    let by_name = url.replace("127.0.0.1", "localhost");
    for target in [url, by_name] {
        // The API refuses them at create (on the field)...
        let refused = app
            .graphql(
                &app.tenant.partner_key,
                "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
                json!({"input": {
                    "organizationId": app.tenant.org.id, "country": "NL", "numberType": "local",
                    "useCase": "Support", "contactName": "Jane Doe",
                    "contactEmail": "jane@acme.example", "callbackUrl": target,
                }}),
            )
            .await;
        let extensions = &refused["errors"][0]["extensions"];
        assert_eq!(extensions["code"], "BAD_USER_INPUT", "{refused}");
        assert!(
            extensions["fields"]["input.callbackUrl"].is_string(),
            "{refused}"
        );
        // ...and delivery checks again (a name's address can change after
        // create): a request stored with one gets no callback.
        let id = submit_directly(&app, &target).await;
        app.assign(&id).await;
        app.wait_status(&id, "PROVISIONED", 20).await;
        let deliveries = eventually(20, "callbacks refused", || async {
            let deliveries = app.callback_deliveries(&id).await;
            (deliveries.len() == 3 && deliveries.iter().all(|d| d["status"] == "FAILED"))
                .then_some(deliveries)
        })
        .await;
        for delivery in &deliveries {
            let error = delivery["lastError"].as_str().unwrap_or_default();
            assert!(
                error.contains("loopback") && error.contains("ALLOW_PRIVATE_CALLBACKS"),
                "{delivery}"
            );
            assert_eq!(
                delivery["attempts"], 1,
                "refusals are not retried: {delivery}"
            );
        }
    }
    assert_eq!(receiver.count(), 0, "nothing may reach a private address");
}

/// Stores a request with this callback URL through the desk, past the
/// API's create-time check (as if its name resolved elsewhere back then).
async fn submit_directly(app: &TestApp, callback_url: &str) -> String {
    use numberdesk_domain::metadata::CommandMetadata;
    use numberdesk_domain::request::{RequestDetails, RequestInput};
    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".into()),
        number_type: Some("local".into()),
        use_case: Some("Support".into()),
        contact_name: Some("Jane Doe".into()),
        contact_email: Some("jane@acme.example".into()),
        callback_url: Some(callback_url.into()),
        ..RequestInput::default()
    })
    .expect("valid");
    let view = app
        .state
        .desk
        .submit(
            app.tenant.org.id,
            app.tenant.account.id,
            details,
            &CommandMetadata::new("test"),
        )
        .await
        .expect("submit");
    view.uuid.to_string()
}

/// Ops' `markProvisioned` on an NL request with a US number: a 400-class
/// BAD_USER_INPUT naming `phoneNumbers[1]`, and the number recorded nowhere.
async fn mark_provisioned_refuses_a_number_of_another_country(backend: Backend, name: &str) {
    let Some(app) = app(backend, name, false, true).await else {
        return;
    };
    let id = app.submit_with(json!({"quantity": 2})).await;
    app.graphql_ok(
        &app.tenant.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ann\") { id } }",
        json!({"id": id}),
    )
    .await;
    let body = app
        .graphql(
            &app.tenant.ops_key,
            "mutation($id: ID!) { markProvisioned(id: $id, phoneNumbers: [\"+31201234567\", \"+19705555098\"]) { id } }",
            json!({"id": id}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let text = body.to_string();
    assert!(
        text.contains("phoneNumbers[1]") && text.contains("US number, not NL"),
        "{body}"
    );
    let request = app.request_at(&app.base, &id).await;
    assert!(
        !request.to_string().contains("+19705555098"),
        "the US number is recorded nowhere: {request}"
    );
}
