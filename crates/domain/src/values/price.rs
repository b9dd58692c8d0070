//! What a number costs at the carrier: decimal amounts and a currency.

use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// A non-negative decimal amount as the carrier quotes it (`"1.00"`): kept as
/// text so no precision is lost; at most 12 integer and 6 fraction digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Amount(String);

impl Amount {
    /// Parses a decimal such as `1`, `0.5` or `12.3400`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = input.trim();
        let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(InvalidValue::new(
                "must be a non-negative decimal number such as 1.00",
            ));
        }
        if trimmed.ends_with('.') || whole.len() > 12 || fraction.len() > 6 {
            return Err(InvalidValue::new(
                "must have at most 12 integer and 6 fraction digits",
            ));
        }
        Ok(Amount(trimmed.to_owned()))
    }

    /// The amount as quoted.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Amount {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Amount::parse(&value)
    }
}

impl From<Amount> for String {
    fn from(value: Amount) -> Self {
        value.0
    }
}

/// An ISO 4217 currency code: three ASCII letters, stored upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Parses `USD`, `eur`, ...
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = input.trim();
        if trimmed.len() != 3 || !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(InvalidValue::new(
                "must be a three-letter ISO 4217 code such as USD",
            ));
        }
        Ok(Currency(trimmed.to_ascii_uppercase()))
    }

    /// The code, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.0
    }
}

/// The carrier's price of one number: monthly and one-off, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Charged every month while the number is held.
    pub monthly_cost: Amount,
    /// Charged once, when the number is bought.
    pub upfront_cost: Amount,
    /// The currency of both amounts.
    pub currency: Currency,
}

impl Price {
    /// A price from the carrier's three strings; `None` when any is missing
    /// or malformed (a number without a usable price is still orderable).
    pub fn from_parts(
        monthly_cost: Option<&str>,
        upfront_cost: Option<&str>,
        currency: Option<&str>,
    ) -> Option<Self> {
        Some(Price {
            monthly_cost: Amount::parse(monthly_cost?).ok()?,
            upfront_cost: Amount::parse(upfront_cost?).ok()?,
            currency: Currency::parse(currency?).ok()?,
        })
    }
}

/// The price of one ordered (or offered) number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberPrice {
    /// The number.
    pub phone_number: super::PhoneNumber,
    /// What it costs.
    pub price: Price,
}
