//! The bad-input corpus: request bodies REST and GraphQL must refuse.

use super::{gql, rest, Api, Case};
use crate::helpers::TestApp;
use serde_json::{json, Value};

pub(super) fn valid_fields() -> serde_json::Map<String, Value> {
    match json!({
        "country": "NL", "number_type": "local", "use_case": "Support",
        "contact_name": "Jane Doe", "contact_email": "jane@acme.example",
    }) {
        Value::Object(map) => map,
        _ => unreachable!("a literal object"),
    }
}

pub(super) fn with(field: &str, value: Value) -> Vec<u8> {
    let mut body = valid_fields();
    body.insert(field.to_owned(), value);
    Value::Object(body).to_string().into_bytes()
}

pub(super) fn submit(org: i64, field: &str, value: Value) -> Vec<u8> {
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
pub(super) fn hardening_cases() -> Vec<(&'static str, &'static str)> {
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

pub(super) fn corpus(app: &TestApp) -> Vec<Case> {
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
    cases.extend(super::graphql_cases::paging_and_scalars());
    cases
}
