use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// A deliverable-looking e-mail address: RFC 5322 syntax (checked by the
/// `email_address` crate) and a domain with a dot, because `a@b` passes the
/// RFC but no customer can be reached there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The RFC 5321 limit on a forward path.
    pub const MAX_CHARS: usize = 254;

    /// Trims and validates.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = super::text::trimmed_within(input, Self::MAX_CHARS)?;
        let parsed = email_address::EmailAddress::parse_with_options(
            trimmed,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .map_err(|err| InvalidValue::new(format!("is not a valid e-mail address: {err}")))?;
        let domain = parsed.domain();
        let tld = domain.rsplit('.').next().unwrap_or_default();
        if !domain.contains('.') || tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(InvalidValue::new(
                "is not a valid e-mail address: the domain needs a top-level domain such as .com",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
