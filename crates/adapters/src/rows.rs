//! Row shapes shared by both backends: what is read from and written to the
//! `events`, `number_requests` and `phone_numbers` tables.

use crate::model::{NumberRequestView, RecordedEvent};
use crate::store::Param;
use crate::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use numberdesk_domain::metadata;
use serde_json::Value;
use uuid::Uuid;

/// The columns of [`EventRow`].
pub(crate) const EVENT_COLUMNS: &str = "position, aggregate_id, sequence, event_type, event_version, payload, metadata, organization_id, recorded_at";

/// One row of `events`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    pub position: i64,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub organization_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

impl EventRow {
    pub fn into_recorded(self) -> Result<RecordedEvent, StoreError> {
        let request_id = Uuid::parse_str(&self.aggregate_id).map_err(|err| {
            StoreError::Internal(
                format!("event {} has a non-UUID aggregate id: {err}", self.position).into(),
            )
        })?;
        let meta = |key: &str| {
            self.metadata
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let occurred_at = meta(metadata::OCCURRED_AT)
            .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
            .map_or(self.recorded_at, |t| t.with_timezone(&Utc));
        Ok(RecordedEvent {
            position: self.position,
            request_id,
            organization_id: self.organization_id.unwrap_or_default(),
            sequence: self.sequence,
            actor: meta(metadata::ACTOR).unwrap_or_default(),
            correlation_id: meta(metadata::CORRELATION_ID),
            causation_id: meta(metadata::CAUSATION_ID),
            request_http_id: meta(metadata::REQUEST_ID),
            occurred_at,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
        })
    }
}

/// The columns of the `number_requests` view ([`NumberRequestView`]), in
/// upsert order.
pub(crate) const VIEW_COLUMNS: [&str; 34] = [
    "id",
    "uuid",
    "organization_id",
    "account_id",
    "country",
    "number_type",
    "use_case",
    "status",
    "requested_area",
    "company_name",
    "vat_number",
    "address",
    "website",
    "contact_name",
    "contact_email",
    "assigned_to",
    "ops_notes",
    "provisioned_number_id",
    "quantity",
    "range_size",
    "area_code",
    "city",
    "region",
    "comment",
    "callback_url",
    "attempt",
    "carrier_order_id",
    "ordered_numbers",
    "provisioned_numbers",
    "failed_numbers",
    "reason",
    "created_at",
    "updated_at",
    "version",
];

/// The values of a view row for [`VIEW_COLUMNS`], in that order.
pub(crate) fn view_values(v: &NumberRequestView) -> [Param; VIEW_COLUMNS.len()] {
    [
        v.id.into(),
        v.uuid.into(),
        v.organization_id.into(),
        v.account_id.into(),
        (&v.country).into(),
        (&v.number_type).into(),
        (&v.use_case).into(),
        v.status.as_str().into(),
        (&v.requested_area).into(),
        (&v.company_name).into(),
        (&v.vat_number).into(),
        (&v.address).into(),
        (&v.website).into(),
        (&v.contact_name).into(),
        (&v.contact_email).into(),
        (&v.assigned_to).into(),
        (&v.ops_notes).into(),
        v.provisioned_number_id.into(),
        v.quantity.into(),
        v.range_size.into(),
        (&v.area_code).into(),
        (&v.city).into(),
        (&v.region).into(),
        (&v.comment).into(),
        (&v.callback_url).into(),
        v.attempt.into(),
        (&v.carrier_order_id).into(),
        json(&v.ordered_numbers),
        json(&v.provisioned_numbers),
        json(&v.failed_numbers),
        (&v.reason).into(),
        v.created_at.into(),
        v.updated_at.into(),
        v.version.into(),
    ]
}

fn json(numbers: &[String]) -> Param {
    Param::Json(Value::from(numbers.to_vec()))
}

/// A stored request status, decoded into [`numberdesk_domain::RequestStatus`]
/// by the view's `FromRow` (a bad one is a decode error, never a panic).
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct StatusText(String);

impl TryFrom<StatusText> for numberdesk_domain::RequestStatus {
    type Error = numberdesk_domain::values::InvalidValue;
    fn try_from(text: StatusText) -> Result<Self, Self::Error> {
        text.0.parse()
    }
}

/// The columns of `phone_numbers`.
pub(crate) const PHONE_COLUMNS: &str = "id, phone_number, organization_id, account_id, request_id, request_number, carrier_order_id, status, provisioned_at";

/// The text form of `occurred_at` in the metadata (RFC 3339, UTC,
/// milliseconds): fixed width, so comparing text compares instants.
/// `round_up` rounds sub-millisecond instants up (for inclusive lower bounds).
pub(crate) fn occurred_at_text(at: DateTime<Utc>, round_up: bool) -> String {
    let millis = at.timestamp_millis();
    let exact = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or(at);
    let rounded = if round_up && exact < at {
        DateTime::<Utc>::from_timestamp_millis(millis.saturating_add(1)).unwrap_or(at)
    } else {
        exact
    };
    rounded.to_rfc3339_opts(SecondsFormat::Millis, true)
}
