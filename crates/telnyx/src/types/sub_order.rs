use super::{Open, OrderStatus, PhoneNumberType, RequirementFieldType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema `SubNumberOrderRegulatoryRequirement`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubNumberOrderRegulatoryRequirement {
    /// The requirement's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement_id: Option<String>,
    /// What kind of value it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<Open<RequirementFieldType>>,
    /// Always `phone_number_regulatory_requirement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
}

/// Schema `SubNumberOrder`: the part of an order for one country and number
/// type (`GET /sub_number_orders/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubNumberOrder {
    /// The sub-order's id.
    #[serde(default)]
    pub id: String,
    /// Always `sub_number_order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// The order it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_request_id: Option<String>,
    /// Its country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Its number type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_type: Option<PhoneNumberType>,
    /// How many numbers it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers_count: Option<i64>,
    /// Its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// True when every requirement is met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_met: Option<bool>,
    /// The requirements to fulfil.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regulatory_requirements: Vec<SubNumberOrderRegulatoryRequirement>,
    /// True for a block sub-order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_block_sub_number_order: Option<bool>,
    /// Our reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
    /// The owning user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}
