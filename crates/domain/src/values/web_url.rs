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
        if let Some(bad) = trimmed.chars().find(|c| {
            c.is_whitespace()
                || super::text::is_forbidden(*c, false)
                || super::text::is_invisible(*c)
        }) {
            return Err(InvalidValue::new(format!(
                "must not contain spaces, control, invisible or direction-override characters (found U+{:04X})",
                bad as u32
            )));
        }
        // The parser reads `https:///path` and `https:acme.example` as
        // having a host; a URL must spell its host after `//`.
        let authority = trimmed
            .split_once("://")
            .map(|(_, rest)| rest)
            .filter(|rest| !rest.starts_with(['/', '\\']) && !rest.is_empty());
        if authority.is_none() {
            return Err(InvalidValue::new(
                "must name a host after the scheme (https://host/...)",
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

    /// The host when it is an IP address, in any of the forms the URL
    /// standard accepts (`127.0.0.1`, `0x7f000001`, `2130706433`, `[::1]`).
    pub fn host_ip(&self) -> Option<std::net::IpAddr> {
        match url::Url::parse(&self.0).ok()?.host()? {
            url::Host::Ipv4(ip) => Some(ip.into()),
            url::Host::Ipv6(ip) => Some(ip.into()),
            url::Host::Domain(_) => None,
        }
    }

    /// The host when it is a domain name, lower-case, without a trailing dot.
    pub fn host_name(&self) -> Option<String> {
        match url::Url::parse(&self.0).ok()?.host()? {
            url::Host::Domain(name) => Some(name.trim_end_matches('.').to_ascii_lowercase()),
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use super::WebUrl;

    #[test]
    fn a_host_is_required_and_urls_follow_the_text_rules() {
        for bad in [
            "https:///path",
            "https:acme.example",
            "http:\\\\acme.example",
            "https://acme.example/\u{202e}",
            "https://acme.example/\u{200b}",
            "https://acme.example/\u{2066}x",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(WebUrl::parse("https://acme.example/path?q=1").is_ok());
    }

    #[test]
    fn ip_hosts_are_read_in_every_form() {
        for form in [
            "http://127.0.0.1/",
            "http://0x7f000001/",
            "http://2130706433/",
        ] {
            let url = WebUrl::parse(form).expect("a URL");
            assert_eq!(url.host_ip(), Some([127, 0, 0, 1].into()), "{form}");
        }
        let url = WebUrl::parse("http://[::1]:8080/").expect("a URL");
        assert_eq!(url.host_ip(), Some(std::net::Ipv6Addr::LOCALHOST.into()));
        let url = WebUrl::parse("https://LocalHost./x").expect("a URL");
        assert_eq!(url.host_name().as_deref(), Some("localhost"));
    }
}
