//! GraphQL input types.

use super::types::Status;
use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use numberdesk_domain::request::RequestInput;

/// A new request; the same fields and rules as the REST contract.
#[derive(InputObject, Debug, Clone)]
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

impl From<SubmitNumberRequestInput> for RequestInput {
    fn from(i: SubmitNumberRequestInput) -> Self {
        RequestInput {
            country: Some(i.country),
            number_type: Some(i.number_type),
            use_case: Some(i.use_case),
            contact_name: Some(i.contact_name),
            contact_email: Some(i.contact_email),
            requested_area: i.requested_area,
            company_name: i.company_name,
            vat_number: i.vat_number,
            address: i.address,
            website: i.website,
            quantity: i.quantity,
            range_size: i.range_size,
            area_code: i.area_code,
            city: i.city,
            region: i.region,
            comment: i.comment,
            callback_url: i.callback_url,
        }
    }
}

/// Which requests to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct NumberRequestFilter {
    /// Only this organisation.
    pub organization: Option<i64>,
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
    pub organization: Option<i64>,
    /// Only numbers of this request.
    pub request_id: Option<async_graphql::ID>,
}

/// Which events of the audit log to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this organisation.
    pub organization: Option<i64>,
    /// Only this actor (`ops:<key id>`, `partner:<key id>`, `system`).
    pub actor: Option<String>,
    /// Only these event types.
    pub event_types: Option<Vec<String>>,
    /// Occurred at or after this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Occurred strictly before this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}
