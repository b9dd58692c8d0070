use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// How many numbers one request asks for: 1 to 1000, the carrier's limit for
/// one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u16")]
pub struct Quantity(u16);

impl Quantity {
    /// The most numbers one request (and one carrier order) may hold.
    pub const MAX: u16 = 1000;

    /// Validates the range.
    pub fn new(value: i64) -> Result<Self, InvalidValue> {
        if (1..=i64::from(Self::MAX)).contains(&value) {
            Ok(Self(value as u16))
        } else {
            Err(InvalidValue::new(format!(
                "must be between 1 and {} (got {value})",
                Self::MAX
            )))
        }
    }

    /// The count.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Self(1)
    }
}

impl TryFrom<i64> for Quantity {
    type Error = InvalidValue;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Quantity> for u16 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

/// The size of each block of consecutive numbers, when ranges are asked for:
/// 2 to 1000 (a range of one is just a number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u16")]
pub struct RangeSize(u16);

impl RangeSize {
    /// Validates the range.
    pub fn new(value: i64) -> Result<Self, InvalidValue> {
        if (2..=i64::from(Quantity::MAX)).contains(&value) {
            Ok(Self(value as u16))
        } else {
            Err(InvalidValue::new(format!(
                "must be between 2 and {} (got {value})",
                Quantity::MAX
            )))
        }
    }

    /// The block size.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<i64> for RangeSize {
    type Error = InvalidValue;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<RangeSize> for u16 {
    fn from(value: RangeSize) -> Self {
        value.0
    }
}
