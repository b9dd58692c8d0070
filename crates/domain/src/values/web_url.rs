use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// An absolute `http` or `https` URL with a host and no embedded credentials.
///
/// Used for company websites and callback URLs: `javascript:`, `file:` and
/// similar schemes are refused because we render and call these addresses.
/// Whether a callback host may be private is a delivery policy, not checked here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    /// Long enough for real callback URLs with tokens, short enough to index.
    pub const MAX_CHARS: usize = 2048;

    /// Trims and validates with the WHATWG URL parser (`url` crate).
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = super::text::trimmed_within(input, Self::MAX_CHARS)?;
        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(InvalidValue::new(
                "must not contain spaces or control characters",
            ));
        }
        let url = url::Url::parse(trimmed)
            .map_err(|err| InvalidValue::new(format!("is not a valid URL: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(InvalidValue::new(format!(
                "must use http or https, not \"{}\"",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(InvalidValue::new("must name a host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidValue::new(
                "must not contain a user name or password",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The URL as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebUrl {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WebUrl> for String {
    fn from(value: WebUrl) -> Self {
        value.0
    }
}

impl std::fmt::Display for WebUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
