//! Parsing the create body into domain input, with an error per field.

use axum::http::{header, HeaderMap};
use numberdesk_application::error::ApiError;
use numberdesk_domain::request::RequestInput;
use serde_json::Value;
use std::collections::BTreeMap;

const STRING_FIELDS: [&str; 15] = [
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
];
const INTEGER_FIELDS: [&str; 2] = ["quantity", "range_size"];

/// Refuses bodies that are not declared as JSON (415).
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type must be application/json (got {:?})",
            content_type
        )))
    }
}

/// Parses the create body: a JSON object whose known fields have the right
/// JSON types. Every problem is reported under its field name.
pub fn parse_create_body(bytes: &[u8]) -> Result<RequestInput, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_field("body", format!("is not valid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(ApiError::bad_field("body", "must be a JSON object"));
    };
    if let Some(key) = super::duplicate_keys::duplicate_key(bytes) {
        return Err(ApiError::bad_field(&key, "is given more than once"));
    }
    let mut errors = BTreeMap::new();
    for key in object.keys() {
        if !STRING_FIELDS.contains(&key.as_str()) && !INTEGER_FIELDS.contains(&key.as_str()) {
            errors.insert(key.clone(), "is not a field of a number request".to_owned());
        }
    }
    let text = |field: &str, errors: &mut BTreeMap<String, String>| -> Option<String> {
        match object.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.insert(field.to_owned(), "must be a string".to_owned());
                None
            }
        }
    };
    let integer = |field: &str, errors: &mut BTreeMap<String, String>| -> Option<i64> {
        match object.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                errors.insert(field.to_owned(), "must be an integer".to_owned());
                None
            }
        }
    };
    let input = read_input(&mut errors, text, integer);
    if errors.is_empty() {
        Ok(input)
    } else {
        let message = errors
            .iter()
            .map(|(f, r)| format!("{f}: {r}"))
            .collect::<Vec<_>>()
            .join("; ");
        Err(ApiError::BadInput {
            message: format!("invalid input: {message}"),
            fields: errors,
        })
    }
}

fn read_input(
    errors: &mut BTreeMap<String, String>,
    text: impl Fn(&str, &mut BTreeMap<String, String>) -> Option<String>,
    integer: impl Fn(&str, &mut BTreeMap<String, String>) -> Option<i64>,
) -> RequestInput {
    RequestInput {
        country: text("country", errors),
        number_type: text("number_type", errors),
        use_case: text("use_case", errors),
        contact_name: text("contact_name", errors),
        contact_email: text("contact_email", errors),
        requested_area: text("requested_area", errors),
        company_name: text("company_name", errors),
        vat_number: text("vat_number", errors),
        address: text("address", errors),
        website: text("website", errors),
        quantity: integer("quantity", errors),
        range_size: integer("range_size", errors),
        area_code: text("area_code", errors),
        city: text("city", errors),
        region: text("region", errors),
        comment: text("comment", errors),
        callback_url: text("callback_url", errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(body: &str) -> Vec<String> {
        match parse_create_body(body.as_bytes()) {
            Err(ApiError::BadInput { fields, .. }) => fields.into_keys().collect(),
            other => panic!("expected bad input, got {other:?}"),
        }
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_named() {
        assert_eq!(
            fields(r#"{"country": 1, "quantity": "2", "colour": "red"}"#),
            ["colour", "country", "quantity"]
        );
        assert_eq!(fields(r#"{"quantity": 1.5}"#), ["quantity"]);
        assert_eq!(fields("[]"), ["body"]);
        assert_eq!(fields("{"), ["body"]);
    }

    #[test]
    fn nulls_mean_absent() {
        let input =
            parse_create_body(br#"{"requested_area": null, "country": "NL"}"#).expect("parses");
        assert_eq!(input.requested_area, None);
        assert_eq!(input.country.as_deref(), Some("NL"));
    }
}
