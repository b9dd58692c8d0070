//! The contract's JSON shapes, key for key, with their OpenAPI schemas.

use super::domain_schemas::RequestStatusSchema;
use chrono::{DateTime, SecondsFormat, Utc};
use numberdesk_adapters::{NumberRequestView, PhoneNumberView};
use numberdesk_domain::RequestStatus;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The contract's timestamp format: `2026-01-15T10:00:00.000Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The `numberRequest` object: exactly the contract's keys, explicit nulls.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
#[schema(as = NumberRequest)]
pub struct NumberRequestBody {
    id: i64,
    organization_id: i64,
    #[schema(example = "NL")]
    country: String,
    #[schema(example = "local")]
    number_type: String,
    use_case: String,
    #[schema(value_type = RequestStatusSchema)]
    status: RequestStatus,
    requested_area: Option<String>,
    company_name: Option<String>,
    vat_number: Option<String>,
    address: Option<String>,
    website: Option<String>,
    contact_name: String,
    contact_email: String,
    assigned_to: Option<String>,
    ops_notes: Option<String>,
    provisioned_number_id: Option<i64>,
    #[schema(example = "2026-01-15T10:00:00.000Z")]
    created_at: String,
    #[schema(example = "2026-01-15T10:00:00.000Z")]
    updated_at: String,
}

impl From<NumberRequestView> for NumberRequestBody {
    fn from(v: NumberRequestView) -> Self {
        Self {
            id: v.id,
            organization_id: v.organization_id,
            country: v.country,
            number_type: v.number_type,
            use_case: v.use_case,
            status: v.status,
            requested_area: v.requested_area,
            company_name: v.company_name,
            vat_number: v.vat_number,
            address: v.address,
            website: v.website,
            contact_name: v.contact_name,
            contact_email: v.contact_email,
            assigned_to: v.assigned_to,
            ops_notes: v.ops_notes,
            provisioned_number_id: v.provisioned_number_id,
            created_at: timestamp(v.created_at),
            updated_at: timestamp(v.updated_at),
        }
    }
}

/// `{"success": true, "numberRequest": {...}}`, keys in the contract's order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NumberRequestResponse)]
pub struct NumberRequestEnvelope {
    /// Always true.
    pub success: bool,
    /// The request.
    #[serde(rename = "numberRequest")]
    pub number_request: NumberRequestBody,
}

impl From<NumberRequestView> for NumberRequestEnvelope {
    fn from(view: NumberRequestView) -> Self {
        Self {
            success: true,
            number_request: view.into(),
        }
    }
}

/// A phone number as listed by `/numbers`.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
#[schema(as = PhoneNumber)]
pub struct PhoneNumberBody {
    id: i64,
    #[schema(example = "+31201234567")]
    phone_number: String,
    organization_id: i64,
    number_request_id: i64,
    status: String,
    provisioned_at: String,
}

impl From<PhoneNumberView> for PhoneNumberBody {
    fn from(v: PhoneNumberView) -> Self {
        Self {
            id: v.id,
            phone_number: v.phone_number,
            organization_id: v.organization_id,
            number_request_id: v.request_number,
            status: v.status,
            provisioned_at: timestamp(v.provisioned_at),
        }
    }
}

/// Pagination block of list responses.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct Pagination {
    /// The page size used.
    pub limit: u32,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Items matching the filter across all pages.
    pub total: i64,
}

/// A page of requests.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NumberRequestList)]
pub struct NumberRequestListBody {
    /// Always true.
    pub success: bool,
    /// Newest first.
    #[serde(rename = "numberRequests")]
    pub number_requests: Vec<NumberRequestBody>,
    /// Where the next page starts.
    pub pagination: Pagination,
}

/// A page of phone numbers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PhoneNumberList)]
pub struct PhoneNumberListBody {
    /// Always true.
    pub success: bool,
    /// By id.
    pub numbers: Vec<PhoneNumberBody>,
    /// Where the next page starts.
    pub pagination: Pagination,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT,
    /// IDEMPOTENCY_KEY_REUSED, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE,
    /// UNAVAILABLE, NOT_CONFIGURED or INTERNAL.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// For BAD_USER_INPUT: field → reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

/// Every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// The error.
    pub error: ErrorDetail,
}

/// A JSON body already serialised (kept byte for byte, e.g. an idempotent replay).
pub fn raw_json(
    status: axum::http::StatusCode,
    body: impl Into<axum::body::Body>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}
