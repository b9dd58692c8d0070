//! GraphQL output types: the read models, shaped for clients.

use async_graphql::{Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters::{
    AuditFilter, NumberRequestView, PageRequest, PhoneNumberFilter, PhoneNumberView, RecordedEvent,
    RequestFilter,
};
use numberdesk_application::ApiError;
use numberdesk_application::AppState;

// Mirrors `numberdesk_domain::RequestStatus` variant for variant: the
// conversions both ways are derived (`remote`), and a variant added to the
// domain without one here fails to compile.
/// Where a request stands (the REST contract's `status`, upper-cased).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "RequestStatus", remote = "numberdesk_domain::RequestStatus")]
pub enum Status {
    /// Received; nobody works it yet.
    Submitted,
    /// An operator owns it.
    Assigned,
    /// Ordered at the carrier, outcome pending.
    Ordered,
    /// Numbers are live. Terminal.
    Provisioned,
    /// The order failed; it can be assigned again.
    Failed,
    /// Refused by ops. Terminal.
    Rejected,
    /// Withdrawn. Terminal.
    Cancelled,
}

/// A customer's request for phone numbers.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "NumberRequest")]
pub struct NumberRequestObject {
    /// The request's UUID (also the carrier's customer_reference).
    pub id: ID,
    /// The REST contract's integer id.
    pub number: i64,
    /// The organisation's integer id.
    pub organization_id: i64,
    /// The owning account.
    pub account_id: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// local, mobile, national, toll_free or shared_cost.
    pub number_type: String,
    /// What the numbers are for.
    pub use_case: String,
    /// Where it stands.
    pub status: Status,
    /// Free-form area preference.
    pub requested_area: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Contact person.
    pub contact_name: String,
    /// Contact e-mail.
    pub contact_email: String,
    /// The operator who owns it.
    pub assigned_to: Option<String>,
    /// The operations team's notes.
    pub ops_notes: Option<String>,
    /// Id of the first provisioned phone number.
    pub provisioned_number_id: Option<i64>,
    /// How many numbers.
    pub quantity: i64,
    /// Block size of consecutive numbers.
    pub range_size: Option<i64>,
    /// Area code.
    pub area_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Customer comment.
    pub comment: Option<String>,
    /// Status-change callback URL.
    pub callback_url: Option<String>,
    /// Current fulfilment attempt.
    pub attempt: i64,
    /// The carrier's order id.
    pub carrier_order_id: Option<String>,
    /// Numbers ordered in the current attempt.
    pub ordered_numbers: Vec<String>,
    /// Numbers live.
    pub provisioned_numbers: Vec<String>,
    /// Numbers the carrier failed.
    pub failed_numbers: Vec<String>,
    /// Why it was rejected, cancelled or failed.
    pub reason: Option<String>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Sequence number of its last event (for optimistic UIs).
    pub version: i64,
}

impl From<NumberRequestView> for NumberRequestObject {
    fn from(v: NumberRequestView) -> Self {
        Self {
            id: ID(v.uuid.to_string()),
            number: v.id,
            organization_id: v.organization_id,
            account_id: v.account_id.to_string(),
            country: v.country,
            number_type: v.number_type,
            use_case: v.use_case,
            status: v.status.into(),
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
            quantity: v.quantity,
            range_size: v.range_size,
            area_code: v.area_code,
            city: v.city,
            region: v.region,
            comment: v.comment,
            callback_url: v.callback_url,
            attempt: v.attempt,
            carrier_order_id: v.carrier_order_id,
            ordered_numbers: v.ordered_numbers,
            provisioned_numbers: v.provisioned_numbers,
            failed_numbers: v.failed_numbers,
            reason: v.reason,
            created_at: v.created_at,
            updated_at: v.updated_at,
            version: v.version,
        }
    }
}

/// A provisioned phone number.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PhoneNumber")]
pub struct PhoneNumberObject {
    /// Integer id.
    pub id: i64,
    /// E.164.
    pub phone_number: String,
    /// Organisation.
    pub organization_id: i64,
    /// Account.
    pub account_id: String,
    /// The request it fulfils.
    pub request_id: ID,
    /// That request's integer id.
    pub request_number: i64,
    /// The carrier order.
    pub carrier_order_id: String,
    /// "provisioned".
    pub status: String,
    /// When it went live.
    pub provisioned_at: DateTime<Utc>,
}

impl From<PhoneNumberView> for PhoneNumberObject {
    fn from(v: PhoneNumberView) -> Self {
        Self {
            id: v.id,
            phone_number: v.phone_number,
            organization_id: v.organization_id,
            account_id: v.account_id.to_string(),
            request_id: ID(v.request_id.to_string()),
            request_number: v.request_number,
            carrier_order_id: v.carrier_order_id,
            status: v.status,
            provisioned_at: v.provisioned_at,
        }
    }
}

/// One recorded event: the audit trail's unit.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "RecordedEvent")]
pub struct EventObject {
    /// Global position in the log (ascending, gap-free order of commit).
    pub position: i64,
    /// The request it belongs to.
    pub request_id: ID,
    /// The request's organisation.
    pub organization_id: i64,
    /// Sequence within the request.
    pub sequence: i64,
    /// Submitted, Assigned, NotesUpdated, Ordered, Provisioned, OrderFailed, Rejected, Cancelled.
    pub event_type: String,
    /// Schema version of the payload.
    pub event_version: String,
    /// The event's data.
    pub payload: async_graphql::Json<serde_json::Value>,
    /// Who did it (`partner:<key id>`, `ops:<key id>`, `system`).
    pub actor: String,
    /// Groups the events of one action.
    pub correlation_id: Option<String>,
    /// What caused it.
    pub causation_id: Option<String>,
    /// The HTTP request id it arrived with.
    pub http_request_id: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl From<RecordedEvent> for EventObject {
    fn from(e: RecordedEvent) -> Self {
        Self {
            position: e.position,
            request_id: ID(e.request_id.to_string()),
            organization_id: e.organization_id,
            sequence: e.sequence,
            event_type: e.event_type,
            event_version: e.event_version,
            payload: async_graphql::Json(e.payload),
            actor: e.actor,
            correlation_id: e.correlation_id,
            causation_id: e.causation_id,
            http_request_id: e.request_http_id,
            occurred_at: e.occurred_at,
        }
    }
}

/// Requests per status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StatusCount {
    /// The status.
    pub status: Status,
    /// How many requests have it.
    pub count: i64,
}

/// Totals for a dashboard.
#[derive(SimpleObject, Clone, Debug)]
pub struct Stats {
    /// Every status, with zero counts included.
    pub by_status: Vec<StatusCount>,
    /// All requests.
    pub total: i64,
}

/// The total of a connection, counted only when a client selects
/// `totalCount`: counting scans every match, paging does not.
pub enum TotalCount {
    /// Of `numberRequests`.
    Requests(AppState, RequestFilter),
    /// Of `phoneNumbers`.
    PhoneNumbers(AppState, PhoneNumberFilter),
    /// Of `auditLog`.
    Audit(AppState, AuditFilter),
    /// Of `unmatchedCarrierWebhooks`.
    UnmatchedWebhooks(AppState),
}

#[Object]
impl TotalCount {
    /// Items matching the filter across all pages.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        let count_only = PageRequest {
            first: 0,
            after: None,
            with_total: true,
            ..PageRequest::default()
        };
        let total = match self {
            TotalCount::Requests(state, filter) => state
                .desk
                .list_requests(filter, &count_only)
                .await
                .map(|page| page.total_count),
            TotalCount::PhoneNumbers(state, filter) => state
                .desk
                .list_phone_numbers(filter, &count_only)
                .await
                .map(|page| page.total_count),
            TotalCount::Audit(state, filter) => state
                .desk
                .audit_log(filter, &count_only)
                .await
                .map(|page| page.total_count),
            TotalCount::UnmatchedWebhooks(state) => state
                .fulfilment
                .unmatched_webhooks(&count_only)
                .await
                .map(|page| page.total_count),
        }
        .map_err(ApiError::from)?;
        Ok(total.ok_or_else(|| ApiError::Internal("the store did not count".into()))?)
    }
}
