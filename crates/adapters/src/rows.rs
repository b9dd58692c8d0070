//! Row shapes shared by both backends: what is read from and written to the
//! `events`, `number_requests` and `phone_numbers` tables.

use crate::model::{NumberRequestView, RecordedEvent};
use crate::store::Param;
use crate::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use numberdesk_domain::metadata;
use serde_json::Value;
use sqlx::types::Json;
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

/// The columns of [`ViewRow`], in upsert order.
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

/// One row of `number_requests`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ViewRow {
    pub id: i64,
    pub uuid: Uuid,
    pub organization_id: i64,
    pub account_id: Uuid,
    pub country: String,
    pub number_type: String,
    pub use_case: String,
    pub status: String,
    pub requested_area: Option<String>,
    pub company_name: Option<String>,
    pub vat_number: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub assigned_to: Option<String>,
    pub ops_notes: Option<String>,
    pub provisioned_number_id: Option<i64>,
    pub quantity: i64,
    pub range_size: Option<i64>,
    pub area_code: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub comment: Option<String>,
    pub callback_url: Option<String>,
    pub attempt: i64,
    pub carrier_order_id: Option<String>,
    pub ordered_numbers: Json<Vec<String>>,
    pub provisioned_numbers: Json<Vec<String>>,
    pub failed_numbers: Json<Vec<String>>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ViewRow {
    pub fn into_view(self) -> Result<NumberRequestView, StoreError> {
        let status = self.status.parse().map_err(|err| {
            StoreError::Internal(format!("request {} has a bad status: {err}", self.id).into())
        })?;
        Ok(NumberRequestView {
            id: self.id,
            uuid: self.uuid,
            organization_id: self.organization_id,
            account_id: self.account_id,
            country: self.country,
            number_type: self.number_type,
            use_case: self.use_case,
            status,
            requested_area: self.requested_area,
            company_name: self.company_name,
            vat_number: self.vat_number,
            address: self.address,
            website: self.website,
            contact_name: self.contact_name,
            contact_email: self.contact_email,
            assigned_to: self.assigned_to,
            ops_notes: self.ops_notes,
            provisioned_number_id: self.provisioned_number_id,
            quantity: self.quantity,
            range_size: self.range_size,
            area_code: self.area_code,
            city: self.city,
            region: self.region,
            comment: self.comment,
            callback_url: self.callback_url,
            attempt: self.attempt,
            carrier_order_id: self.carrier_order_id,
            ordered_numbers: self.ordered_numbers.0,
            provisioned_numbers: self.provisioned_numbers.0,
            failed_numbers: self.failed_numbers.0,
            reason: self.reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
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
