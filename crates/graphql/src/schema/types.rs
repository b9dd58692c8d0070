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

/// A customer's request for phone numbers: the view, resolved field by field.
// The GraphQL layer's one list of the request's output fields is the
// resolvers below (names, types and descriptions); each reads the view.
#[derive(Clone, Debug)]
pub struct NumberRequestObject(NumberRequestView);

impl From<NumberRequestView> for NumberRequestObject {
    fn from(view: NumberRequestView) -> Self {
        Self(view)
    }
}

/// A customer's request for phone numbers.
#[Object(name = "NumberRequest")]
impl NumberRequestObject {
    /// The request's UUID (also the carrier's customer_reference).
    async fn id(&self) -> ID {
        ID(self.0.uuid.to_string())
    }

    /// The REST contract's integer id.
    async fn number(&self) -> i64 {
        self.0.id
    }

    /// The organisation's integer id.
    async fn organization_id(&self) -> i64 {
        self.0.organization_id
    }

    /// The owning account.
    async fn account_id(&self) -> String {
        self.0.account_id.to_string()
    }

    /// ISO 3166-1 alpha-2.
    async fn country(&self) -> &str {
        &self.0.country
    }

    /// local, mobile, national, toll_free or shared_cost.
    async fn number_type(&self) -> &str {
        &self.0.number_type
    }

    /// What the numbers are for.
    async fn use_case(&self) -> &str {
        &self.0.use_case
    }

    /// Where it stands.
    async fn status(&self) -> Status {
        self.0.status.into()
    }

    /// Free-form area preference.
    async fn requested_area(&self) -> Option<&str> {
        self.0.requested_area.as_deref()
    }

    /// Company name.
    async fn company_name(&self) -> Option<&str> {
        self.0.company_name.as_deref()
    }

    /// VAT number.
    async fn vat_number(&self) -> Option<&str> {
        self.0.vat_number.as_deref()
    }

    /// Address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }

    /// Website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Contact person.
    async fn contact_name(&self) -> &str {
        &self.0.contact_name
    }

    /// Contact e-mail.
    async fn contact_email(&self) -> &str {
        &self.0.contact_email
    }

    /// The operator who owns it.
    async fn assigned_to(&self) -> Option<&str> {
        self.0.assigned_to.as_deref()
    }

    /// The operations team's notes.
    async fn ops_notes(&self) -> Option<&str> {
        self.0.ops_notes.as_deref()
    }

    /// Id of the first provisioned phone number.
    async fn provisioned_number_id(&self) -> Option<i64> {
        self.0.provisioned_number_id
    }

    /// How many numbers.
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }

    /// Block size of consecutive numbers.
    async fn range_size(&self) -> Option<i64> {
        self.0.range_size
    }

    /// Area code.
    async fn area_code(&self) -> Option<&str> {
        self.0.area_code.as_deref()
    }

    /// City.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// Region.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    /// Customer comment.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// Status-change callback URL.
    async fn callback_url(&self) -> Option<&str> {
        self.0.callback_url.as_deref()
    }

    /// Current fulfilment attempt.
    async fn attempt(&self) -> i64 {
        self.0.attempt
    }

    /// The carrier's order id.
    async fn carrier_order_id(&self) -> Option<&str> {
        self.0.carrier_order_id.as_deref()
    }

    /// Numbers ordered in the current attempt.
    async fn ordered_numbers(&self) -> &[String] {
        &self.0.ordered_numbers
    }

    /// Numbers live.
    async fn provisioned_numbers(&self) -> &[String] {
        &self.0.provisioned_numbers
    }

    /// Numbers the carrier failed.
    async fn failed_numbers(&self) -> &[String] {
        &self.0.failed_numbers
    }

    /// Why it was rejected, cancelled or failed.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When it was submitted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Sequence number of its last event (for optimistic UIs).
    async fn version(&self) -> i64 {
        self.0.version
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
