//! Validation of customer input with realistic bad values.

mod common;

use common::seed_input;
use numberdesk_domain::request::{RequestDetails, RequestInput};
use numberdesk_domain::values::*;
use proptest::prelude::*;

fn refused_fields(input: RequestInput) -> Vec<String> {
    match RequestDetails::parse(&input) {
        Ok(details) => panic!("expected errors, got {details:?}"),
        Err(errors) => errors.fields().keys().cloned().collect(),
    }
}

#[test]
fn the_contract_example_is_valid_and_trimmed() {
    let details = RequestDetails::parse(&RequestInput {
        contact_name: Some("  Jane Doe \t".into()),
        ..seed_input()
    })
    .expect("valid");
    assert_eq!(details.country.as_str(), "IT");
    assert_eq!(details.number_type, NumberType::Local);
    assert_eq!(details.contact_name.as_str(), "Jane Doe");
    assert_eq!(details.vat_number.as_ref().map(VatNumber::as_str), Some(""));
    assert_eq!(details.quantity.get(), 1);
}

#[test]
fn countries_must_be_real_upper_case_alpha2_codes() {
    for good in ["NL", "US", "IT", " DE "] {
        assert!(CountryCode::parse(good).is_ok(), "{good}");
    }
    for bad in ["nl", "Nl", "XX", "ZZ", "NLD", "N", "", "1A", "ÄÖ"] {
        assert!(CountryCode::parse(bad).is_err(), "{bad}");
    }
    let err = CountryCode::parse("nl").expect_err("lower case");
    assert!(err.reason.contains("NL"), "{err}");
}

#[test]
fn number_types_are_the_carriers() {
    for good in ["local", "mobile", "national", "toll_free", "shared_cost"] {
        assert_eq!(good.parse::<NumberType>().expect(good).as_str(), good);
    }
    for bad in ["Local", "tollfree", "landline", ""] {
        assert!(bad.parse::<NumberType>().is_err(), "{bad}");
    }
}

#[test]
fn emails_must_be_reachable_looking() {
    for good in ["jane@acme.example", "j.doe+numbers@sub.acme.co.uk"] {
        assert!(EmailAddress::parse(good).is_ok(), "{good}");
    }
    let long = format!("{}@acme.example", "a".repeat(250));
    for bad in [
        "a@b",
        "jane",
        "jane@",
        "@acme.example",
        "jane@acme",
        "Jane <jane@acme.example>",
        "jane@[127.0.0.1]",
        "jane doe@acme.example",
        "",
        long.as_str(),
    ] {
        assert!(EmailAddress::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn urls_must_be_http_or_https_with_a_host() {
    for good in ["https://acme.example", "http://acme.example:8080/cb?x=1"] {
        assert!(WebUrl::parse(good).is_ok(), "{good}");
    }
    let long = format!("https://acme.example/{}", "a".repeat(2100));
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "file:///etc/passwd",
        "ftp://acme.example",
        "data:text/html,hi",
        "https://",
        "acme.example",
        "https://user:pw@acme.example",
        "https://acme.example/\u{0}",
        "https://acme .example",
        long.as_str(),
    ] {
        assert!(WebUrl::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn phone_numbers_must_be_valid_e164() {
    for good in ["+31201234567", "+14155552671", "+442079460958"] {
        assert!(PhoneNumber::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "31201234567",
        "+31 20 123 4567",
        "+1",
        "+1234567890123456",
        "+3120abc4567",
        "+99912345678",
        "",
    ] {
        assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn quantity_and_range_size_are_bounded() {
    assert!(Quantity::new(1).is_ok());
    assert!(Quantity::new(1000).is_ok());
    for bad in [0, -1, 1001, i64::MAX, i64::MIN] {
        assert!(Quantity::new(bad).is_err(), "{bad}");
    }
    assert!(RangeSize::new(1).is_err());
    assert!(RangeSize::new(10).is_ok());
    assert_eq!(
        refused_fields(RequestInput {
            quantity: Some(0),
            ..seed_input()
        }),
        ["quantity"]
    );
    assert_eq!(
        refused_fields(RequestInput {
            quantity: Some(1001),
            ..seed_input()
        }),
        ["quantity"]
    );
    assert_eq!(
        refused_fields(RequestInput {
            quantity: Some(10),
            range_size: Some(3),
            ..seed_input()
        }),
        ["range_size"]
    );
}

#[test]
fn strings_are_bounded_and_free_of_control_characters() {
    let ten_kb = "x".repeat(10 * 1024);
    assert!(UseCase::parse(&ten_kb).is_err());
    assert!(ContactName::parse("Jane\u{0}Doe").is_err());
    assert!(ContactName::parse("Jane\u{1b}[31mDoe").is_err());
    assert!(ContactName::parse("Jane\nDoe").is_err());
    assert!(Comment::parse("line one\nline two").is_ok());
    assert!(ContactName::parse("evil\u{202E}gnp.exe").is_err());
    assert!(UseCase::parse("   ").is_err());
    assert!(ContactName::parse("Zoë Ångström").is_ok());
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let fields = refused_fields(RequestInput {
        country: Some("nl".into()),
        number_type: Some("landline".into()),
        use_case: None,
        contact_name: Some("x".repeat(10_000)),
        contact_email: Some("a@b".into()),
        website: Some("javascript:alert(1)".into()),
        callback_url: Some("file:///etc/passwd".into()),
        ..seed_input()
    });
    assert_eq!(
        fields,
        [
            "callback_url",
            "contact_email",
            "contact_name",
            "country",
            "number_type",
            "use_case",
            "website"
        ]
    );
}

#[test]
fn missing_required_fields_say_so() {
    let errors = RequestDetails::parse(&RequestInput::default()).expect_err("empty input");
    for field in [
        "country",
        "number_type",
        "use_case",
        "contact_name",
        "contact_email",
    ] {
        assert_eq!(
            errors.fields().get(field).map(String::as_str),
            Some("is required")
        );
    }
}

#[test]
fn blank_optional_fields_mean_absent() {
    let details = RequestDetails::parse(&RequestInput {
        website: Some(" ".into()),
        requested_area: Some("".into()),
        callback_url: Some("".into()),
        ..seed_input()
    })
    .expect("valid");
    assert_eq!(details.website, None);
    assert_eq!(details.requested_area, None);
    assert_eq!(details.callback_url, None);
}

proptest! {
    #[test]
    fn parsing_never_panics_and_accepted_text_obeys_the_rules(input in any::<String>()) {
        let _ = CountryCode::parse(&input);
        let _ = EmailAddress::parse(&input);
        let _ = WebUrl::parse(&input);
        let _ = PhoneNumber::parse(&input);
        if let Ok(name) = ContactName::parse(&input) {
            prop_assert!(!name.as_str().is_empty());
            prop_assert!(name.as_str().chars().count() <= ContactName::MAX_CHARS);
            prop_assert!(!name.as_str().chars().any(char::is_control));
            prop_assert_eq!(name.as_str(), name.as_str().trim());
        }
    }

    #[test]
    fn accepted_phone_numbers_are_e164(digits in "[1-9][0-9]{6,14}") {
        if let Ok(number) = PhoneNumber::parse(&format!("+{digits}")) {
            prop_assert!(number.as_str().starts_with('+'));
            prop_assert!(number.as_str()[1..].bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(PhoneNumber::parse(number.as_str()), Ok(number.clone()));
        }
    }
}
