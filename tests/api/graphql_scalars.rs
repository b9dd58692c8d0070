//! Bad scalars and out-of-range numbers are the client's: BAD_USER_INPUT,
//! never INTERNAL, naming the argument (in the message and in
//! `extensions.argument`); duplicate JSON keys in a GraphQL body are refused.
//! The `at` of `numberRequestAsOf` is exact: a request's `occurredAt` never
//! goes backwards, so as-of an event's instant is the request at that event.

use crate::helpers::{submit, TestApp};
use crate::ws_client::{connect, next, send};
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    "graphql_scalars":
    bad_scalars_are_bad_user_input_not_internal,
    duplicate_json_keys_are_refused_naming_the_key,
    out_of_range_organisations_are_bad_user_input_everywhere,
    audit_times_never_go_backwards_within_a_request,
);

async fn duplicate_json_keys_are_refused_naming_the_key(app: TestApp) {
    let before = app.log_length().await;
    for (body, key) in [
        (
            r#"{"query": "{ __typename }", "query": "{ stats { total } }"}"#.to_owned(),
            "query",
        ),
        (
            format!(
                r#"{{"query": "mutation($input: SubmitNumberRequestInput!) {{ submitNumberRequest(input: $input) {{ id }} }}", "variables": {{"input": {{"organizationId": {org}, "country": "NL", "country": "DE", "numberType": "local", "useCase": "x", "contactName": "Jane", "contactEmail": "jane@acme.example"}}}}}}"#,
                org = app.tenant.org.id
            ),
            "country",
        ),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&app.tenant.partner_key)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("graphql request");
        assert_eq!(response.status(), 400, "{key}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        assert!(
            body["errors"][0]["extensions"]["fields"][key].is_string(),
            "{body}"
        );
    }
    assert_eq!(app.log_length().await, before, "nothing was submitted");
}

