//! Fault suite: a corpus of malformed inputs (broken JSON, wrong types, huge
//! bodies, deep and wide GraphQL queries, invalid countries, e-mails, URLs and
//! phone numbers, control and right-to-left characters, SQL-looking strings).
//! Each gets a clear client error with a code, never a 5xx, and the event log
//! is unchanged afterwards.
//!
//! REST answers 4xx with `{"success": false, "error": {"code": …}}`. GraphQL
//! answers malformed HTTP requests (bad JSON, wrong content type, too large)
//! with a 4xx, and well-formed requests carrying a bad query or bad variables
//! with the GraphQL-over-HTTP `application/json` convention: HTTP 200 with
//! `errors`, each of which must carry `extensions.code`.

mod corpus;
mod graphql_cases;
mod private_callbacks;

use crate::helpers::{spawn, Backend, TestApp};
use corpus::{corpus, hardening_cases, submit, with};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
pub(super) enum Api {
    Rest,
    Graphql,
}

pub(super) struct Case {
    pub(super) name: String,
    pub(super) api: Api,
    pub(super) content_type: &'static str,
    pub(super) body: Vec<u8>,
}

pub(super) fn rest(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        api: Api::Rest,
        content_type: "application/json",
        body: body.into(),
    }
}

pub(super) fn gql(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        api: Api::Graphql,
        content_type: "application/json",
        body: body.into(),
    }
}

pub(super) fn has_code(body: &Value, api: Api) -> bool {
    match api {
        Api::Rest => body["error"]["code"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        Api::Graphql => body["errors"].as_array().is_some_and(|errors| {
            !errors.is_empty()
                && errors.iter().all(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .is_some_and(|c| !c.is_empty())
                })
        }),
    }
}

/// How every case was answered.
pub(super) struct Answer {
    pub(super) name: String,
    pub(super) api: Api,
    pub(super) status: u16,
    pub(super) body: Value,
    pub(super) text: String,
}

pub(super) async fn answer_all(app: &TestApp, cases: &[Case]) -> Vec<Answer> {
    let rest_url = format!(
        "{}/api/v1/org/{}/number-requests",
        app.base, app.tenant.org.slug
    );
    let mut answers = Vec::new();
    for case in cases {
        let (url, key) = match case.api {
            Api::Rest => (rest_url.clone(), &app.tenant.partner_key),
            // Ops keys reach every mutation, so refusals are about the input.
            Api::Graphql => (format!("{}/graphql", app.base), &app.tenant.ops_key),
        };
        let response = app
            .client
            .post(&url)
            .bearer_auth(key)
            .header("X-Account-Id", app.tenant.account.id.to_string())
            .header("Content-Type", case.content_type)
            .body(case.body.clone())
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        answers.push(Answer {
            name: case.name.clone(),
            api: case.api,
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text: text.chars().take(300).collect(),
        });
    }
    answers
}

pub(super) fn report(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every case: no 5xx, the log unchanged; REST: a 4xx with a code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_inputs_never_fail_the_server_and_change_nothing() {
    let app = spawn(Backend::Sqlite, "fault_bad_input")
        .await
        .expect("sqlite");
    let cases = corpus(&app);
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let before = app.log_length().await;
    let answers = answer_all(&app, &cases).await;
    let failures: Vec<String> = answers
        .iter()
        .filter(|a| match a.api {
            Api::Rest => !((400..500).contains(&a.status) && has_code(&a.body, a.api)),
            Api::Graphql => a.status >= 500,
        })
        .map(|a| format!("{}: HTTP {} {}", a.name, a.status, a.text))
        .collect();
    assert_eq!(
        app.log_length().await,
        before,
        "a malformed input changed the log"
    );
    report(&failures, cases.len());
}

/// GraphQL: every malformed request answered with a coded client error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_malformed_inputs_get_coded_client_errors() {
    let app = spawn(Backend::Sqlite, "fault_bad_input_graphql")
        .await
        .expect("sqlite");
    let cases: Vec<Case> = corpus(&app)
        .into_iter()
        .filter(|c| matches!(c.api, Api::Graphql))
        .collect();
    let answers = answer_all(&app, &cases).await;
    let failures: Vec<String> = answers
        .iter()
        .filter(|a| {
            !(((400..500).contains(&a.status) || a.status == 200) && has_code(&a.body, a.api))
        })
        .map(|a| format!("{}: HTTP {} {}", a.name, a.status, a.text))
        .collect();
    report(&failures, cases.len());
}

/// Each hardening case is refused on its own field (400 naming it), and a
/// duplicated key is refused naming the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_inputs_are_refused_on_their_field() {
    let app = spawn(Backend::Sqlite, "fault_bad_input_hardened")
        .await
        .expect("sqlite");
    let before = app.log_length().await;
    let mut failures = Vec::new();
    for (field, value) in hardening_cases() {
        let response = app
            .rest_create(
                &app.tenant,
                &String::from_utf8_lossy(&with(field, json!(value))),
            )
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status != 400 || !body["error"]["fields"][field].is_string() {
            failures.push(format!("{field} = {value:?}: HTTP {status} {body}"));
        }
    }
    let duplicate = r#"{"country": "NL", "number_type": "local", "use_case": "Support", "contact_name": "Jane Doe", "contact_email": "jane@acme.example", "country": "DE"}"#;
    let response = app.rest_create(&app.tenant, duplicate).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status != 400 || !body["error"]["fields"]["country"].is_string() {
        failures.push(format!("duplicate key: HTTP {status} {body}"));
    }
    let big_org = submit(2_147_483_648, "country", json!("NL"));
    let answer: Value = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.tenant.ops_key)
        .header("Content-Type", "application/json")
        .body(big_org)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .unwrap_or(Value::Null);
    if answer["errors"][0]["extensions"]["code"] != "BAD_USER_INPUT" {
        failures.push(format!("organizationId 2147483648: {answer}"));
    }
    assert_eq!(
        app.log_length().await,
        before,
        "a refused input changed the log"
    );
    report(&failures, hardening_cases().len() + 2);
}
