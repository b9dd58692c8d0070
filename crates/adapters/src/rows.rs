//! Row shapes shared by both backends: what is read from and written to the
//! `events`, `number_requests` and `phone_numbers` tables.

use crate::model::{NumberRequestView, RecordedEvent};
use crate::sql::Param;
use crate::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use numberdesk_domain::metadata;
use serde_json::Value;
use uuid::Uuid;

/// The columns of [`EventRow`].
pub(crate) const EVENT_COLUMNS: &str = "position, aggregate_id, sequence, event_type, event_version, payload, metadata, organization_id, recorded_at";

/// Metadata key of the owning organisation, added to every event so the audit
/// feed can filter by tenant through an index (the `organization_id` column
/// is generated from it).
pub const ORGANIZATION_ID: &str = "organization_id";

/// The metadata key of the id a `Provisioned` event gives its number (drawn
/// with the command, in its transaction: `Dialect::next_phone_number_id`).
/// Events written before it existed have none; their number's id is their
/// position.
pub(crate) const PHONE_NUMBER_ID: &str = "phone_number_id";

/// The event type whose number gets an id drawn with it, and that puts a
/// request's rows into `phone_numbers`.
pub(crate) const PROVISIONED: &str = "Provisioned";

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
            phone_number_id: meta(PHONE_NUMBER_ID).and_then(|id| id.parse().ok()),
            occurred_at,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
        })
    }
}

/// The columns of the `number_requests` view ([`NumberRequestView`]), in
/// upsert order.
pub(crate) const VIEW_COLUMNS: &[&str] = NumberRequestView::COLUMNS;

/// The values of a view row for [`VIEW_COLUMNS`], in that order.
pub(crate) fn view_values(v: &NumberRequestView) -> [Param; VIEW_COLUMNS.len()] {
    v.values()
}

/// The columns of `phone_numbers`.
pub(crate) const PHONE_COLUMNS: &str = "id, phone_number, organization_id, account_id, request_id, request_number, carrier_order_id, status, provisioned_at";

/// The text form of `occurred_at` in the metadata (RFC 3339, UTC,
/// milliseconds): fixed width, so comparing text compares instants.
/// `round_up` rounds sub-millisecond instants up (for inclusive lower bounds
/// and exclusive upper bounds).
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
