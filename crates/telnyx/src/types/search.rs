use super::PhoneNumberType;
use serde::{Deserialize, Serialize};

/// A feature a number can have (`filter[features]` items and `Feature.name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberFeature {
    /// SMS.
    Sms,
    /// MMS.
    Mms,
    /// Voice calls.
    Voice,
    /// Fax.
    Fax,
    /// Emergency calling.
    Emergency,
    /// HD voice.
    HdVoice,
    /// International SMS.
    InternationalSms,
    /// Local calling.
    LocalCalling,
}

impl NumberFeature {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            NumberFeature::Sms => "sms",
            NumberFeature::Mms => "mms",
            NumberFeature::Voice => "voice",
            NumberFeature::Fax => "fax",
            NumberFeature::Emergency => "emergency",
            NumberFeature::HdVoice => "hd_voice",
            NumberFeature::InternationalSms => "international_sms",
            NumberFeature::LocalCalling => "local_calling",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(input: &str) -> Option<Self> {
        [
            NumberFeature::Sms,
            NumberFeature::Mms,
            NumberFeature::Voice,
            NumberFeature::Fax,
            NumberFeature::Emergency,
            NumberFeature::HdVoice,
            NumberFeature::InternationalSms,
            NumberFeature::LocalCalling,
        ]
        .into_iter()
        .find(|f| f.as_str() == input)
    }
}

/// The `filter[...]` query of `GET /available_phone_numbers` (deepObject
/// style), limited to the filters numberdesk uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AvailablePhoneNumbersQuery {
    /// `filter[country_code]`: ISO alpha-2 country.
    pub country_code: Option<String>,
    /// `filter[phone_number_type]`.
    pub phone_number_type: Option<PhoneNumberType>,
    /// `filter[locality]`: city.
    pub locality: Option<String>,
    /// `filter[administrative_area]`: US state / CA province.
    pub administrative_area: Option<String>,
    /// `filter[national_destination_code]`: area code.
    pub national_destination_code: Option<String>,
    /// `filter[features]`: every feature the numbers must have.
    pub features: Vec<NumberFeature>,
    /// `filter[limit]`: most results wanted.
    pub limit: Option<u32>,
    /// `filter[best_effort]`: include near matches (US/CA only).
    pub best_effort: Option<bool>,
}

impl AvailablePhoneNumbersQuery {
    /// The query pairs as sent on the wire; features go as repeated
    /// `filter[features][]` entries.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |key: &str, value: String| pairs.push((format!("filter[{key}]"), value));
        if let Some(v) = &self.country_code {
            push("country_code", v.clone());
        }
        if let Some(v) = &self.phone_number_type {
            push("phone_number_type", v.as_str().to_owned());
        }
        if let Some(v) = &self.locality {
            push("locality", v.clone());
        }
        if let Some(v) = &self.administrative_area {
            push("administrative_area", v.clone());
        }
        if let Some(v) = &self.national_destination_code {
            push("national_destination_code", v.clone());
        }
        for feature in &self.features {
            push("features][", feature.as_str().to_owned());
        }
        if let Some(v) = self.limit {
            push("limit", v.to_string());
        }
        if let Some(v) = self.best_effort {
            push("best_effort", v.to_string());
        }
        pairs
    }

    /// Reads the query back from decoded pairs (used by test servers);
    /// unknown keys and unparsable values are ignored.
    pub fn from_query_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            match key {
                "filter[country_code]" => query.country_code = Some(value.to_owned()),
                "filter[phone_number_type]" => {
                    query.phone_number_type =
                        serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
                }
                "filter[locality]" => query.locality = Some(value.to_owned()),
                "filter[administrative_area]" => query.administrative_area = Some(value.to_owned()),
                "filter[national_destination_code]" => {
                    query.national_destination_code = Some(value.to_owned())
                }
                "filter[features][]" | "filter[features]" => query
                    .features
                    .extend(value.split(',').filter_map(NumberFeature::parse)),
                "filter[limit]" => query.limit = value.parse().ok(),
                "filter[best_effort]" => query.best_effort = value.parse().ok(),
                _ => {}
            }
        }
        query
    }
}

/// Schema `AvailablePhoneNumber`: one search result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AvailablePhoneNumber {
    /// The number in E.164 form.
    #[serde(default)]
    pub phone_number: String,
    /// Always `available_phone_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// Vanity spelling, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vanity_format: Option<String>,
    /// True when the number is a near match, not an exact one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_effort: Option<bool>,
    /// True when the number works right after purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quickship: Option<bool>,
    /// True when the number can be reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservable: Option<bool>,
    /// The number's features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// Prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_information: Option<CostInformation>,
    /// Where the number belongs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_information: Vec<RegionInformation>,
}

/// Schema `Feature`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// Feature name (`sms`, `voice`, ...); kept as text because Telnyx adds
    /// names over time.
    #[serde(default)]
    pub name: String,
}

/// Schema `CostInformation`: decimal strings, as Telnyx sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostInformation {
    /// ISO 4217 currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Monthly price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_cost: Option<String>,
    /// One-off price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upfront_cost: Option<String>,
}

/// Schema `RegionInformation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInformation {
    /// `country_code`, `rate_center`, `state` or `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_type: Option<String>,
    /// The region's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
}

/// Schema `AvailablePhoneNumbersMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailablePhoneNumbersMetadata {
    /// Results in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<i64>,
    /// Of which near matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_effort_results: Option<i64>,
}

/// The 200 body of `GET /available_phone_numbers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AvailablePhoneNumbersResponse {
    /// The numbers found.
    #[serde(default)]
    pub data: Vec<AvailablePhoneNumber>,
    /// Counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<AvailablePhoneNumbersMetadata>,
    /// The same counts under their older name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<AvailablePhoneNumbersMetadata>,
}
