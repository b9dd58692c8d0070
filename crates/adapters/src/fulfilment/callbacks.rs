//! Customer status callbacks: signed POSTs of the whole request to its
//! `callback_url`, from the durable outbox.
//!
//! **Signature.** Every delivery carries
//! `Numberdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
//! HMAC is keyed with the account's callback secret
//! (`numberdesk admin callback-secret show|rotate --account …`) over the
//! bytes `"{t}.{body}"`. Receivers recompute it over the raw body, compare in
//! constant time ([`verify_callback`] does all of it) and refuse old `t`s.
//! `Numberdesk-Delivery` names the delivery (stable across retries, for
//! deduplication).
//!
//! **Retries.** A non-2xx answer or a network error is retried with
//! exponential backoff up to `callback_max_attempts`; every attempt (HTTP
//! status, error) is recorded in `job_attempts`.
//!
//! **Address checks.** Unless `allow_private_callbacks` is set, a URL whose
//! host resolves to any loopback, private, link-local, unique-local,
//! carrier-grade-NAT, multicast or unspecified address is refused (the job
//! fails with that reason). The checked address is the one connected to
//! (reqwest is pinned to it), so a DNS answer cannot change between check and
//! connect; redirects and proxies are not followed.

use super::jobs::{millis, Job, RunOutcome};
use super::Fulfilment;
use crate::store::Sql;
use crate::{Database, StoreError};
use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use uuid::Uuid;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Numberdesk-Signature";
/// The delivery id header.
pub const DELIVERY_HEADER: &str = "Numberdesk-Delivery";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Result<HmacSha256, CallbackSignatureError> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .map_err(|_| CallbackSignatureError::BadKey)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `Numberdesk-Signature` value of a body sent at `timestamp`.
pub fn sign_callback(
    secret: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, CallbackSignatureError> {
    let tag = mac(secret, timestamp, body)?.finalize().into_bytes();
    Ok(format!("t={timestamp},v1={}", hex::encode(tag)))
}

/// Why a callback signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackSignatureError {
    /// Not `t=…,v1=…`.
    #[error("malformed signature header")]
    Malformed,
    /// The HMAC does not match.
    #[error("signature does not match")]
    Mismatch,
    /// `t` is further from now than allowed.
    #[error("signature timestamp outside the tolerance")]
    Stale,
    /// The secret cannot key an HMAC (never happens for HMAC-SHA256).
    #[error("unusable signing key")]
    BadKey,
}

/// Checks a `Numberdesk-Signature` value against the raw body (constant
/// time), and that `t` is within `tolerance_secs` of `now_secs`.
pub fn verify_callback(
    secret: &str,
    header: &str,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), CallbackSignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| CallbackSignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(CallbackSignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(CallbackSignatureError::Malformed);
    }
    if (now_secs - timestamp).abs() > tolerance_secs {
        return Err(CallbackSignatureError::Stale);
    }
    let mut ok = false;
    for sig in &signatures {
        ok |= mac(secret, timestamp, body)?.verify_slice(sig).is_ok();
    }
    if ok {
        Ok(())
    } else {
        Err(CallbackSignatureError::Mismatch)
    }
}

/// Per-account callback signing secrets (table `callback_secrets`).
#[derive(Debug, Clone)]
pub struct CallbackSecrets {
    db: Database,
}

fn new_secret() -> String {
    format!("ndcb_{}", hex::encode(rand::random::<[u8; 32]>()))
}

impl CallbackSecrets {
    /// Uses the given (migrated) database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The account's secret, created on first use.
    pub async fn get_or_create(&self, account: Uuid) -> Result<String, StoreError> {
        let now = millis(Utc::now());
        let secret = new_secret();
        self.db.execute(Sql::new("INSERT INTO callback_secrets (account_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO NOTHING").arg(account.to_string()).arg(&secret).arg(now)).await?;
        self.db
            .scalar(
                Sql::new("SELECT secret FROM callback_secrets WHERE account_id = $1")
                    .arg(account.to_string()),
            )
            .await
    }

    /// Replaces the account's secret with a new one and returns it.
    /// Deliveries signed from now on use the new secret.
    pub async fn rotate(&self, account: Uuid) -> Result<String, StoreError> {
        let now = millis(Utc::now());
        let secret = new_secret();
        self.db.execute(Sql::new("INSERT INTO callback_secrets (account_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET secret = $2, created_at = $3").arg(account.to_string()).arg(&secret).arg(now)).await?;
        Ok(secret)
    }
}

/// Whether an address may receive callbacks without
/// `allow_private_callbacks`; `Err` names the class of a refused one.
pub fn public_address(ip: IpAddr) -> Result<(), &'static str> {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Err("loopback")
            } else if v6.is_unspecified() {
                Err("unspecified")
            } else if first & 0xfe00 == 0xfc00 {
                Err("unique-local")
            } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
                Err("link-local")
            } else if v6.is_multicast() {
                Err("multicast")
            } else if let [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] = v6.segments() {
                // The NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                public_v4(Ipv4Addr::new(a, b, c, d))
            } else {
                Ok(())
            }
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> Result<(), &'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Err("loopback")
    } else if ip.is_private() {
        Err("private")
    } else if ip.is_link_local() {
        Err("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Err("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Err("carrier-grade NAT")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Err("multicast or reserved")
    } else {
        Ok(())
    }
}

