//! The server's own surface: health, readiness, limits, request ids, routing.

use crate::helpers::{spawn, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness_follow_the_database() {
    let app = spawn(Backend::Sqlite, "health").await.expect("sqlite");
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);

    app.state.desk.database().close().await;
    let down = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    // The API's one envelope; the cause is logged, not answered.
    let body: Value = down.json().await.expect("json");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], "UNAVAILABLE", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(
        !body.to_string().contains("database"),
        "internals leaked: {body}"
    );
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the process is still alive"
    );
    // Commands while the database is gone: 503 / UNAVAILABLE, never a 500.
    let created = app.rest_create(&app.tenant, "{}").await;
    assert_eq!(created.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = created.json().await.expect("json");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    assert!(
        !body.to_string().contains("pool"),
        "internals leaked: {body}"
    );
}

#[tokio::test]
async fn graphql_limits_refuse_deep_wide_and_large_queries() {
    let app = spawn(Backend::Sqlite, "limits").await.expect("sqlite");
    let key = &app.tenant.partner_key;
    let mut deep = String::from("name");
    for _ in 0..20 {
        deep = format!("ofType {{ {deep} }}");
    }
    let deep = app
        .graphql(
            key,
            &format!("{{ __type(name: \"NumberRequest\") {{ fields {{ type {{ {deep} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert!(
        deep["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested too deep")),
        "{deep}"
    );

    // Each aliased `stats { total }` costs 2: 600 of them exceed the limit of 1000.
    let wide: String = (0..600)
        .map(|i| format!("a{i}: stats {{ total }} "))
        .collect();
    let wide = app.graphql(key, &format!("{{ {wide} }}"), json!({})).await;
    assert!(
        wide.get("data").is_none_or(Value::is_null),
        "executed a too-complex query"
    );
    assert!(
        wide["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too complex") || m.contains("GRAPHQL_MAX_COMPLEXITY")),
        "{wide}"
    );

    let huge = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(key)
        .header("Content-Type", "application/json")
        .body(json!({"query": format!("{{ __typename }} #{}", "x".repeat(100_000))}).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn requests_get_an_id_and_unknown_routes_a_json_404() {
    let app = spawn(Backend::Sqlite, "request_ids").await.expect("sqlite");
    let response = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(id.is_some_and(|id| uuid::Uuid::parse_str(&id).is_ok()));
    let echoed = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "client-chosen-1")
        .send()
        .await
        .expect("healthz");
    assert_eq!(
        echoed
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("client-chosen-1")
    );

    let missing = app
        .client
        .get(format!("{}/nope", app.base))
        .send()
        .await
        .expect("404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "NOT_FOUND");

    // The HTTP request id lands in the event's metadata (the audit trail).
    let submitted = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.tenant.partner_key)
        .header("x-request-id", "audit-me-42")
        .json(
            &json!({"query": crate::helpers::SUBMIT, "variables": {"input": {
            "organizationId": app.tenant.org.id, "country": "NL", "numberType": "local",
            "useCase": "Support", "contactName": "Jane", "contactEmail": "jane@acme.example"}}}),
        )
        .send()
        .await
        .expect("submit")
        .json::<Value>()
        .await
        .expect("json");
    let id = submitted["data"]["submitNumberRequest"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let history = app
        .graphql_ok(
            &app.tenant.partner_key,
            "query($id: ID!) { history(requestId: $id) { httpRequestId correlationId } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(history["history"][0]["httpRequestId"], "audit-me-42");
    assert!(history["history"][0]["correlationId"].is_string());
}

/// The events of one request, as the audit feed shows them.
async fn audit_of(app: &crate::helpers::TestApp, key: &str, request: &str) -> Vec<Value> {
    let audit = app
        .graphql_ok(
            key,
            "{ auditLog(first: 100) { edges { node { requestId eventType correlationId httpRequestId } } } }",
            json!({}),
        )
        .await;
    audit["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .filter(|node| node["requestId"] == request)
        .collect()
}

#[tokio::test]
async fn the_request_id_of_a_rest_create_is_the_correlation_id_of_its_events() {
    let app = spawn(Backend::Sqlite, "correlation").await.expect("sqlite");
    // No x-request-id: the server makes one, answers with it, and the
    // events of the request carry it as request id and correlation id.
    let created = app
        .rest_create(
            &app.tenant,
            &crate::helpers::SEED_BODY.replace("[email protected]", "jane@acme.example"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let request_id = created
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id answered")
        .to_owned();
    let uuid = app
        .graphql_ok(
            &app.tenant.partner_key,
            "{ numberRequests(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["numberRequests"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("the created request")
        .to_owned();
    let events = audit_of(&app, &app.tenant.partner_key, &uuid).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["eventType"], "Submitted");
    assert_eq!(events[0]["httpRequestId"], request_id.as_str());
    assert_eq!(events[0]["correlationId"], request_id.as_str());

    // A client's own UUID request id is kept the same way, on GraphQL too.
    let mine = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    let assigned = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.tenant.ops_key)
        .header("x-request-id", mine)
        .json(&json!({
            "query": "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops@desk\") { status } }",
            "variables": {"id": uuid}
        }))
        .send()
        .await
        .expect("assign")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(
        assigned["data"]["assignNumberRequest"]["status"], "ASSIGNED",
        "{assigned}"
    );
    let events = audit_of(&app, &app.tenant.ops_key, &uuid).await;
    let assign = events
        .iter()
        .find(|e| e["eventType"] == "Assigned")
        .expect("an Assigned event");
    assert_eq!(assign["correlationId"], mine);
    assert_eq!(assign["httpRequestId"], mine);
}

#[tokio::test]
async fn graphql_get_runs_queries_but_not_mutations() {
    let app = spawn(Backend::Sqlite, "graphql_get").await.expect("sqlite");
    let query = app
        .client
        .get(format!("{}/graphql?query=%7B__typename%7D", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(query.status(), StatusCode::OK);
    assert_eq!(
        query.json::<Value>().await.expect("json")["data"]["__typename"],
        "Query"
    );
    let mutation = app
        .client
        .get(format!(
            "{}/graphql?query=mutation%7BcancelNumberRequest(id:%22x%22)%7Bstatus%7D%7D",
            app.base
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        mutation
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    // A GraphQL response with one error, built like every other refusal.
    let refused: Value = mutation.json().await.expect("json");
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED",
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["message"], "mutations and subscriptions need POST",
        "{refused}"
    );
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .expect("graphiql");
    assert_eq!(graphiql.status(), StatusCode::OK);
    assert!(graphiql.text().await.expect("html").contains("graphiql"));
}
