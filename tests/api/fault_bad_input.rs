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

use crate::helpers::{spawn, Backend, TestApp};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
enum Api {
    Rest,
    Graphql,
}

struct Case {
    name: String,
    api: Api,
    content_type: &'static str,
    body: Vec<u8>,
}

fn rest(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        api: Api::Rest,
        content_type: "application/json",
        body: body.into(),
    }
}

fn gql(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        api: Api::Graphql,
        content_type: "application/json",
        body: body.into(),
    }
}

fn valid_fields() -> serde_json::Map<String, Value> {
    match json!({
        "country": "NL", "number_type": "local", "use_case": "Support",
        "contact_name": "Jane Doe", "contact_email": "jane@acme.example",
    }) {
        Value::Object(map) => map,
        _ => unreachable!("a literal object"),
    }
}

fn with(field: &str, value: Value) -> Vec<u8> {
    let mut body = valid_fields();
    body.insert(field.to_owned(), value);
    Value::Object(body).to_string().into_bytes()
}

fn submit(org: i64, field: &str, value: Value) -> Vec<u8> {
    let mut input = json!({
        "organizationId": org, "country": "NL", "numberType": "local", "useCase": "Support",
        "contactName": "Jane Doe", "contactEmail": "jane@acme.example",
    });
    input[field] = value;
    json!({
        "query": "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }",
        "variables": {"input": input},
    })
    .to_string()
    .into_bytes()
}

const NASTY: [&str; 14] = [
    "'; DROP TABLE events; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM number_requests;--",
    "\u{202E}gnp.exe",
    "Jane\u{0000}Doe",
    "Jane\u{0007}",
    "\u{2066}isolate\u{2069}",
    "line\u{001B}[31mred",
    "\u{200F}rtl mark",
    "\u{FEFF}\u{0008}",
    "$(rm -rf /)",
    "{{7*7}}",
    "../../etc/passwd\u{0000}",
    "\u{0085}next line",
];

/// Inputs the hardening pass found accepted: (REST field, value).
fn hardening_cases() -> Vec<(&'static str, &'static str)> {
    let mut cases = vec![
        ("website", "https:///path"),
        ("website", "https:acme.example"),
        ("website", "https://acme.example/\u{202e}"),
        ("callback_url", "https://acme.example/\u{2066}cb"),
        ("contact_name", "\u{200b}"),
        ("use_case", " \u{200b}\u{feff} "),
    ];
    for private in [
        "http://127.0.0.1/cb",
        "http://localhost/cb",
        "http://[::1]/cb",
        "http://10.0.0.7/cb",
        "http://169.254.169.254/latest/meta-data",
        "http://0x7f000001/cb",
        "http://2130706433/cb",
    ] {
        cases.push(("callback_url", private));
    }
    cases
}

