//! The GraphQL API end to end: the real server on a random port, on SQLite
//! and on PostgreSQL, driven over real HTTP.

use crate::helpers::{submit, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    "graphql":
    full_lifecycle_with_the_sandbox_carrier,
    refused_transitions_and_errors_carry_codes,
    pagination_walks_every_page_once,
    history_audit_as_of_and_stats,
    tenants_cannot_see_or_touch_each_other,
);

const REQUEST_FIELDS: &str = "id number status assignedTo opsNotes carrierOrderId orderedNumbers provisionedNumbers provisionedNumberId updatedAt";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

async fn assign(app: &TestApp, key: &str, id: &str) -> Value {
    app.graphql(
        key,
        &format!("mutation($id: ID!) {{ assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\", notes: \"on it\") {{ {REQUEST_FIELDS} }} }}"),
        json!({"id": id}),
    )
    .await
}

async fn order(app: &TestApp, key: &str, id: &str) -> Value {
    app.graphql(
        key,
        &format!("mutation($id: ID!) {{ orderNumbers(id: $id) {{ {REQUEST_FIELDS} }} }}"),
        json!({"id": id}),
    )
    .await
}

async fn full_lifecycle_with_the_sandbox_carrier(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 2, None).await;

    let assigned = assign(&app, &t.ops_key, &id).await;
    assert_eq!(
        assigned["data"]["assignNumberRequest"]["status"], "ASSIGNED",
        "{assigned}"
    );
    assert_eq!(assigned["data"]["assignNumberRequest"]["opsNotes"], "on it");

    let ordered = order(&app, &t.ops_key, &id).await;
    let request = &ordered["data"]["orderNumbers"];
    assert_eq!(request["status"], "PROVISIONED", "{ordered}");
    assert_eq!(request["orderedNumbers"].as_array().map(Vec::len), Some(2));
    assert_eq!(request["provisionedNumbers"], request["orderedNumbers"]);
    assert!(request["carrierOrderId"].is_string());
    assert!(request["provisionedNumberId"].is_i64());

    let numbers = app
        .graphql_ok(
            &t.partner_key,
            "query($id: ID!) { phoneNumbers(filter: {requestId: $id}) { totalCount edges { node { phoneNumber status requestId } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(numbers["phoneNumbers"]["totalCount"], 2);
    for edge in numbers["phoneNumbers"]["edges"].as_array().expect("edges") {
        assert_eq!(edge["node"]["requestId"], id.as_str());
        assert!(edge["node"]["phoneNumber"]
            .as_str()
            .is_some_and(|n| n.starts_with("+31")));
    }

    let history = app
        .graphql_ok(
            &t.partner_key,
            "query($id: ID!) { history(requestId: $id) { sequence eventType eventVersion actor occurredAt payload } }",
            json!({"id": id}),
        )
        .await;
    let types: Vec<&str> = history["history"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "Submitted",
            "Assigned",
            "Ordered",
            "Provisioned",
            "Provisioned"
        ]
    );
    let actors: Vec<&str> = history["history"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert!(actors[0].starts_with("partner:"), "{actors:?}");
    assert!(
        actors[1..].iter().all(|a| a.starts_with("ops:")),
        "{actors:?}"
    );
}

async fn refused_transitions_and_errors_carry_codes(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 1, None).await;
    let before = app.log_length().await;

    // No order before assignment.
    assert_eq!(code(&order(&app, &t.ops_key, &id).await), "CONFLICT");
    // Partners cannot do ops work.
    assert_eq!(code(&assign(&app, &t.partner_key, &id).await), "FORBIDDEN");
    // No credentials, bad credentials.
    assert_eq!(code(&assign(&app, "", &id).await), "UNAUTHENTICATED");
    assert_eq!(
        code(&assign(&app, "nd_ops_not-a-key", &id).await),
        "UNAUTHENTICATED"
    );
    // Bad ids and bad input name the field.
    let bad = assign(&app, &t.ops_key, "not-a-uuid").await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    assert_eq!(
        bad["errors"][0]["extensions"]["fields"]["id"],
        "must be a number request UUID"
    );
    let missing = assign(&app, &t.ops_key, "00000000-0000-0000-0000-000000000001").await;
    assert_eq!(code(&missing), "NOT_FOUND");
    let invalid = app
        .graphql(
            &t.partner_key,
            crate::helpers::SUBMIT,
            json!({"input": {"organizationId": t.org.id, "country": "nl", "numberType": "landline",
                "useCase": "x", "contactName": "Jane", "contactEmail": "a@b", "quantity": 0}}),
        )
        .await;
    assert_eq!(code(&invalid), "BAD_USER_INPUT");
    let fields = &invalid["errors"][0]["extensions"]["fields"];
    for field in [
        "input.country",
        "input.numberType",
        "input.contactEmail",
        "input.quantity",
    ] {
        assert!(fields[field].is_string(), "{field} missing in {fields}");
    }
    assert_eq!(
        app.log_length().await,
        before,
        "refused commands changed the log"
    );

    // Terminal states accept nothing.
    let rejected = app
        .graphql(
            &t.ops_key,
            "mutation($id: ID!) { rejectNumberRequest(id: $id, reason: \"no stock\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        rejected["data"]["rejectNumberRequest"]["status"], "REJECTED",
        "{rejected}"
    );
    let after_reject = app.log_length().await;
    assert_eq!(code(&assign(&app, &t.ops_key, &id).await), "CONFLICT");
    let cancel = app
        .graphql(
            &t.partner_key,
            "mutation($id: ID!) { cancelNumberRequest(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&cancel), "CONFLICT");
    assert_eq!(app.log_length().await, after_reject);
}

