//! Settings of the Telnyx client and provider, read from the environment.

use crate::retry::RetryPolicy;
use base64::Engine;
use numberdesk_domain::values::CountryCode;
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

/// Telnyx's production API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.telnyx.com/v2";

/// A Telnyx API key. Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; a blank one is refused.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let key = key.into().trim().to_owned();
        if key.is_empty() {
            return Err(ConfigError::Invalid {
                name: "TELNYX_API_KEY",
                reason: "must not be blank".to_owned(),
            });
        }
        Ok(Self(key))
    }

    /// The key itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// A setting that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The value of a setting cannot be used.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The environment variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

/// How the HTTP client reaches Telnyx.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bearer API key.
    pub api_key: ApiKey,
    /// API base URL, default [`DEFAULT_BASE_URL`]; tests point it at a fake.
    pub base_url: Url,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for one whole request (connect, send, receive).
    pub request_timeout: Duration,
    /// Retry behaviour.
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// Defaults for everything but the key: production URL, 5 s connect and
    /// 30 s request timeouts, [`RetryPolicy::default`].
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            api_key,
            base_url: default_base_url(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// Same settings with another base URL.
    pub fn with_base_url(mut self, base_url: Url) -> Self {
        self.base_url = base_url;
        self
    }
}

fn default_base_url() -> Url {
    // A constant, checked by the `default_base_url_parses` test.
    Url::parse(DEFAULT_BASE_URL).expect("DEFAULT_BASE_URL is a valid URL")
}

/// Everything the Telnyx provider needs: the client settings and what each
/// order is placed with.
#[derive(Debug, Clone)]
pub struct TelnyxConfig {
    /// How to reach Telnyx.
    pub client: ClientConfig,
    /// `connection_id` for ordered numbers (voice connection), if any.
    pub connection_id: Option<String>,
    /// `messaging_profile_id` for ordered numbers, if any.
    pub messaging_profile_id: Option<String>,
    /// `billing_group_id` for ordered numbers, if any.
    pub billing_group_id: Option<String>,
    /// Requirement group per country (mandatory for CH, DK, IT, NO, PT, SE).
    pub requirement_groups: BTreeMap<CountryCode, String>,
    /// Regulatory bundle per country.
    pub bundles: BTreeMap<CountryCode, String>,
    /// Base64 Ed25519 public key that signs Telnyx webhooks
    /// (Mission Control → Keys & Credentials → Public Key).
    pub webhook_public_key: Option<String>,
}

impl TelnyxConfig {
    /// Settings with only the key set.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            client: ClientConfig::new(api_key),
            connection_id: None,
            messaging_profile_id: None,
            billing_group_id: None,
            requirement_groups: BTreeMap::new(),
            bundles: BTreeMap::new(),
            webhook_public_key: None,
        }
    }

    /// Reads the process environment; see [`TelnyxConfig::from_lookup`].
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (an environment):
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `TELNYX_API_KEY` | API key; unset or blank → `Ok(None)` (use the sandbox) |
    /// | `TELNYX_BASE_URL` | API base URL, default `https://api.telnyx.com/v2` |
    /// | `TELNYX_CONNECTION_ID` | voice connection for ordered numbers |
    /// | `TELNYX_MESSAGING_PROFILE_ID` | messaging profile for ordered numbers |
    /// | `TELNYX_BILLING_GROUP_ID` | billing group for ordered numbers |
    /// | `TELNYX_REQUIREMENT_GROUPS` | `IT=uuid,DE=uuid`: requirement group per country |
    /// | `TELNYX_BUNDLES` | `IT=uuid,DE=uuid`: regulatory bundle per country |
    /// | `TELNYX_WEBHOOK_PUBLIC_KEY` | base64 Ed25519 key verifying webhooks |
    /// | `TELNYX_CONNECT_TIMEOUT_SECS` | connect timeout, default 5 |
    /// | `TELNYX_REQUEST_TIMEOUT_SECS` | request timeout, default 30 |
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(key) = get("TELNYX_API_KEY") else {
            return Ok(None);
        };
        let mut config = Self::new(ApiKey::new(key)?);
        if let Some(raw) = get("TELNYX_BASE_URL") {
            config.client.base_url = parse_base_url(&raw)?;
        }
        if let Some(secs) = get("TELNYX_CONNECT_TIMEOUT_SECS") {
            config.client.connect_timeout = parse_secs("TELNYX_CONNECT_TIMEOUT_SECS", &secs)?;
        }
        if let Some(secs) = get("TELNYX_REQUEST_TIMEOUT_SECS") {
            config.client.request_timeout = parse_secs("TELNYX_REQUEST_TIMEOUT_SECS", &secs)?;
        }
        config.connection_id = get("TELNYX_CONNECTION_ID");
        config.messaging_profile_id = get("TELNYX_MESSAGING_PROFILE_ID");
        config.billing_group_id = get("TELNYX_BILLING_GROUP_ID");
        if let Some(raw) = get("TELNYX_REQUIREMENT_GROUPS") {
            config.requirement_groups = parse_country_map("TELNYX_REQUIREMENT_GROUPS", &raw)?;
        }
        if let Some(raw) = get("TELNYX_BUNDLES") {
            config.bundles = parse_country_map("TELNYX_BUNDLES", &raw)?;
        }
        if let Some(key) = get("TELNYX_WEBHOOK_PUBLIC_KEY") {
            check_public_key(&key)?;
            config.webhook_public_key = Some(key);
        }
        Ok(Some(config))
    }
}