/// Where to connect for a callback URL: the checked address, and the host
/// name to pin it to (`None` for IP-literal URLs).
async fn checked_address(
    url: &reqwest::Url,
    allow_private: bool,
) -> Result<(SocketAddr, Option<String>), (String, bool)> {
    let port = url
        .port_or_known_default()
        .ok_or_else(|| (format!("callback URL {url} has no port"), false))?;
    let (addresses, domain): (Vec<SocketAddr>, Option<String>) = match url.host() {
        Some(url::Host::Ipv4(ip)) => (vec![SocketAddr::new(IpAddr::V4(ip), port)], None),
        Some(url::Host::Ipv6(ip)) => (vec![SocketAddr::new(IpAddr::V6(ip), port)], None),
        Some(url::Host::Domain(name)) => {
            let found = tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| (format!("cannot resolve {name}: {e}"), true))?
                .collect();
            (found, Some(name.to_owned()))
        }
        None => return Err((format!("callback URL {url} has no host"), false)),
    };
    let Some(first) = addresses.first().copied() else {
        return Err(("the callback host resolves to no address".into(), true));
    };
    if !allow_private {
        for address in &addresses {
            if let Err(class) = public_address(address.ip()) {
                return Err((
                    format!(
                        "refused: the callback URL's host resolves to {}, a {class} address \
                         (set ALLOW_PRIVATE_CALLBACKS=true to allow private callback targets)",
                        address.ip()
                    ),
                    false,
                ));
            }
        }
    }
    Ok((first, domain))
}

fn payload_text<'a>(job: &'a Job, field: &str) -> Option<&'a str> {
    job.payload.get(field).and_then(serde_json::Value::as_str)
}

/// Delivers one callback job.
/// (A `RunOutcome`, not a `Result`: failures are recorded on the job, so
/// the span has no `err`.)
#[tracing::instrument(skip_all, fields(job = job.id, kind = "callback", request = ?job.request_id, request_id = payload_text(job, "request_id"), correlation_id = payload_text(job, "correlation_id")))]
pub(super) async fn deliver(fulfilment: &Fulfilment, job: &Job) -> RunOutcome {
    let settings = fulfilment.settings();
    let retry = |error: String, http_status: Option<u16>| RunOutcome::Retry {
        error,
        after: settings.backoff(job.attempts),
        http_status,
    };
    let (Some(url), Some(account), Some(body)) = (
        payload_text(job, "url"),
        payload_text(job, "account_id").and_then(|a| Uuid::parse_str(a).ok()),
        payload_text(job, "body"),
    ) else {
        return RunOutcome::Failed {
            error: "callback job without url, account or body".into(),
            http_status: None,
        };
    };
    let url = match reqwest::Url::parse(url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            return RunOutcome::Failed {
                error: format!("callback URL {url:?} is not an http(s) URL"),
                http_status: None,
            }
        }
    };
    let (address, domain) = match checked_address(&url, settings.allow_private_callbacks).await {
        Ok(found) => found,
        Err((error, true)) => return retry(error, None),
        Err((error, false)) => {
            return RunOutcome::Failed {
                error,
                http_status: None,
            }
        }
    };
    let secret = match fulfilment.secrets().get_or_create(account).await {
        Ok(secret) => secret,
        Err(error) => return retry(format!("cannot read the callback secret: {error}"), None),
    };
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(settings.callback_timeout)
        .connect_timeout(settings.callback_timeout)
        .user_agent(concat!("numberdesk/", env!("CARGO_PKG_VERSION")));
    if let Some(domain) = &domain {
        builder = builder.resolve(domain, address);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(error) => return retry(format!("cannot build the HTTP client: {error}"), None),
    };
    let timestamp = Utc::now().timestamp();
    let signature = match sign_callback(&secret, timestamp, body.as_bytes()) {
        Ok(signature) => signature,
        Err(error) => return retry(format!("cannot sign the callback: {error}"), None),
    };
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(DELIVERY_HEADER, job.dedupe_key.as_str())
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => RunOutcome::Done {
            http_status: Some(response.status().as_u16()),
        },
        Ok(response) => retry(
            format!("the callback URL answered HTTP {}", response.status()),
            Some(response.status().as_u16()),
        ),
        Err(error) => retry(format!("callback delivery failed: {error}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_body_and_time() {
        let body = br#"{"success":true}"#;
        let header = sign_callback("s3cret", 1_700_000_000, body).expect("sign");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify_callback("s3cret", &header, body, 1_700_000_010, 300),
            Ok(())
        );
        assert_eq!(
            verify_callback("other", &header, body, 1_700_000_010, 300),
            Err(CallbackSignatureError::Mismatch)
        );
        assert_eq!(
            verify_callback("s3cret", &header, b"{}", 1_700_000_010, 300),
            Err(CallbackSignatureError::Mismatch)
        );
        assert_eq!(
            verify_callback("s3cret", &header, body, 1_700_001_000, 300),
            Err(CallbackSignatureError::Stale)
        );
        assert_eq!(
            verify_callback("s3cret", "v1=zz", body, 1_700_000_000, 300),
            Err(CallbackSignatureError::Malformed)
        );
    }

    #[test]
    fn only_public_addresses_pass() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = refused.parse().expect("ip");
            assert!(public_address(ip).is_err(), "{refused} must be refused");
        }
        for allowed in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            let ip: IpAddr = allowed.parse().expect("ip");
            assert_eq!(public_address(ip), Ok(()), "{allowed} must pass");
        }
    }
}
