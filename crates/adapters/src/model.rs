//! The read side's public shapes: views, recorded events, filters and pages.

use chrono::{DateTime, Utc};
use numberdesk_domain::values::CountryCode;
use numberdesk_domain::RequestStatus;
use serde::Serialize;
use uuid::Uuid;

/// One page of a keyset-paginated list, in either direction (Relay's
/// `first`/`after` and `last`/`before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// How many items at most (the caller caps it).
    pub first: u32,
    /// The cursor: the key of the last item already seen (request number,
    /// phone number id or event position), or `None` for the first page.
    /// Only items strictly after it in the list's order are listed.
    pub after: Option<i64>,
    /// Only items strictly before this key in the list's order are listed.
    pub before: Option<i64>,
    /// Take the page from the end of the window (Relay `last`): the `first`
    /// items nearest `before` (or the list's end), still in the list's order.
    pub from_end: bool,
    /// Whether to count every matching item too. Counting scans the whole
    /// match, so callers ask only when a client wants the total.
    pub with_total: bool,
}

/// Items of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// True when more matching items follow the last one (also beyond a
    /// `before` cursor).
    pub has_next_page: bool,
    /// True when matching items precede the first one (also an `after`
    /// cursor's own item and everything before it).
    pub has_previous_page: bool,
    /// How many items match the filter in total (every page), when
    /// `PageRequest::with_total` asked for it.
    pub total_count: Option<i64>,
}

/// Which requests to list. Requests are listed newest first (`number` DESC);
/// `PageRequest::after` is the last number seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFilter {
    /// `None` = every organisation (operations); `Some(list)` = tenant scope
    /// (an empty list matches nothing).
    pub organization_ids: Option<Vec<i64>>,
    /// Any of these statuses; empty = any status.
    pub statuses: Vec<RequestStatus>,
    /// Only this country.
    pub country: Option<CountryCode>,
    /// Only requests owned by this assignee.
    pub assigned_to: Option<String>,
    /// Created at or after this instant.
    pub created_after: Option<DateTime<Utc>>,
    /// Created strictly before this instant.
    pub created_before: Option<DateTime<Utc>>,
}

/// Which provisioned numbers to list (ascending id; `after` = last id seen).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneNumberFilter {
    /// `None` = every organisation; `Some(list)` = tenant scope.
    pub organization_ids: Option<Vec<i64>>,
    /// Only numbers of this account.
    pub account_id: Option<Uuid>,
    /// Only numbers of this request.
    pub request_id: Option<Uuid>,
}

/// Which events of the audit feed to list (ascending position; `after` =
/// the last position seen).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// `None` = every organisation; `Some(list)` = tenant scope.
    pub organization_ids: Option<Vec<i64>>,
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Any of these event types; empty = any type.
    pub event_types: Vec<String>,
    /// Occurred at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Occurred strictly before this instant.
    pub to: Option<DateTime<Utc>>,
}

crate::row_struct::row_struct! {
    /// The `number_requests` view: the REST contract's `numberRequest` object plus
    /// everything the domain adds. Its fields are the adapters' one list of the
    /// view's columns: read from its row by name (`sqlx::FromRow`), written from
    /// the same list (`row_struct::row_struct!` derives the columns and values).
    #[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
    pub struct NumberRequestView {
        /// The integer id (the request's per-deployment number).
        pub id: i64,
        /// The aggregate id.
        pub uuid: Uuid,
        /// The owning organisation.
        pub organization_id: i64,
        /// The owning account.
        pub account_id: Uuid,
        /// ISO 3166-1 alpha-2.
        pub country: String,
        /// `local`, `mobile`, ...
        pub number_type: String,
        /// What the numbers are for.
        pub use_case: String,
        /// Where the request stands.
        #[sqlx(try_from = "StatusText")]
        pub status: RequestStatus,
        /// Area preference.
        pub requested_area: Option<String>,
        /// Company operating the numbers.
        pub company_name: Option<String>,
        /// Company VAT number.
        pub vat_number: Option<String>,
        /// Company address.
        pub address: Option<String>,
        /// Company website.
        pub website: Option<String>,
        /// Contact person.
        pub contact_name: String,
        /// Contact e-mail.
        pub contact_email: String,
        /// Current owner on the operations team.
        pub assigned_to: Option<String>,
        /// Operations notes.
        pub ops_notes: Option<String>,
        /// Id of the first [`PhoneNumberView`] of this request.
        pub provisioned_number_id: Option<i64>,
        /// How many numbers.
        pub quantity: i64,
        /// Consecutive block size.
        pub range_size: Option<i64>,
        /// Area code to search in.
        pub area_code: Option<String>,
        /// City to search in.
        pub city: Option<String>,
        /// Region to search in.
        pub region: Option<String>,
        /// Customer comment.
        pub comment: Option<String>,
        /// Status-change callback URL.
        pub callback_url: Option<String>,
        /// Current fulfilment attempt (0 before the first assignment).
        pub attempt: i64,
        /// Carrier order of the current attempt.
        pub carrier_order_id: Option<String>,
        /// Every number of the current order (E.164, sorted).
        #[sqlx(json)]
        pub ordered_numbers: Vec<String>,
        /// The live numbers (sorted).
        #[sqlx(json)]
        pub provisioned_numbers: Vec<String>,
        /// Numbers the carrier failed (sorted).
        #[sqlx(json)]
        pub failed_numbers: Vec<String>,
        /// Why it was rejected, cancelled or last failed.
        pub reason: Option<String>,
        /// When it was submitted.
        pub created_at: DateTime<Utc>,
        /// When its last event occurred.
        pub updated_at: DateTime<Utc>,
        /// The sequence of its last event.
        pub version: i64,
    }
}

