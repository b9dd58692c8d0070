//! Refusals speak the API's words: no internal command name in a message,
//! and `extensions.fields` keys are the GraphQL (camelCase) names.

use crate::helpers::{submit, TestApp};
use serde_json::json;

on_both_backends!(
    "graphql_messages":
    refused_transition_names_no_internal_command,
    field_keys_are_camel_case,
    submit_refusals_name_the_input_fields,
);

const MARK: &str = "mutation($id: ID!, $numbers: [String!]!) { markProvisioned(id: $id, phoneNumbers: $numbers) { id } }";

/// A word like `record_provisioned`: lower-case letters joined by `_`.
fn has_snake_case_word(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| {
            let parts: Vec<&str> = word.split('_').collect();
            parts.len() > 1 && parts.iter().all(|p| !p.is_empty())
        })
}

async fn refused_transition_names_no_internal_command(app: TestApp) {
    let id = submit(&app, &app.tenant, 1, None).await;
    let body = app
        .graphql(
            &app.tenant.ops_key,
            MARK,
            json!({"id": id, "numbers": ["+31201234567"]}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "CONFLICT", "{body}");
    let message = error["message"].as_str().expect("message");
    assert!(!has_snake_case_word(message), "{message}");
    assert_eq!(
        message, "cannot mark numbers provisioned on a request that is submitted",
        "{body}"
    );
}

async fn field_keys_are_camel_case(app: TestApp) {
    let id = submit(&app, &app.tenant, 1, None).await;
    app.graphql_ok(
        &app.tenant.ops_key,
        "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\") { id } }",
        json!({"id": id}),
    )
    .await;
    let before = app.log_length().await;
    // Two numbers for a request of one: the domain refuses on its `phone_numbers`.
    let body = app
        .graphql(
            &app.tenant.ops_key,
            MARK,
            json!({"id": id, "numbers": ["+31201234567", "+31201234568"]}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let fields = error["extensions"]["fields"].as_object().expect("fields");
    assert!(fields.contains_key("phoneNumbers"), "{body}");
    for key in fields.keys() {
        assert!(!key.contains('_'), "{key}: {body}");
    }
    let message = error["message"].as_str().expect("message");
    assert!(!has_snake_case_word(message), "{message}");
    assert_eq!(app.log_length().await, before, "nothing was recorded");
}

/// A submit refused by the use case names the GraphQL input's fields
/// (`input.contactEmail`), in `fields` and in the message.
async fn submit_refusals_name_the_input_fields(app: TestApp) {
    let before = app.log_length().await;
    let body = app
        .graphql(
            &app.tenant.partner_key,
            "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
            json!({"input": {
                "organizationId": app.tenant.org.id, "country": "NL", "numberType": "local",
                "useCase": "Support", "contactName": "Jane Doe", "contactEmail": "not-an-address",
            }}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let fields = error["extensions"]["fields"].as_object().expect("fields");
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["input.contactEmail"],
        "{body}"
    );
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("input.contactEmail:"), "{message}");
    assert!(!has_snake_case_word(message), "{message}");
    assert_eq!(app.log_length().await, before, "nothing was recorded");
}
