use super::InvalidValue;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The kind of number asked for, spelled as the carrier (Telnyx) spells it so
/// a request can be searched and ordered without translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberType {
    /// A geographic number tied to an area.
    Local,
    /// A mobile number.
    Mobile,
    /// A non-geographic national number.
    National,
    /// A freephone number paid by the receiver.
    TollFree,
    /// A number whose call cost is shared between caller and receiver.
    SharedCost,
}

impl NumberType {
    /// Every type, for error messages and API schemas.
    pub const ALL: [NumberType; 5] = [
        NumberType::Local,
        NumberType::Mobile,
        NumberType::National,
        NumberType::TollFree,
        NumberType::SharedCost,
    ];

    /// The snake_case wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            NumberType::Local => "local",
            NumberType::Mobile => "mobile",
            NumberType::National => "national",
            NumberType::TollFree => "toll_free",
            NumberType::SharedCost => "shared_cost",
        }
    }
}

impl FromStr for NumberType {
    type Err = InvalidValue;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let wanted = input.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(NumberType::as_str).collect();
                InvalidValue::new(format!("must be one of: {}", allowed.join(", ")))
            })
    }
}

impl std::fmt::Display for NumberType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
