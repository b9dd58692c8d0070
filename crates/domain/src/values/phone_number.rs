use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// A valid phone number in E.164 form (`+31201234567`).
///
/// Checked with libphonenumber's metadata (the `phonenumber` crate), so a
/// number that cannot exist in its country is refused, not just a bad shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number that must already be in E.164 form.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = input.trim();
        let digits = trimmed.strip_prefix('+').ok_or_else(|| {
            InvalidValue::new("must be in E.164 form, starting with + and the country code")
        })?;
        if digits.len() < 2 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(
                "must be in E.164 form: + followed by 2 to 15 digits",
            ));
        }
        let parsed = phonenumber::parse(None, trimmed)
            .map_err(|err| InvalidValue::new(format!("is not a phone number: {err}")))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(InvalidValue::new("is not a valid number in its country"));
        }
        Ok(Self(
            parsed.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
