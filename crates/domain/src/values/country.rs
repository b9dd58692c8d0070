use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// An ISO 3166-1 alpha-2 country code of a country that exists ("NL", "US").
///
/// Upper case only, as the REST contract and the carrier spell it: a lowercase
/// code is refused rather than guessed, so stored data has one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Trims and validates against the ISO 3166-1 list.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim();
        let bytes = code.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(InvalidValue::new(
                "must be an ISO 3166-1 alpha-2 country code such as \"NL\"",
            ));
        }
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(InvalidValue::new(format!(
                "must be upper case: \"{}\"",
                code.to_ascii_uppercase()
            )));
        }
        if celes::Country::from_alpha2(code).is_err() {
            return Err(InvalidValue::new(format!(
                "\"{code}\" is not an ISO 3166-1 country"
            )));
        }
        Ok(Self([bytes[0], bytes[1]]))
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
