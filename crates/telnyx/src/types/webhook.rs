use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema `NumberOrderWebhookEvent`: the body Telnyx posts to our webhook.
/// The payload is kept as raw JSON here because unknown event types may
/// carry anything; [`crate::webhook`] types it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The event.
    pub data: WebhookEventData,
    /// Delivery information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<WebhookDeliveryMeta>,
}

/// `NumberOrderWebhookEvent.data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEventData {
    /// Event id (a UUID): deduplicate on it.
    pub id: String,
    /// `number_order.complete`, or a type this client does not know.
    pub event_type: String,
    /// When the event happened at Telnyx.
    pub occurred_at: DateTime<Utc>,
    /// Always `event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// The event's object; a number order for number order events.
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// `NumberOrderWebhookEvent.meta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryMeta {
    /// Delivery attempt, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<i64>,
    /// The URL it was delivered to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_to: Option<String>,
}
