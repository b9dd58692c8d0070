//! GraphQL input types.

use super::types::Status;
use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use numberdesk_application::ApiError;
use numberdesk_domain::request::RequestInput;
use serde::Serialize;

/// A new request; the same fields and rules as the REST contract.
// The GraphQL layer's one list of the request's input fields: the names are
// the domain's `RequestInput`'s, which it is read into by serde.
#[derive(InputObject, Serialize, Debug, Clone)]
pub struct SubmitNumberRequestInput {
    /// The organisation's integer id.
    pub organization_id: i64,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// local, mobile, national, toll_free or shared_cost.
    pub number_type: String,
    /// What the numbers are for.
    pub use_case: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact e-mail.
    pub contact_email: String,
    /// Area or city preference.
    pub requested_area: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// http(s) website.
    pub website: Option<String>,
    /// 1–1000 (default 1).
    pub quantity: Option<i64>,
    /// Consecutive block size.
    pub range_size: Option<i64>,
    /// Area code.
    pub area_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region (NANPA).
    pub region: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// http(s) URL for status-change callbacks.
    pub callback_url: Option<String>,
}

impl TryFrom<SubmitNumberRequestInput> for RequestInput {
    type Error = ApiError;

    /// Field by field, by name: the input's fields are the domain input's
    /// (plus `organization_id`), so serde reads one into the other and no
    /// second list is kept (a test checks every field arrives).
    fn try_from(input: SubmitNumberRequestInput) -> Result<Self, ApiError> {
        serde_json::to_value(input)
            .and_then(serde_json::from_value)
            .map_err(|e| ApiError::Internal(format!("reading a submit input: {e}")))
    }
}

/// Which requests to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct NumberRequestFilter {
    /// Only this organisation.
    pub organization: Option<i32>,
    /// Only these statuses.
    pub status: Option<Vec<Status>>,
    /// Only this country.
    pub country: Option<String>,
    /// Only requests owned by this operator.
    pub assigned_to: Option<String>,
    /// Submitted at or after this instant (inclusive).
    pub created_after: Option<DateTime<Utc>>,
    /// Submitted strictly before this instant (exclusive).
    pub created_before: Option<DateTime<Utc>>,
}

/// Which phone numbers to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct PhoneNumberFilter {
    /// Only this organisation.
    pub organization: Option<i32>,
    /// Only numbers of this request.
    pub request_id: Option<async_graphql::ID>,
}

/// Which events of the audit log to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this organisation.
    pub organization: Option<i32>,
    /// Only this actor (`ops:<key id>`, `partner:<key id>`, `system`).
    pub actor: Option<String>,
    /// Only these event types.
    pub event_types: Option<Vec<String>>,
    /// Occurred at or after this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Occurred strictly before this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_input_reaches_the_domain_input() {
        let text = |name: &str| Some(format!("{name} value"));
        let input = SubmitNumberRequestInput {
            organization_id: 7,
            country: "NL".into(),
            number_type: "local".into(),
            use_case: "use_case value".into(),
            contact_name: "contact_name value".into(),
            contact_email: "contact_email value".into(),
            requested_area: text("requested_area"),
            company_name: text("company_name"),
            vat_number: text("vat_number"),
            address: text("address"),
            website: text("website"),
            quantity: Some(4),
            range_size: Some(2),
            area_code: text("area_code"),
            city: text("city"),
            region: text("region"),
            comment: text("comment"),
            callback_url: text("callback_url"),
        };
        let domain = RequestInput::try_from(input).expect("reads");
        assert_eq!(domain.country.as_deref(), Some("NL"));
        assert_eq!(domain.quantity, Some(4));
        assert_eq!(domain.callback_url, text("callback_url"));
        // No field of the domain input is left unset (none dropped by name).
        let fields = serde_json::to_value(&domain).expect("serialises");
        let unset: Vec<&String> = fields
            .as_object()
            .expect("an object")
            .iter()
            .filter(|(_, value)| value.is_null())
            .map(|(name, _)| name)
            .collect();
        assert!(unset.is_empty(), "not read from the input: {unset:?}");
    }
}
