use super::{OrderStatus, PhoneNumberType, RegulatoryRequirementWithValue, RequirementsStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema `NumberOrderPhoneNumber`: what `GET /number_order_phone_numbers`
/// and `GET /number_order_phone_numbers/{id}` return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberOrderPhoneNumber {
    /// Telnyx id of the number within its order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `number_order_phone_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// The number in E.164 form.
    #[serde(default)]
    pub phone_number: String,
    /// Its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_type: Option<PhoneNumberType>,
    /// Its country (ISO alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Its city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// The order it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_request_id: Option<String>,
    /// The sub-order it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_number_order_id: Option<String>,
    /// Regulatory bundle used (may be JSON null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// Deadline for the requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// True when the number is part of a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_block_number: Option<bool>,
    /// The number's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// True when its requirements are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_met: Option<bool>,
    /// Review state of its requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_status: Option<RequirementsStatus>,
    /// Its requirements and the values given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regulatory_requirements: Vec<RegulatoryRequirementWithValue>,
}
