use super::{Open, PhoneNumberType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema `CreateNumberOrderRequest`: the body of `POST /number_orders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNumberOrderRequest {
    /// The numbers to buy, each from a search result (at most 1000).
    pub phone_numbers: Vec<NewOrderPhoneNumber>,
    /// Voice connection the numbers are assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Messaging profile the numbers are assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_profile_id: Option<String>,
    /// Billing group the numbers are charged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_group_id: Option<String>,
    /// Our reference, used to find the order again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
}

/// One entry of `CreateNumberOrderRequest.phone_numbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrderPhoneNumber {
    /// The number in E.164 form.
    pub phone_number: String,
    /// Regulatory bundle to associate the number to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// Requirement group that satisfies the number's requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement_group_id: Option<String>,
}

/// Status of an order, a sub-order or one number in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Being worked.
    Pending,
    /// Done.
    Success,
    /// Refused.
    Failure,
    /// A value this client does not know (treated as still pending).
    #[serde(other)]
    Unknown,
}

/// `requirements_status` of a number in an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementsStatus {
    /// Not reviewed yet.
    Pending,
    /// Approved.
    Approved,
    /// Cancelled.
    Cancelled,
    /// Deleted.
    Deleted,
    /// Telnyx found a problem with the requirement information.
    RequirementInfoException,
    /// Requirement information still missing.
    RequirementInfoPending,
    /// Requirement information under review.
    RequirementInfoUnderReview,
    /// A value this client does not know yet.
    #[serde(other)]
    Unknown,
}

impl RequirementsStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            RequirementsStatus::Pending => "pending",
            RequirementsStatus::Approved => "approved",
            RequirementsStatus::Cancelled => "cancelled",
            RequirementsStatus::Deleted => "deleted",
            RequirementsStatus::RequirementInfoException => "requirement-info-exception",
            RequirementsStatus::RequirementInfoPending => "requirement-info-pending",
            RequirementsStatus::RequirementInfoUnderReview => "requirement-info-under-review",
            RequirementsStatus::Unknown => "unknown",
        }
    }
}

/// `field_type` of a regulatory requirement: the values the spec names.
/// Where the spec leaves the list open (sub-orders), the field is an
/// [`Open`]`<RequirementFieldType>`, so any other value is kept as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementFieldType {
    /// Free text.
    Textual,
    /// A date-time.
    Datetime,
    /// An address resource id.
    Address,
    /// A document resource id.
    Document,
}

/// Schema `SubNumberOrderRegulatoryRequirementWithValue`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatoryRequirementWithValue {
    /// The requirement's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement_id: Option<String>,
    /// What kind of value it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<Open<RequirementFieldType>>,
    /// The value given (text, or a resource id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_value: Option<String>,
    /// Always `phone_number_regulatory_requirement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
}

/// Schema `PhoneNumber`: one number of `NumberOrderWithPhoneNumbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPhoneNumber {
    /// Telnyx id of the number within the order.
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
    /// Its country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Its country as ISO alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_iso_alpha2: Option<String>,
    /// Regulatory bundle used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// The number's own status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// True when all its requirements are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_met: Option<bool>,
    /// Review state of its requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_status: Option<RequirementsStatus>,
    /// Its requirements and the values given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regulatory_requirements: Vec<RegulatoryRequirementWithValue>,
}

/// Schema `NumberOrderWithPhoneNumbers`: what `POST /number_orders`,
/// `GET /number_orders/{id}` and the order webhook return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberOrderWithPhoneNumbers {
    /// Telnyx's order id (a UUID).
    #[serde(default)]
    pub id: String,
    /// Always `number_order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// Overall status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// How many numbers the order holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers_count: Option<i64>,
    /// True when every number's requirements are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_met: Option<bool>,
    /// The sub-orders Telnyx split the order into.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_number_orders_ids: Vec<String>,
    /// Our reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
    /// Voice connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Messaging profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_profile_id: Option<String>,
    /// Billing group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_group_id: Option<String>,
    /// The numbers with their statuses.
    #[serde(default)]
    pub phone_numbers: Vec<OrderPhoneNumber>,
    /// When the order was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// Schema `PhoneNumbersJobPhoneNumber`: a number in a listed order (no status).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumbersJobPhoneNumber {
    /// The number's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The number in E.164 form.
    #[serde(default)]
    pub phone_number: String,
}

/// Schema `NumberOrder`: an item of `GET /number_orders`. Its numbers carry
/// no status; read the order by id for that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberOrder {
    /// Telnyx's order id.
    #[serde(default)]
    pub id: String,
    /// Always `number_order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// Overall status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// How many numbers the order holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers_count: Option<i64>,
    /// True when every number's requirements are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements_met: Option<bool>,
    /// The sub-orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_number_orders_ids: Vec<String>,
    /// Our reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
    /// Voice connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Messaging profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_profile_id: Option<String>,
    /// Billing group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_group_id: Option<String>,
    /// The numbers (ids only).
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumbersJobPhoneNumber>,
    /// When the order was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The query of `GET /number_orders` that numberdesk uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListNumberOrdersQuery {
    /// `filter[customer_reference]`.
    pub customer_reference: Option<String>,
    /// `filter[status]`.
    pub status: Option<String>,
    /// `page[number]` (1-based).
    pub page_number: Option<u32>,
    /// `page[size]` (1–250).
    pub page_size: Option<u32>,
}

impl ListNumberOrdersQuery {
    /// The query pairs as sent on the wire.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.customer_reference {
            pairs.push(("filter[customer_reference]".to_owned(), v.clone()));
        }
        if let Some(v) = &self.status {
            pairs.push(("filter[status]".to_owned(), v.clone()));
        }
        if let Some(v) = self.page_number {
            pairs.push(("page[number]".to_owned(), v.to_string()));
        }
        if let Some(v) = self.page_size {
            pairs.push(("page[size]".to_owned(), v.to_string()));
        }
        pairs
    }

    /// Reads the query back from decoded pairs (used by test servers).
    pub fn from_query_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            match key {
                "filter[customer_reference]" => query.customer_reference = Some(value.to_owned()),
                "filter[status]" => query.status = Some(value.to_owned()),
                "page[number]" => query.page_number = value.parse().ok(),
                "page[size]" => query.page_size = value.parse().ok(),
                _ => {}
            }
        }
        query
    }
}
