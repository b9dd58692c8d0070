use serde::{Deserialize, Serialize};

/// The `{ "data": ... }` wrapper of every single-object response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataEnvelope<T> {
    /// The object.
    pub data: T,
}

/// The `{ "data": [...], "meta": ... }` wrapper of list responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEnvelope<T> {
    /// The objects of this page.
    #[serde(default)]
    pub data: Vec<T>,
    /// Paging information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<PaginationMeta>,
}

/// Schema `PaginationMeta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaginationMeta {
    /// The page returned (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<i64>,
    /// Items per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i64>,
    /// Number of pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<i64>,
    /// Number of items over all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<i64>,
}

/// A value of a list the spec leaves open (`type: string`, examples only):
/// one this client knows, or the text as received. Kept either way, never
/// a parse failure, and never mistaken for a known value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Open<T> {
    /// A value this client knows.
    Known(T),
    /// Any other value, as received.
    Other(String),
}

/// Telnyx's phone number types (`phone_number_type`). `landline` only
/// appears on order responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneNumberType {
    /// Geographic number.
    Local,
    /// Freephone.
    TollFree,
    /// Mobile.
    Mobile,
    /// Non-geographic national number.
    National,
    /// Shared-cost number.
    SharedCost,
    /// Landline (order responses only).
    Landline,
    /// A value this client does not know yet.
    #[serde(other)]
    Unknown,
}

impl PhoneNumberType {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            PhoneNumberType::Local => "local",
            PhoneNumberType::TollFree => "toll_free",
            PhoneNumberType::Mobile => "mobile",
            PhoneNumberType::National => "national",
            PhoneNumberType::SharedCost => "shared_cost",
            PhoneNumberType::Landline => "landline",
            PhoneNumberType::Unknown => "unknown",
        }
    }
}

impl From<numberdesk_domain::values::NumberType> for PhoneNumberType {
    fn from(value: numberdesk_domain::values::NumberType) -> Self {
        use numberdesk_domain::values::NumberType;
        match value {
            NumberType::Local => PhoneNumberType::Local,
            NumberType::Mobile => PhoneNumberType::Mobile,
            NumberType::National => PhoneNumberType::National,
            NumberType::TollFree => PhoneNumberType::TollFree,
            NumberType::SharedCost => PhoneNumberType::SharedCost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Open;
    use crate::types::RequirementFieldType;

    #[test]
    fn an_open_list_keeps_values_it_does_not_know() {
        let known: Open<RequirementFieldType> = serde_json::from_str("\"textual\"").expect("known");
        assert_eq!(known, Open::Known(RequirementFieldType::Textual));
        let other: Open<RequirementFieldType> =
            serde_json::from_str("\"biometric\"").expect("kept");
        assert_eq!(other, Open::Other("biometric".to_owned()));
        assert_eq!(
            serde_json::to_string(&other).expect("written back"),
            "\"biometric\""
        );
    }
}
