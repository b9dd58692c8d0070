//! The create body: its one field list ([`CreateNumberRequestBody`], which
//! serde and the OpenAPI schema are derived from), and parsing it into domain
//! input with an error per field.

use super::domain_schemas::NumberTypeSchema;
use super::field_names::field_names;
use axum::http::{header, HeaderMap};
use numberdesk_application::error::ApiError;
use numberdesk_domain::request::RequestInput;
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use utoipa::ToSchema;

/// The create body (the contract's fields plus the other provider's optional
/// ones). Unknown fields are refused.
// The only list of the body's fields in the REST layer: the known names, the
// JSON type each must have and the schema are all read from it. Every field
// is `Text` or `Integer` (null and absent both mean "not given"; the domain
// says which are required), and is read into the domain's `RequestInput` by
// name (a test keeps the two lists equal).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateNumberRequest)]
#[allow(dead_code)] // Read field by field for its errors, then into `RequestInput`.
pub struct CreateNumberRequestBody {
    #[schema(value_type = String, pattern = "^[A-Z]{2}$", example = "NL")]
    country: Text,
    #[schema(value_type = NumberTypeSchema, inline)]
    number_type: Text,
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    use_case: Text,
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    contact_name: Text,
    #[schema(value_type = String, format = Email, max_length = 254)]
    contact_email: Text,
    #[schema(value_type = Option<String>, max_length = 100, nullable)]
    requested_area: Text,
    #[schema(value_type = Option<String>, max_length = 200, nullable)]
    company_name: Text,
    #[schema(value_type = Option<String>, max_length = 64, nullable)]
    vat_number: Text,
    #[schema(value_type = Option<String>, max_length = 500, nullable)]
    address: Text,
    #[schema(value_type = Option<String>, max_length = 2048, nullable)]
    website: Text,
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000, nullable)]
    quantity: Integer,
    #[schema(value_type = Option<i64>, minimum = 2, maximum = 1000, nullable)]
    range_size: Integer,
    #[schema(value_type = Option<String>, max_length = 16, nullable)]
    area_code: Text,
    #[schema(value_type = Option<String>, max_length = 100, nullable)]
    city: Text,
    #[schema(value_type = Option<String>, max_length = 100, nullable)]
    region: Text,
    #[schema(value_type = Option<String>, max_length = 2000, nullable)]
    comment: Text,
    #[schema(value_type = Option<String>, max_length = 2048, nullable)]
    callback_url: Text,
}

/// A string field: a JSON string, or null / absent for "not given".
#[derive(Debug)]
struct Text(#[allow(dead_code)] Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Option::<Value>::deserialize(deserializer)? {
            None | Some(Value::Null) => Ok(Text(None)),
            Some(Value::String(s)) => Ok(Text(Some(s))),
            Some(_) => Err(D::Error::custom("must be a string")),
        }
    }
}

/// An integer field: a JSON integer that fits an `i64`, or null / absent.
#[derive(Debug)]
struct Integer(#[allow(dead_code)] Option<i64>);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Option::<Value>::deserialize(deserializer)? {
            None | Some(Value::Null) => Ok(Integer(None)),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(Integer(n.as_i64())),
            Some(_) => Err(D::Error::custom("must be an integer")),
        }
    }
}

/// The body's field names, read from its derive.
static FIELDS: LazyLock<&'static [&'static str]> =
    LazyLock::new(field_names::<CreateNumberRequestBody>);

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
    // Field by field, so every bad field is named, not just the first.
    let errors: BTreeMap<String, String> = object
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), field_error(key, value)?)))
        .collect();
    if !errors.is_empty() {
        let message = errors
            .iter()
            .map(|(f, r)| format!("{f}: {r}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::BadInput {
            message: format!("invalid input: {message}"),
            fields: errors,
        });
    }
    serde_json::from_value(Value::Object(object))
        .map_err(|e| ApiError::Internal(format!("a checked create body did not read: {e}")))
}

/// Why one field of the body is refused, if it is: not a field of the body,
/// or not of its JSON type (the reason `Text` or `Integer` gives).
fn field_error(key: &str, value: &Value) -> Option<String> {
    if !FIELDS.contains(&key) {
        return Some("is not a field of a number request".to_owned());
    }
    let alone = Map::from_iter([(key.to_owned(), value.clone())]);
    serde_json::from_value::<CreateNumberRequestBody>(Value::Object(alone))
        .err()
        .map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(body: &str) -> BTreeMap<String, String> {
        match parse_create_body(body.as_bytes()) {
            Err(ApiError::BadInput { fields, .. }) => fields,
            other => panic!("expected bad input, got {other:?}"),
        }
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_named() {
        assert_eq!(
            fields(r#"{"country": 1, "quantity": "2", "colour": "red"}"#)
                .into_iter()
                .collect::<Vec<_>>(),
            [
                ("colour".into(), "is not a field of a number request".into()),
                ("country".into(), "must be a string".into()),
                ("quantity".into(), "must be an integer".into()),
            ]
        );
        assert_eq!(fields(r#"{"quantity": 1.5}"#).len(), 1);
        assert_eq!(
            fields(r#"{"range_size": 9223372036854775808}"#)["range_size"],
            "must be an integer"
        );
        assert_eq!(fields("[]").into_keys().collect::<Vec<_>>(), ["body"]);
        assert_eq!(fields("{").into_keys().collect::<Vec<_>>(), ["body"]);
    }

    #[test]
    fn nulls_mean_absent() {
        let input =
            parse_create_body(br#"{"requested_area": null, "country": "NL"}"#).expect("parses");
        assert_eq!(input.requested_area, None);
        assert_eq!(input.country.as_deref(), Some("NL"));
    }

    #[test]
    fn the_body_has_exactly_the_fields_of_the_domain_input() {
        let mut body = FIELDS.to_vec();
        let mut domain = field_names::<RequestInput>().to_vec();
        body.sort_unstable();
        domain.sort_unstable();
        assert_eq!(body, domain);
    }

    #[test]
    fn every_field_reaches_the_domain_input() {
        let input = parse_create_body(
            br#"{"country": "NL", "number_type": "local", "use_case": "u",
                 "contact_name": "n", "contact_email": "e@x.nl", "requested_area": "ra",
                 "company_name": "co", "vat_number": "vat", "address": "ad",
                 "website": "https://w.nl", "quantity": 4, "range_size": 2,
                 "area_code": "20", "city": "ci", "region": "re", "comment": "cm",
                 "callback_url": "https://cb.nl"}"#,
        )
        .expect("parses");
        let expected = RequestInput {
            country: Some("NL".into()),
            number_type: Some("local".into()),
            use_case: Some("u".into()),
            contact_name: Some("n".into()),
            contact_email: Some("e@x.nl".into()),
            requested_area: Some("ra".into()),
            company_name: Some("co".into()),
            vat_number: Some("vat".into()),
            address: Some("ad".into()),
            website: Some("https://w.nl".into()),
            quantity: Some(4),
            range_size: Some(2),
            area_code: Some("20".into()),
            city: Some("ci".into()),
            region: Some("re".into()),
            comment: Some("cm".into()),
            callback_url: Some("https://cb.nl".into()),
        };
        assert_eq!(input, expected);
    }
}