/// A stored request status, decoded into [`RequestStatus`] by the view's
/// `FromRow` (a bad one is a decode error, never a panic).
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
struct StatusText(String);

impl TryFrom<StatusText> for RequestStatus {
    type Error = numberdesk_domain::values::InvalidValue;
    fn try_from(text: StatusText) -> Result<Self, Self::Error> {
        text.0.parse()
    }
}

/// The `phone_numbers` view: one provisioned number.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct PhoneNumberView {
    /// Stable id: drawn with its `Provisioned` event and kept in that
    /// event's metadata (`phone_number_id`); for events written before
    /// that, the event's global position.
    pub id: i64,
    /// E.164.
    pub phone_number: String,
    /// The owning organisation.
    pub organization_id: i64,
    /// The owning account.
    pub account_id: Uuid,
    /// The request's aggregate id.
    pub request_id: Uuid,
    /// The request's integer id.
    pub request_number: i64,
    /// The carrier order that delivered it.
    pub carrier_order_id: String,
    /// `"provisioned"`, `"releasing"` (a release was asked for) or
    /// `"released"` (the carrier no longer holds it).
    pub status: String,
    /// When it went live.
    pub provisioned_at: DateTime<Utc>,
}

/// One stored event with its global position and metadata: a line of the
/// audit trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedEvent {
    /// Global, commit-ordered position.
    pub position: i64,
    /// The request (aggregate id).
    pub request_id: Uuid,
    /// The owning organisation (0 if the metadata lacks it).
    pub organization_id: i64,
    /// Sequence within the request, from 1.
    pub sequence: i64,
    /// `Submitted`, `Assigned`, ...
    pub event_type: String,
    /// The payload's schema version.
    pub event_version: String,
    /// The event as stored.
    pub payload: serde_json::Value,
    /// Who acted (empty if the metadata lacks it).
    pub actor: String,
    /// Groups the events of one user action.
    pub correlation_id: Option<String>,
    /// What caused it.
    pub causation_id: Option<String>,
    /// The HTTP request id it arrived with.
    pub request_http_id: Option<String>,
    /// The id the number of a `Provisioned` event got (`None` for other
    /// events, and for `Provisioned` events written before numbers got ids
    /// of their own: their number's id is their position).
    pub phone_number_id: Option<i64>,
    /// When the command was accepted (the store's clock if the metadata lacks it).
    pub occurred_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// The stored payload as the domain event (the one decoding the
    /// projections, rebuild and time travel use); a payload that does not
    /// decode is [`crate::StoreError::Internal`].
    pub fn decode(&self) -> Result<numberdesk_domain::NumberRequestEvent, crate::StoreError> {
        // Older versions are lifted through the domain's upcasters first
        // (the ones the event store uses).
        let payload = numberdesk_domain::request::upcasting::upcast(
            &self.event_type,
            &self.event_version,
            self.payload.clone(),
        );
        serde_json::from_value(payload).map_err(|err| {
            crate::StoreError::Internal(
                format!(
                    "event {} ({}) cannot be read: {err}",
                    self.position, self.event_type
                )
                .into(),
            )
        })
    }
}