fn corpus(app: &TestApp) -> Vec<Case> {
    let org = app.tenant.org.id;
    let mut cases = Vec::new();
    // Broken JSON and wrong shapes (REST).
    for (i, body) in [
        "",
        "{",
        "}",
        "{\"country\": }",
        "{\"country\": \"NL\",}",
        "[1, 2",
        "nul",
        "\"just a string\"",
        "42",
        "[]",
        "null",
        "{\"a\":1}{\"b\":2}",
        "{\"country\": \"NL\"",
        "\u{0000}",
        "{'country': 'NL'}",
        "{\"country\": NaN}",
        "{\"quantity\": 1e400}",
    ]
    .iter()
    .enumerate()
    {
        cases.push(rest(format!("rest broken json {i}: {body:?}"), *body));
    }
    cases.push(rest(
        "rest invalid utf-8",
        vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
    ));
    // Wrong types per field.
    for field in [
        "country",
        "number_type",
        "use_case",
        "contact_name",
        "contact_email",
        "website",
        "callback_url",
    ] {
        for value in [json!(1), json!(true), json!(["NL"]), json!({"x": 1})] {
            cases.push(rest(format!("rest {field} = {value}"), with(field, value)));
        }
    }
    for value in [
        json!("2"),
        json!(1.5),
        json!(-1),
        json!(0),
        json!(1001),
        json!(i64::MAX),
        json!(true),
    ] {
        cases.push(rest(
            format!("rest quantity = {value}"),
            with("quantity", value),
        ));
    }
    cases.push(rest("rest unknown field", with("colour", json!("red"))));
    cases.push(rest("rest range_size 1", with("range_size", json!(1))));
    // Invalid values.
    for country in [
        "nl",
        "XX",
        "NLD",
        "",
        " ",
        "N",
        "12",
        "ÑL",
        "'; DROP TABLE events; --",
    ] {
        cases.push(rest(
            format!("rest country {country:?}"),
            with("country", json!(country)),
        ));
    }
    for email in [
        "a@b",
        "not-an-email",
        "@acme.example",
        "jane@",
        "jane@@acme.example",
        "jane doe@acme.example",
        "jane@acme.example\u{0000}",
        "<script>@x.com",
    ] {
        cases.push(rest(
            format!("rest email {email:?}"),
            with("contact_email", json!(email)),
        ));
    }
    for url in [
        "ftp://acme.example",
        "javascript:alert(1)",
        "http://",
        "https://user:pw@acme.example",
        "acme.example",
        "http://exa mple.com",
        "file:///etc/passwd",
    ] {
        cases.push(rest(
            format!("rest website {url:?}"),
            with("website", json!(url)),
        ));
        cases.push(rest(
            format!("rest callback {url:?}"),
            with("callback_url", json!(url)),
        ));
    }
    for (field, value) in hardening_cases() {
        cases.push(rest(
            format!("rest {field} = {value:?}"),
            with(field, json!(value)),
        ));
    }
    cases.push(rest(
        "rest duplicate key",
        "{\"country\": \"NL\", \"number_type\": \"local\", \"use_case\": \"Support\", \"contact_name\": \"Jane Doe\", \"contact_email\": \"jane@acme.example\", \"country\": \"DE\"}",
    ));
    cases.push(rest(
        "rest website too long",
        with(
            "website",
            json!(format!("https://acme.example/{}", "a".repeat(3000))),
        ),
    ));
    for number_type in ["landline", "LOCAL", "toll-free", ""] {
        cases.push(rest(
            format!("rest number_type {number_type:?}"),
            with("number_type", json!(number_type)),
        ));
    }
    for text in NASTY {
        let mut body = valid_fields();
        body.insert("contact_name".into(), json!(text));
        body.insert("comment".into(), json!(text));
        // Nasty text alone may be acceptable where it has no control characters:
        // make the body invalid for sure with a bad country as well.
        body.insert("country".into(), json!(text));
        cases.push(rest(
            format!("rest nasty text {text:?}"),
            Value::Object(body).to_string(),
        ));
    }
    cases.push(rest(
        "rest name too long",
        with("contact_name", json!("x".repeat(201))),
    ));
    cases.push(rest(
        "rest comment too long",
        with("comment", json!("x".repeat(2001))),
    ));
    cases.push(rest(
        "rest huge body",
        format!("{{\"comment\": \"{}\"}}", "x".repeat(200_000)),
    ));
    cases.push(rest(
        "rest deep json",
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    ));
    cases.push(Case {
        name: "rest form content type".into(),
        api: Api::Rest,
        content_type: "application/x-www-form-urlencoded",
        body: b"country=NL".to_vec(),
    });
    cases.push(Case {
        name: "rest text content type".into(),
        api: Api::Rest,
        content_type: "text/plain",
        body: with("country", json!("NL")),
    });

    // GraphQL: transport-level garbage.
    for (i, body) in [
        "",
        "{",
        "not json",
        "[]",
        "{\"query\": 1}",
        "{\"variables\": {}}",
    ]
    .iter()
    .enumerate()
    {
        cases.push(gql(format!("graphql broken request {i}: {body:?}"), *body));
    }
    cases.push(gql(
        "graphql huge body",
        json!({"query": format!("{{ __typename }} #{}", "x".repeat(200_000))}).to_string(),
    ));
    // Bad documents.
    for (i, query) in [
        "{",
        "mutation {",
        "{ nope }",
        "query { numberRequest }",
        "{ numberRequest(id: 5) { id } }",
        "subscription { nope }",
        "{ auditLog(first: \"x\") { totalCount } }",
        "{ numberRequests(first: -1) { totalCount } }",
        "{ numberRequests(first: 100000) { totalCount } }",
        "{ numberRequests(after: \"abc\") { totalCount } }",
        "{ numberRequest(id: \"'; DROP TABLE events; --\") { id } }",
        "{ auditLog(filter: {eventTypes: [\"Hacked\"]}) { totalCount } }",
    ]
    .iter()
    .enumerate()
    {
        cases.push(gql(
            format!("graphql bad document {i}: {query}"),
            json!({"query": query}).to_string(),
        ));
    }
    let mut nested = String::from("{ __schema { types { fields { type { ");
    for _ in 0..40 {
        nested.push_str("ofType { ");
    }
    nested.push_str("name");
    for _ in 0..40 {
        nested.push_str(" }");
    }
    nested.push_str(" } } } } }");
    cases.push(gql(
        "graphql deep query",
        json!({"query": nested}).to_string(),
    ));
    let wide: String = (0..1000)
        .map(|i| format!("a{i}: numberRequests(first: 100) {{ totalCount }} "))
        .collect();
    cases.push(gql(
        "graphql wide query",
        json!({"query": format!("{{ {wide} }}")}).to_string(),
    ));
    // Bad variables of a submit.
    for (field, value) in [
        ("country", json!("nl")),
        ("country", json!(12)),
        ("numberType", json!("landline")),
        ("contactEmail", json!("a@b")),
        ("contactEmail", json!("'; DROP TABLE events; --")),
        ("website", json!("javascript:alert(1)")),
        ("callbackUrl", json!("ftp://x.example")),
        ("quantity", json!(0)),
        ("quantity", json!("ten")),
        ("quantity", json!(1e10)),
        ("contactName", json!("Jane\u{202E}")),
        ("contactName", json!("\u{0000}")),
        ("useCase", json!("x".repeat(5000))),
        ("organizationId", json!("one")),
        ("organizationId", json!(999_999_999)),
        ("rangeSize", json!(1)),
        ("organizationId", json!(2_147_483_648_i64)),
        ("organizationId", json!(-1)),
        ("website", json!("https:///path")),
        ("callbackUrl", json!("http://0x7f000001/cb")),
        ("contactName", json!("\u{200b}")),
    ] {
        cases.push(gql(
            format!("graphql submit {field} = {value}"),
            submit(org, field, value),
        ));
    }
    for number in [
        "+1",
        "12345",
        "+999123456789",
        "+31 20 abc",
        "'; DROP TABLE events; --",
        "+3120123456789012345",
    ] {
        let body = json!({
            "query": "mutation($n: [String!]!) { markProvisioned(id: \"00000000-0000-0000-0000-000000000001\", phoneNumbers: $n) { id } }",
            "variables": {"n": [number]},
        });
        cases.push(gql(
            format!("graphql phone number {number:?}"),
            body.to_string(),
        ));
    }
    cases
}

fn has_code(body: &Value, api: Api) -> bool {
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
struct Answer {
    name: String,
    api: Api,
    status: u16,
    body: Value,
    text: String,
}

async fn answer_all(app: &TestApp, cases: &[Case]) -> Vec<Answer> {
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

fn report(failures: &[String], total: usize) {
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
