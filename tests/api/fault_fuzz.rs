//! Fault suite: property-based fuzzing of input validation.
//!
//! * Domain value objects and `RequestDetails::parse` on arbitrary and
//!   adversarial strings: never panic; what they accept obeys the documented
//!   rules and parses again to the same value.
//! * The REST create body through the real HTTP server: arbitrary JSON values
//!   and arbitrary field mixes get 201 or a coded 400 (never a 5xx), and only
//!   a 201 adds to the log.

use crate::helpers::{spawn, Backend};
use numberdesk_domain::request::{RequestDetails, RequestInput};
use numberdesk_domain::values::{CountryCode, EmailAddress, PhoneNumber, WebUrl};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Strings biased towards what breaks parsers.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Z]{2}",
        "[a-z]{1,8}@[a-z]{1,8}(\\.[a-z]{2,3})?",
        "(https?|ftp|javascript)://[a-z.]{0,12}(/[a-z]{0,5})?",
        "\\+[0-9]{1,16}",
        "[ \\t\\n\\u{0}-\\u{1f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z';\"-]{0,40}",
        Just("'; DROP TABLE events; --".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn value_objects_never_panic_and_accept_only_clean_values(input in nasty()) {
        if let Ok(country) = CountryCode::parse(&input) {
            prop_assert_eq!(country.as_str().len(), 2);
            prop_assert!(country.as_str().chars().all(|c| c.is_ascii_uppercase()));
        }
        if let Ok(email) = EmailAddress::parse(&input) {
            prop_assert!(email.as_str().contains('@'));
            prop_assert!(!email.as_str().chars().any(forbidden));
            prop_assert_eq!(EmailAddress::parse(email.as_str()).ok(), Some(email.clone()));
        }
        if let Ok(url) = WebUrl::parse(&input) {
            prop_assert!(url.as_str().starts_with("http://") || url.as_str().starts_with("https://"));
            prop_assert!(url.as_str().len() <= 2048);
            prop_assert_eq!(WebUrl::parse(url.as_str()).ok(), Some(url.clone()));
        }
        if let Ok(number) = PhoneNumber::parse(&input) {
            prop_assert!(number.as_str().starts_with('+'));
            prop_assert!(number.as_str()[1..].chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn request_details_never_panic_and_accepted_text_is_clean(
        country in nasty(), number_type in nasty(), use_case in nasty(),
        contact_name in nasty(), contact_email in nasty(), comment in nasty(),
        website in proptest::option::of(nasty()), quantity in proptest::option::of(-5i64..1100),
        range_size in proptest::option::of(-2i64..20),
    ) {
        let input = RequestInput {
            country: Some(country),
            number_type: Some(number_type),
            use_case: Some(use_case),
            contact_name: Some(contact_name),
            contact_email: Some(contact_email),
            comment: Some(comment),
            website,
            quantity,
            range_size,
            ..RequestInput::default()
        };
        match RequestDetails::parse(&input) {
            Ok(details) => {
                prop_assert!(!details.use_case.as_str().chars().any(forbidden));
                prop_assert!(!details.contact_name.as_str().chars().any(forbidden));
                let q = details.quantity.get();
                prop_assert!((1..=1000).contains(&q));
                if let Some(r) = details.range_size {
                    prop_assert_eq!(q % r.get(), 0);
                }
            }
            Err(errors) => prop_assert!(!errors.fields().is_empty()),
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        nasty().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: [&str; 17] = [
    "country",
    "number_type",
    "use_case",
    "contact_name",
    "contact_email",
    "requested_area",
    "company_name",
    "vat_number",
    "address",
    "website",
    "area_code",
    "city",
    "region",
    "comment",
    "callback_url",
    "quantity",
    "range_size",
];

/// A body that is mostly valid, with some fields replaced by arbitrary values.
fn create_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        prop::collection::vec((prop::sample::select(FIELDS.to_vec()), json_value()), 0..5)
            .prop_map(|changes| {
                let mut body: Map<String, Value> = match json!({
                    "country": "NL", "number_type": "local", "use_case": "Support",
                    "contact_name": "Jane Doe", "contact_email": "jane@acme.example",
                }) {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                for (field, value) in changes {
                    body.insert(field.to_owned(), value);
                }
                Value::Object(body)
            }),
    ]
}

#[test]
fn rest_create_body_fuzz_never_gives_a_server_error() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let app = runtime
        .block_on(spawn(Backend::Sqlite, "fault_fuzz_rest"))
        .expect("sqlite");
    let url = format!(
        "{}/api/v1/org/{}/number-requests",
        app.base, app.tenant.org.slug
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(200));
    let result = runner.run(&create_body(), |body| {
        runtime.block_on(async {
            let before = app.log_length().await;
            let response = app
                .client
                .post(&url)
                .bearer_auth(&app.tenant.partner_key)
                .header("X-Account-Id", app.tenant.account.id.to_string())
                .header("Content-Type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .expect("the server answers");
            let status = response.status().as_u16();
            let reply: Value = response.json().await.unwrap_or(Value::Null);
            let after = app.log_length().await;
            match status {
                201 => prop_assert_eq!(after, before + 1),
                400 => {
                    prop_assert_eq!(
                        reply["error"]["code"].as_str(),
                        Some("BAD_USER_INPUT"),
                        "{}",
                        reply
                    );
                    prop_assert_eq!(after, before);
                }
                other => prop_assert!(false, "HTTP {} for {}: {}", other, body, reply),
            }
            Ok(())
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