async fn pagination_walks_every_page_once(app: TestApp) {
    let t = &app.tenant;
    let mut submitted = Vec::new();
    for _ in 0..5 {
        submitted.push(submit(&app, t, 1, None).await);
    }
    let query = "query($after: String) { numberRequests(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number } } } }";
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    let mut numbers = Vec::new();
    for page in 0.. {
        let data = app
            .graphql_ok(&t.partner_key, query, json!({"after": after}))
            .await;
        let connection = &data["numberRequests"];
        assert_eq!(connection["totalCount"], 5);
        for edge in connection["edges"].as_array().expect("edges") {
            seen.push(edge["node"]["id"].as_str().expect("id").to_owned());
            numbers.push(edge["node"]["number"].as_i64().expect("number"));
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            assert_eq!(page, 2, "5 items in pages of 2 are 3 pages");
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    submitted.reverse();
    assert_eq!(seen, submitted, "newest first, each exactly once");
    assert!(numbers.windows(2).all(|w| w[0] > w[1]));

    let too_big = app
        .graphql(
            &t.partner_key,
            "{ numberRequests(first: 1000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&too_big), "BAD_USER_INPUT");
    let bad_cursor = app
        .graphql(
            &t.partner_key,
            "{ numberRequests(after: \"zzz\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad_cursor), "BAD_USER_INPUT");
}

async fn history_audit_as_of_and_stats(app: TestApp) {
    let t = &app.tenant;
    let id = submit(&app, t, 1, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assign(&app, &t.ops_key, &id).await;
    let other = submit(&app, t, 1, None).await;

    let as_of = "query($id: ID!, $at: DateTime!) { numberRequestAsOf(id: $id, at: $at) { status assignedTo } numberRequest(id: $id) { status assignedTo } }";
    let past = app
        .graphql_ok(
            &t.partner_key,
            as_of,
            json!({"id": id, "at": between.to_rfc3339()}),
        )
        .await;
    assert_eq!(past["numberRequestAsOf"]["status"], "SUBMITTED");
    assert_eq!(past["numberRequestAsOf"]["assignedTo"], Value::Null);
    let now = app
        .graphql_ok(
            &t.partner_key,
            as_of,
            json!({"id": id, "at": chrono::Utc::now().to_rfc3339()}),
        )
        .await;
    assert_eq!(now["numberRequestAsOf"], now["numberRequest"]);

    let audit = "query($types: [String!], $actor: String, $after: String) { auditLog(filter: {eventTypes: $types, actor: $actor}, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { position eventType requestId actor } } } }";
    let submitted = app
        .graphql_ok(&t.partner_key, audit, json!({"types": ["Submitted"]}))
        .await;
    assert_eq!(submitted["auditLog"]["totalCount"], 2);
    let first = &submitted["auditLog"]["edges"][0]["node"];
    assert_eq!(first["requestId"], id.as_str());
    let next = app
        .graphql_ok(
            &t.partner_key,
            audit,
            json!({"types": ["Submitted"], "after": submitted["auditLog"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        next["auditLog"]["edges"][0]["node"]["requestId"],
        other.as_str()
    );
    assert_eq!(next["auditLog"]["pageInfo"]["hasNextPage"], false);
    let ops_actor = first["actor"].as_str().map(|_| ());
    assert!(ops_actor.is_some());
    let assigned = app
        .graphql_ok(&t.partner_key, audit, json!({"types": ["Assigned"]}))
        .await;
    let actor = assigned["auditLog"]["edges"][0]["node"]["actor"].clone();
    let by_actor = app
        .graphql_ok(&t.partner_key, audit, json!({"actor": actor}))
        .await;
    assert_eq!(by_actor["auditLog"]["totalCount"], 1);
    let bad_type = app
        .graphql(&t.partner_key, audit, json!({"types": ["Exploded"]}))
        .await;
    assert_eq!(code(&bad_type), "BAD_USER_INPUT");

    let stats = app
        .graphql_ok(
            &t.partner_key,
            "{ stats { total byStatus { status count } } }",
            json!({}),
        )
        .await;
    assert_eq!(stats["stats"]["total"], 2);
    let count = |status: &str| {
        stats["stats"]["byStatus"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["status"] == status))
            .and_then(|s| s["count"].as_i64())
    };
    assert_eq!(count("SUBMITTED"), Some(1));
    assert_eq!(count("ASSIGNED"), Some(1));
    assert_eq!(count("PROVISIONED"), Some(0));
}

async fn tenants_cannot_see_or_touch_each_other(app: TestApp) {
    let (mine, theirs) = (&app.tenant, &app.other);
    let id = submit(&app, mine, 1, None).await;
    let before = app.log_length().await;
    let get =
        "query($id: ID!) { numberRequest(id: $id) { id } history(requestId: $id) { eventType } }";
    let seen = app
        .graphql(&theirs.partner_key, get, json!({"id": id}))
        .await;
    assert_eq!(seen["data"]["numberRequest"], Value::Null, "{seen}");
    assert!(seen["data"].get("history").is_none(), "{seen}");
    assert_eq!(code(&seen), "NOT_FOUND");
    let only_request = app
        .graphql(
            &theirs.partner_key,
            "query($id: ID!) { numberRequest(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(only_request["data"]["numberRequest"], Value::Null);
    let listed = app
        .graphql_ok(
            &theirs.partner_key,
            "{ numberRequests { totalCount } auditLog { totalCount } stats { total } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["numberRequests"]["totalCount"], 0);
    assert_eq!(listed["auditLog"]["totalCount"], 0);
    assert_eq!(listed["stats"]["total"], 0);
    let cancel = app
        .graphql(
            &theirs.partner_key,
            "mutation($id: ID!) { cancelNumberRequest(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&cancel), "NOT_FOUND");
    let submit_elsewhere = app
        .graphql(
            &theirs.partner_key,
            crate::helpers::SUBMIT,
            json!({"input": {"organizationId": mine.org.id, "country": "NL", "numberType": "local",
                "useCase": "x", "contactName": "Eve", "contactEmail": "eve@globex.example"}}),
        )
        .await;
    assert_eq!(code(&submit_elsewhere), "NOT_FOUND");
    // Every other operation on my request, with their partner key: refused
    // (or an empty answer), and nothing of mine in the response.
    let operations = [
        "query($id: ID!) { numberRequestAsOf(id: $id, at: \"2100-01-01T00:00:00Z\") { id } }",
        "query($id: ID!) { phoneNumbers(filter: {requestId: $id}) { totalCount } }",
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"eve\") { id } }",
        "mutation($id: ID!) { updateOpsNotes(id: $id, notes: \"x\") { id } }",
        "mutation($id: ID!) { orderNumbers(id: $id) { id } }",
        "mutation($id: ID!) { markProvisioned(id: $id, phoneNumbers: [\"+31201234567\"]) { id } }",
        "mutation($id: ID!) { rejectNumberRequest(id: $id, reason: \"x\") { id } }",
    ];
    for operation in operations {
        let body = app
            .graphql(&theirs.partner_key, operation, json!({"id": id}))
            .await;
        let text = body.to_string();
        assert!(
            !text.contains("jane@acme.example") && !text.contains("Jane Doe"),
            "{operation} leaked: {text}"
        );
        match code(&body) {
            "NOT_FOUND" | "FORBIDDEN" => {}
            "none" => {
                let data = &body["data"];
                let empty = data.get("numberRequestAsOf").is_some_and(Value::is_null)
                    || data["phoneNumbers"]["totalCount"] == 0;
                assert!(empty, "{operation}: {text}");
            }
            other => panic!("{operation}: unexpected {other}: {text}"),
        }
    }
    assert_eq!(
        app.log_length().await,
        before,
        "the other tenant changed the log"
    );
    // Ops keys work every request.
    let ops = app
        .graphql_ok(
            &theirs.ops_key,
            "query($id: ID!) { numberRequest(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(ops["numberRequest"]["id"], id.as_str());
}