/// Parses and checks an API base URL (http or https, can be a base).
pub fn parse_base_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: "TELNYX_BASE_URL",
        reason,
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(invalid(
            "must be an http(s) URL such as https://api.telnyx.com/v2".to_owned(),
        ));
    }
    Ok(url)
}

fn parse_secs(name: &'static str, raw: &str) -> Result<Duration, ConfigError> {
    raw.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| ConfigError::Invalid {
            name,
            reason: "must be a number of seconds between 0 and 3600".to_owned(),
        })
}

/// Parses `IT=uuid,DE=uuid` into a map keyed by country.
pub fn parse_country_map(
    name: &'static str,
    raw: &str,
) -> Result<BTreeMap<CountryCode, String>, ConfigError> {
    let mut map = BTreeMap::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (country, id) = entry.split_once('=').ok_or_else(|| ConfigError::Invalid {
            name,
            reason: format!("entry \"{entry}\" must look like IT=<id>"),
        })?;
        let country = CountryCode::parse(country).map_err(|e| ConfigError::Invalid {
            name,
            reason: format!("\"{}\" {}", country.trim(), e.reason),
        })?;
        let id = id.trim();
        if id.is_empty() {
            return Err(ConfigError::Invalid {
                name,
                reason: format!("{country} has no id"),
            });
        }
        map.insert(country, id.to_owned());
    }
    Ok(map)
}

fn check_public_key(key: &str) -> Result<(), ConfigError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|e| ConfigError::Invalid {
            name: "TELNYX_WEBHOOK_PUBLIC_KEY",
            reason: format!("not base64: {e}"),
        })?;
    if bytes.len() != 32 {
        return Err(ConfigError::Invalid {
            name: "TELNYX_WEBHOOK_PUBLIC_KEY",
            reason: format!("must decode to 32 bytes (got {})", bytes.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn default_base_url_parses() {
        assert_eq!(default_base_url().as_str(), DEFAULT_BASE_URL);
    }

    #[test]
    fn no_key_means_no_telnyx() {
        assert!(matches!(TelnyxConfig::from_lookup(env(&[])), Ok(None)));
        assert!(matches!(
            TelnyxConfig::from_lookup(env(&[("TELNYX_API_KEY", "  ")])),
            Ok(None)
        ));
    }

    #[test]
    fn reads_every_setting() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let config = TelnyxConfig::from_lookup(env(&[
            ("TELNYX_API_KEY", "KEY123"),
            ("TELNYX_BASE_URL", "http://127.0.0.1:4010/v2"),
            ("TELNYX_CONNECTION_ID", "conn-1"),
            ("TELNYX_MESSAGING_PROFILE_ID", "mp-1"),
            ("TELNYX_BILLING_GROUP_ID", "bg-1"),
            ("TELNYX_REQUIREMENT_GROUPS", "IT=rg-it, DE=rg-de"),
            ("TELNYX_BUNDLES", "NL=b-nl"),
            ("TELNYX_WEBHOOK_PUBLIC_KEY", &key),
            ("TELNYX_REQUEST_TIMEOUT_SECS", "2.5"),
        ]));
        let Ok(Some(config)) = config else {
            panic!("expected a config, got {config:?}");
        };
        assert_eq!(config.client.api_key.expose(), "KEY123");
        assert!(!format!("{config:?}").contains("KEY123"));
        assert_eq!(config.client.base_url.as_str(), "http://127.0.0.1:4010/v2");
        assert_eq!(config.client.request_timeout, Duration::from_millis(2500));
        assert_eq!(config.connection_id.as_deref(), Some("conn-1"));
        assert_eq!(config.messaging_profile_id.as_deref(), Some("mp-1"));
        assert_eq!(config.billing_group_id.as_deref(), Some("bg-1"));
        let it = CountryCode::parse("IT").ok();
        let de = CountryCode::parse("DE").ok();
        let nl = CountryCode::parse("NL").ok();
        assert_eq!(config.requirement_groups.len(), 2);
        assert_eq!(
            it.and_then(|c| config.requirement_groups.get(&c))
                .map(String::as_str),
            Some("rg-it")
        );
        assert_eq!(
            de.and_then(|c| config.requirement_groups.get(&c))
                .map(String::as_str),
            Some("rg-de")
        );
        assert_eq!(
            nl.and_then(|c| config.bundles.get(&c)).map(String::as_str),
            Some("b-nl")
        );
        assert_eq!(config.webhook_public_key.as_deref(), Some(key.as_str()));
    }

    #[test]
    fn refuses_bad_settings() {
        for (name, value) in [
            ("TELNYX_BASE_URL", "not a url"),
            ("TELNYX_BASE_URL", "ftp://example.com"),
            ("TELNYX_REQUIREMENT_GROUPS", "IT"),
            ("TELNYX_REQUIREMENT_GROUPS", "it=x"),
            ("TELNYX_BUNDLES", "XX=abc"),
            ("TELNYX_BUNDLES", "NL="),
            ("TELNYX_WEBHOOK_PUBLIC_KEY", "%%%"),
            ("TELNYX_WEBHOOK_PUBLIC_KEY", "AAAA"),
            ("TELNYX_REQUEST_TIMEOUT_SECS", "-1"),
        ] {
            let result = TelnyxConfig::from_lookup(env(&[("TELNYX_API_KEY", "k"), (name, value)]));
            assert!(
                matches!(result, Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={value} gave {result:?}"
            );
        }
    }
}
