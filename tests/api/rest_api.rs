//! The REST contract end to end, on SQLite and PostgreSQL.

use crate::helpers::{spawn_configured, submit, Backend, TestApp, SEED_BODY};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    "rest":
    the_seed_request_is_answered_in_the_contract_shape,
    every_error_has_its_status_code_and_field,
    idempotency_keys_replay_and_refuse_reuse,
    lists_page_filter_and_get_one,
    rest_and_graphql_see_the_same_requests,
    other_tenants_get_404_on_every_route,
);

/// The contract's example, with the address the documentation page hid:
/// the published text shows Cloudflare's "[email protected]" placeholder.
fn seed_body() -> String {
    SEED_BODY.replace("[email protected]", "jane@acme.example")
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("none")
}

async fn the_seed_request_is_answered_in_the_contract_shape(app: TestApp) {
    let response = app.rest_create(&app.tenant, &seed_body()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = response.text().await.expect("body");
    // Keys in the contract's order, explicit nulls.
    let keys = [
        "\"success\"",
        "\"numberRequest\"",
        "\"id\"",
        "\"organization_id\"",
        "\"country\"",
        "\"number_type\"",
        "\"use_case\"",
        "\"status\"",
        "\"requested_area\"",
        "\"company_name\"",
        "\"vat_number\"",
        "\"address\"",
        "\"website\"",
        "\"contact_name\"",
        "\"contact_email\"",
        "\"assigned_to\"",
        "\"ops_notes\"",
        "\"provisioned_number_id\"",
        "\"created_at\"",
        "\"updated_at\"",
    ];
    let offsets: Vec<usize> = keys
        .iter()
        .map(|k| {
            text.find(k)
                .unwrap_or_else(|| panic!("{k} missing in {text}"))
        })
        .collect();
    assert!(
        offsets.windows(2).all(|w| w[0] < w[1]),
        "keys out of order: {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("json");
    let request = body["numberRequest"].as_object().expect("object");
    assert_eq!(request.len(), 18, "exactly the contract's keys: {text}");
    assert_eq!(body["success"], true);
    assert!(request["id"].is_i64());
    assert_eq!(request["organization_id"], app.tenant.org.id);
    assert_eq!(request["country"], "IT");
    assert_eq!(request["number_type"], "local");
    assert_eq!(request["use_case"], "Automation");
    assert_eq!(request["status"], "submitted");
    assert_eq!(request["requested_area"], "Amsterdam");
    assert_eq!(request["vat_number"], "");
    assert_eq!(request["website"], "https://acme.example");
    for null in ["assigned_to", "ops_notes", "provisioned_number_id"] {
        assert!(request[null].is_null(), "{null} must be an explicit null");
    }
    for stamp in ["created_at", "updated_at"] {
        let value = request[stamp].as_str().expect("timestamp");
        assert_eq!(value.len(), "2026-01-15T10:00:00.000Z".len(), "{value}");
        assert!(
            value.ends_with('Z') && value.as_bytes()[19] == b'.',
            "{value}"
        );
    }

    // The text exactly as published is refused only for its hidden address.
    let before = app.log_length().await;
    let literal = app.rest_create(&app.tenant, SEED_BODY).await;
    assert_eq!(literal.status(), StatusCode::BAD_REQUEST);
    let body: Value = literal.json().await.expect("json");
    assert_eq!(
        body["error"]["fields"].as_object().map(|f| f.len()),
        Some(1),
        "{body}"
    );
    assert!(body["error"]["fields"]["contact_email"].is_string());
    assert_eq!(app.log_length().await, before);
}

async fn every_error_has_its_status_code_and_field(app: TestApp) {
    let t = &app.tenant;
    let url = format!("{}/api/v1/org/{}/number-requests", app.base, t.org.slug);
    let before = app.log_length().await;
    let post = |key: Option<&str>, account: Option<String>, content_type: &str, body: String| {
        let mut request = app
            .client
            .post(&url)
            .header("Content-Type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(account) = account {
            request = request.header("X-Account-Id", account);
        }
        async move { request.send().await.expect("request") }
    };
    let account = Some(t.account.id.to_string());
    let cases: Vec<(reqwest::Response, StatusCode, &str, Option<&str>)> = vec![
        (
            post(None, account.clone(), "application/json", seed_body()).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            None,
        ),
        (
            post(
                Some("nd_partner_nope"),
                account.clone(),
                "application/json",
                seed_body(),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            None,
        ),
        (
            post(Some(&t.partner_key), None, "application/json", seed_body()).await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("X-Account-Id"),
        ),
        (
            post(
                Some(&t.partner_key),
                Some("not-a-uuid".into()),
                "application/json",
                seed_body(),
            )
            .await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            None,
        ),
        (
            post(
                Some(&t.partner_key),
                Some(app.other.account.id.to_string()),
                "application/json",
                seed_body(),
            )
            .await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            None,
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "text/plain",
                seed_body(),
            )
            .await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            None,
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                "{\"country\": ".into(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("body"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                "[1,2]".into(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("body"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"IT\"", "\"it\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("country"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"IT\"", "\"XX\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("country"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"local\"", "\"landline\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("number_type"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("jane@acme.example", "a@b"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("contact_email"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"Automation\"", "42"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("use_case"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"use_case\": \"Automation\",", ""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("use_case"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"https://acme.example\"", "\"javascript:alert(1)\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("website"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"vat_number\"", "\"vat_nr\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("vat_nr"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                seed_body().replace("\"country\"", "\"quantity\": 1001, \"country\""),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("quantity"),
        ),
        (
            post(
                Some(&t.partner_key),
                account.clone(),
                "application/json",
                format!("{{\"comment\": \"{}\"}}", "x".repeat(200_000)),
            )
            .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            None,
        ),
    ];
    for (i, (response, status, code, field)) in cases.into_iter().enumerate() {
        assert_eq!(response.status(), status, "case {i}");
        let body: Value = response.json().await.expect("json error body");
        assert_eq!(body["success"], false, "case {i}: {body}");
        assert_eq!(error_code(&body), code, "case {i}: {body}");
        assert!(body["error"]["message"].is_string(), "case {i}");
        if let Some(field) = field {
            assert!(
                body["error"]["fields"][field].is_string(),
                "case {i}: {field} not named in {body}"
            );
        }
    }
    assert_eq!(app.log_length().await, before, "bad input changed the log");

    let unknown_org = app
        .rest_get(t, "/api/v1/org/deadbeefdeadbeef/number-requests")
        .await;
    assert_eq!(unknown_org.status(), StatusCode::NOT_FOUND);
    let unknown_request = app
        .rest_get(
            t,
            &format!("/api/v1/org/{}/number-requests/999999", t.org.slug),
        )
        .await;
    assert_eq!(unknown_request.status(), StatusCode::NOT_FOUND);
    let bad_limit = app
        .rest_get(
            t,
            &format!("/api/v1/org/{}/number-requests?limit=0", t.org.slug),
        )
        .await;
    assert_eq!(bad_limit.status(), StatusCode::BAD_REQUEST);

    // An org of another account of the same partner is forbidden, not hidden.
    let partner = app
        .state
        .tenancy
        .account(t.account.id)
        .await
        .expect("db")
        .expect("account")
        .partner_id;
    let second = app
        .state
        .tenancy
        .create_account(partner, "second")
        .await
        .expect("account");
    let second_org = app
        .state
        .tenancy
        .create_organization(second.id, "second org")
        .await
        .expect("org");
    let cross = app
        .rest_get(
            t,
            &format!("/api/v1/org/{}/number-requests", second_org.slug),
        )
        .await;
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
}

async fn idempotency_keys_replay_and_refuse_reuse(app: TestApp) {
    let t = &app.tenant;
    let send = |key: &'static str, body: String| {
        let request = app
            .client
            .post(format!(
                "{}/api/v1/org/{}/number-requests",
                app.base, t.org.slug
            ))
            .bearer_auth(&t.partner_key)
            .header("X-Account-Id", t.account.id.to_string())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .body(body);
        async move { request.send().await.expect("request") }
    };
    let first = send("order-42", seed_body()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body = first.text().await.expect("body");
    let after_first = app.log_length().await;
    let again = send("order-42", seed_body()).await;
    assert_eq!(again.status(), StatusCode::CREATED, "the first status");
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(
        again.text().await.expect("body"),
        first_body,
        "the first response, byte for byte"
    );
    assert_eq!(
        app.log_length().await,
        after_first,
        "a replay created something"
    );
    let other = send("order-42", seed_body().replace("Automation", "Support")).await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = other.json().await.expect("json");
    assert_eq!(error_code(&body), "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(app.log_length().await, after_first);
    // A failed attempt does not burn the key.
    let invalid = send("order-43", seed_body().replace("\"IT\"", "\"it\"")).await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        send("order-43", seed_body()).await.status(),
        StatusCode::CREATED
    );
}

async fn lists_page_filter_and_get_one(app: TestApp) {
    let t = &app.tenant;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created: Value = app
            .rest_create(t, &seed_body())
            .await
            .json()
            .await
            .expect("json");
        ids.push(created["numberRequest"]["id"].as_i64().expect("id"));
    }
    let uuid = submit(&app, t, 1, None).await;
    app.graphql_ok(
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }",
        json!({"id": uuid}),
    )
    .await;

    let base = format!("/api/v1/org/{}/number-requests", t.org.slug);
    let page1: Value = app
        .rest_get(t, &format!("{base}?limit=2"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page1["pagination"]["total"], 4);
    assert_eq!(page1["numberRequests"].as_array().map(Vec::len), Some(2));
    let cursor = page1["pagination"]["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let page2: Value = app
        .rest_get(t, &format!("{base}?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page2["numberRequests"].as_array().map(Vec::len), Some(2));
    assert!(page2["pagination"]["next_cursor"].is_null());
    let listed: Vec<i64> = page1["numberRequests"]
        .as_array()
        .into_iter()
        .chain(page2["numberRequests"].as_array())
        .flatten()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    assert_eq!(listed.len(), 4);
    assert!(
        listed.windows(2).all(|w| w[0] > w[1]),
        "newest first: {listed:?}"
    );

    let assigned: Value = app
        .rest_get(t, &format!("{base}?status=assigned"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(assigned["pagination"]["total"], 1);
    assert_eq!(assigned["numberRequests"][0]["status"], "assigned");
    assert_eq!(assigned["numberRequests"][0]["assigned_to"], "ops");
    let bad_status = app.rest_get(t, &format!("{base}?status=shipped")).await;
    assert_eq!(bad_status.status(), StatusCode::BAD_REQUEST);

    let one: Value = app
        .rest_get(t, &format!("{base}/{}", ids[0]))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(one["success"], true);
    assert_eq!(one["numberRequest"]["id"], ids[0]);
}

async fn rest_and_graphql_see_the_same_requests(app: TestApp) {
    let t = &app.tenant;
    let created: Value = app
        .rest_create(t, &seed_body().replace("\"IT\"", "\"NL\""))
        .await
        .json()
        .await
        .expect("json");
    let number = created["numberRequest"]["id"].as_i64().expect("id");
    let listed = app
        .graphql_ok(
            &t.ops_key,
            "{ numberRequests { edges { node { id number contactEmail status } } } }",
            json!({}),
        )
        .await;
    let node = listed["numberRequests"]["edges"][0]["node"].clone();
    assert_eq!(node["number"], number);
    assert_eq!(node["contactEmail"], "jane@acme.example");
    let uuid = node["id"].as_str().expect("uuid").to_owned();
    app.graphql_ok(
        &t.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops\") { status } }",
        json!({"id": uuid}),
    )
    .await;
    let ordered = app
        .graphql_ok(
            &t.ops_key,
            "mutation($id: ID!) { orderNumbers(id: $id) { status provisionedNumbers } }",
            json!({"id": uuid}),
        )
        .await;
    assert_eq!(ordered["orderNumbers"]["status"], "PROVISIONED");
    let provisioned = ordered["orderNumbers"]["provisionedNumbers"][0].clone();

    let seen: Value = app
        .rest_get(
            t,
            &format!("/api/v1/org/{}/number-requests/{number}", t.org.slug),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seen["numberRequest"]["status"], "provisioned");
    assert_eq!(seen["numberRequest"]["assigned_to"], "ops");
    assert!(seen["numberRequest"]["provisioned_number_id"].is_i64());
    for path in [
        "/api/v1/numbers".to_owned(),
        format!("/api/v1/org/{}/numbers", t.org.slug),
    ] {
        let numbers: Value = app.rest_get(t, &path).await.json().await.expect("json");
        assert_eq!(
            numbers["numbers"][0]["phone_number"], provisioned,
            "{path}: {numbers}"
        );
        assert_eq!(numbers["numbers"][0]["number_request_id"], number);
        assert_eq!(
            numbers["numbers"][0]["id"],
            seen["numberRequest"]["provisioned_number_id"]
        );
    }

    // And a GraphQL submission is visible over REST.
    let gql = crate::helpers::submit(&app, t, 1, None).await;
    let by_graphql = app
        .graphql_ok(
            &t.partner_key,
            "query($id: ID!) { numberRequest(id: $id) { number } }",
            json!({"id": gql}),
        )
        .await;
    let gql_number = by_graphql["numberRequest"]["number"]
        .as_i64()
        .expect("number");
    let over_rest = app
        .rest_get(
            t,
            &format!("/api/v1/org/{}/number-requests/{gql_number}", t.org.slug),
        )
        .await;
    assert_eq!(over_rest.status(), StatusCode::OK);
}

async fn other_tenants_get_404_on_every_route(app: TestApp) {
    let (mine, theirs) = (&app.tenant, &app.other);
    let created: Value = app
        .rest_create(mine, &seed_body())
        .await
        .json()
        .await
        .expect("json");
    let number = created["numberRequest"]["id"].as_i64().expect("id");
    let before = app.log_length().await;
    let slug = &mine.org.slug;
    for path in [
        format!("/api/v1/org/{slug}/number-requests"),
        format!("/api/v1/org/{slug}/number-requests/{number}"),
        format!("/api/v1/org/{slug}/numbers"),
    ] {
        let response = app.rest_get(theirs, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.expect("body");
        assert!(
            !body.contains("Jane") && !body.contains(&mine.account.id.to_string()),
            "{path} leaked {body}"
        );
    }
    let post = app
        .client
        .post(format!("{}/api/v1/org/{slug}/number-requests", app.base))
        .bearer_auth(&theirs.partner_key)
        .header("X-Account-Id", theirs.account.id.to_string())
        .header("Content-Type", "application/json")
        .body(seed_body())
        .send()
        .await
        .expect("request");
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
    // Their own request numbers are not reachable through my org either.
    let theirs_created: Value = app
        .rest_create(theirs, &seed_body())
        .await
        .json()
        .await
        .expect("json");
    let their_number = theirs_created["numberRequest"]["id"].as_i64().expect("id");
    let via_my_org = app
        .rest_get(
            mine,
            &format!("/api/v1/org/{slug}/number-requests/{their_number}"),
        )
        .await;
    assert_eq!(via_my_org.status(), StatusCode::NOT_FOUND);
    let numbers: Value = app
        .rest_get(theirs, "/api/v1/numbers")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(numbers["numbers"], json!([]));
    // The account route checks its caller before the handler runs: a key
    // (401), an X-Account-Id (400), and an account of the key's partner (403).
    let numbers_of = |key: Option<&str>, account: Option<String>| {
        let mut request = app.client.get(format!("{}/api/v1/numbers", app.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(account) = account {
            request = request.header("X-Account-Id", account);
        }
        async move { request.send().await.expect("request") }
    };
    let mine_id = Some(mine.account.id.to_string());
    for (response, status, code) in [
        (
            numbers_of(None, mine_id.clone()).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (
            numbers_of(Some(&theirs.partner_key), None).await,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
        ),
        (
            numbers_of(Some(&theirs.partner_key), mine_id.clone()).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        ),
    ] {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.expect("json");
        assert_eq!(error_code(&body), code, "{body}");
        assert!(body["numbers"].is_null(), "leaked {body}");
    }
    assert_eq!(
        app.log_length().await,
        before + 1,
        "only their own request was added"
    );
}

/// The create-time callback-URL policy holds for REST as for GraphQL: with
/// private callbacks not allowed, a private target is refused on
/// `callback_url` and nothing is recorded; a public one is accepted.
#[tokio::test]
async fn a_private_callback_url_is_refused_on_its_field() {
    let app = spawn_configured(Backend::Sqlite, "rest_private_callback", |config| {
        config.fulfilment.allow_private_callbacks = false;
    })
    .await
    .expect("sqlite always runs");
    let with_callback = |url: &str| {
        let mut body: Value = serde_json::from_str(&seed_body()).expect("seed json");
        body["callback_url"] = json!(url);
        body.to_string()
    };
    let before = app.log_length().await;
    let refused = app
        .rest_create(&app.tenant, &with_callback("http://169.254.169.254/latest"))
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["error"]["fields"]["callback_url"]
            .as_str()
            .is_some_and(|why| why.contains("public address")),
        "{body}"
    );
    assert_eq!(app.log_length().await, before, "nothing was recorded");
    let accepted = app
        .rest_create(&app.tenant, &with_callback("https://hooks.acme.example/cb"))
        .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
}
