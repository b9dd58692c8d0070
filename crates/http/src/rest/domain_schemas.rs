//! OpenAPI schemas of the domain's enums the REST contract carries, derived
//! from the domain types themselves: the values are what serde writes for
//! each of the type's `ALL` (the same spelling the bodies are serialised
//! with), so the document cannot drift from the domain's one list.
//!
//! The schema names (`StatusBody`, `NumberTypeBody`) are those of the
//! published document and stay as they are.

use numberdesk_domain::values::NumberType;
use numberdesk_domain::RequestStatus;
use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string schema listing `values` as serde spells them.
fn string_enum<T: Serialize>(values: &[T], description: &str) -> RefOr<Schema> {
    let values = values.iter().filter_map(|v| serde_json::to_value(v).ok());
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// The schema of [`RequestStatus`] (a request's `status`).
pub struct RequestStatusSchema;

impl PartialSchema for RequestStatusSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(
            &RequestStatus::ALL,
            "A request's status as the contract spells it.",
        )
    }
}

impl ToSchema for RequestStatusSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StatusBody")
    }
}

/// The schema of [`NumberType`] (a create body's `number_type`).
pub struct NumberTypeSchema;

impl PartialSchema for NumberTypeSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(&NumberType::ALL, "The carrier's number types.")
    }
}

impl ToSchema for NumberTypeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NumberTypeBody")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(schema: RefOr<Schema>) -> Vec<String> {
        let json = serde_json::to_value(schema).expect("serialises");
        json["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect()
    }

    #[test]
    fn every_domain_value_is_listed_as_the_bodies_spell_it() {
        let statuses: Vec<String> = RequestStatus::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        assert_eq!(values(RequestStatusSchema::schema()), statuses);
        assert!(statuses.contains(&"cancelled".to_owned()));
        let types: Vec<String> = NumberType::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        assert_eq!(values(NumberTypeSchema::schema()), types);
        assert!(types.contains(&"toll_free".to_owned()));
    }
}