async fn bad_scalars_are_bad_user_input_not_internal(app: TestApp) {
    let key = &app.tenant.ops_key;
    let id = submit(&app, &app.tenant, 1, None).await;
    for (query, argument) in [
        (
            "{ numberRequests(filter: {createdAfter: \"bad\"}) { edges { cursor } } }".to_owned(),
            "filter.createdAfter",
        ),
        (
            format!("{{ numberRequestAsOf(id: \"{id}\", at: \"yesterday\") {{ id }} }}"),
            "at",
        ),
        (
            "{ numberRequests(first: 2147483648) { edges { cursor } } }".to_owned(),
            "first",
        ),
    ] {
        let body = app.graphql(key, &query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{query}: {body}"
        );
        assert!(
            body["data"].is_null() || body["data"].is_object(),
            "{argument}: {body}"
        );
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["argument"], argument, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{argument}`")), "{body}");
    }
}

/// Asserts one GraphQL error is BAD_USER_INPUT naming `argument`.
fn assert_names_argument(body: &serde_json::Value, argument: &str, what: &str) {
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "BAD_USER_INPUT",
        "{what}: {body}"
    );
    assert_eq!(error["extensions"]["argument"], argument, "{what}: {body}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("`{argument}`")), "{what}: {body}");
}

/// `2147483648` does not fit a GraphQL `Int`: every organisation argument
/// (not only the submit mutation's) refuses it, naming the argument, instead
/// of quietly answering nothing; as a literal and as a variable, for ops and
/// partners, and on the subscription.
async fn out_of_range_organisations_are_bad_user_input_everywhere(app: TestApp) {
    submit(&app, &app.tenant, 1, None).await;
    let before = app.log_length().await;
    let cases = [
        (
            "numberRequests(filter: {organization: ORG}) { edges { cursor } }",
            "filter.organization",
        ),
        (
            "phoneNumbers(filter: {organization: ORG}) { edges { cursor } }",
            "filter.organization",
        ),
        (
            "auditLog(filter: {organization: ORG}) { edges { cursor } }",
            "filter.organization",
        ),
        ("stats(organization: ORG) { total }", "organization"),
    ];
    for key in [&app.tenant.ops_key, &app.tenant.partner_key] {
        for (field, argument) in cases {
            for org in ["2147483648", "-2147483649", "99999999999"] {
                let query = format!("{{ {} }}", field.replace("ORG", org));
                let body = app.graphql(key, &query, json!({})).await;
                assert_names_argument(&body, argument, &query);
            }
            let query = format!("query($org: Int) {{ {} }}", field.replace("ORG", "$org"));
            let body = app
                .graphql(key, &query, json!({"org": 2_147_483_648_i64}))
                .await;
            assert_names_argument(&body, argument, &query);
        }
    }

    // The subscription refuses it too (an error message, no stream).
    let mut socket = connect(&app.base, &app.tenant.partner_key).await;
    let wait = Duration::from_secs(10);
    assert_eq!(
        next(&mut socket, wait).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { numberRequestEvents(organization: 2147483648) { position } }"}}),
    )
    .await;
    let reply = next(&mut socket, wait).await.expect("an answer");
    assert!(reply["payload"]["data"].is_null(), "no stream: {reply}");
    assert_names_argument(&reply["payload"], "organization", "subscription");
    assert_eq!(app.log_length().await, before, "nothing changed");
}

/// Commands racing on one request (some lose, retry, and land after events
/// stamped later), then one from a server whose clock is an hour ahead and
/// one from a normal server: in `history`, `occurredAt` only goes forwards,
/// and `numberRequestAsOf(at: e.occurredAt)` is the request at every `e`.
async fn audit_times_never_go_backwards_within_a_request(app: TestApp) {
    use numberdesk_domain::metadata::CommandMetadata;
    use numberdesk_domain::values::OpsNotes;
    use numberdesk_domain::NumberRequestCommand;

    let key = &app.tenant.ops_key;
    let id = submit(&app, &app.tenant, 1, None).await;
    let race = |i: usize| {
        let app = &app;
        let id = id.clone();
        async move {
            let query = if i % 3 == 0 {
                "mutation($id: ID!, $n: String!) { assignNumberRequest(id: $id, assignee: $n) { version } }"
            } else {
                "mutation($id: ID!, $n: String!) { updateOpsNotes(id: $id, notes: $n) { version } }"
            };
            app.graphql(key, query, json!({"id": id, "n": format!("ops{i}")}))
                .await
        }
    };
    for round in 0..3 {
        let answers = futures::future::join_all((0..12).map(|i| race(round * 12 + i))).await;
        for answer in answers {
            // Losing every retry is allowed (CONFLICT); nothing else is.
            if let Some(error) = answer["errors"].get(0) {
                assert_eq!(error["extensions"]["code"], "CONFLICT", "{answer}");
            }
        }
    }
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let mut ahead = CommandMetadata::new("ops:skewed");
    ahead.occurred_at += chrono::TimeDelta::hours(1);
    app.state
        .desk
        .execute(
            uuid,
            NumberRequestCommand::UpdateNotes {
                notes: OpsNotes::parse("from a server an hour ahead").expect("valid"),
            },
            &ahead,
        )
        .await
        .expect("skewed command");
    race(1).await;

    let history = app
        .graphql_ok(
            key,
            "query($id: ID!) { history(requestId: $id) { sequence occurredAt } }",
            json!({"id": id}),
        )
        .await;
    let events = history["history"].as_array().expect("history");
    assert!(events.len() > 10, "{history}");
    let times: Vec<chrono::DateTime<chrono::Utc>> = events
        .iter()
        .map(|e| {
            e["occurredAt"]
                .as_str()
                .expect("time")
                .parse()
                .expect("RFC 3339")
        })
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "occurredAt went backwards or repeated: {history}"
    );
    for event in events {
        let at = event["occurredAt"].as_str().expect("time");
        let past = app
            .graphql_ok(
                key,
                "query($id: ID!, $at: DateTime!) { numberRequestAsOf(id: $id, at: $at) { version } }",
                json!({"id": id, "at": at}),
            )
            .await;
        assert_eq!(
            past["numberRequestAsOf"]["version"], event["sequence"],
            "as of {at}: {history}"
        );
    }
}
