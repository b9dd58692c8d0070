//! What can go wrong talking to Telnyx, sorted by what the caller can do
//! about it, and how that maps onto the domain's [`ProviderError`].

use crate::types::TelnyxApiError;
use numberdesk_domain::ports::ProviderError;
use std::time::Duration;

/// A failed Telnyx API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelnyxError {
    /// HTTP 429: too many requests. Nothing was done; safe to retry later.
    #[error("telnyx rate limit hit (HTTP 429){}", describe(errors))]
    RateLimited {
        /// How long Telnyx asked us to wait (`Retry-After` / `x-ratelimit-reset`).
        retry_after: Option<Duration>,
        /// Telnyx's error objects.
        errors: Vec<TelnyxApiError>,
    },
    /// HTTP 5xx. For a non-idempotent call the outcome is unknown.
    #[error("telnyx server error (HTTP {status}){}", describe(errors))]
    Server {
        /// The HTTP status.
        status: u16,
        /// Telnyx's error objects, if the body had any.
        errors: Vec<TelnyxApiError>,
    },
    /// Any other non-success status (4xx): Telnyx refused the request and the
    /// same request will be refused again.
    #[error("telnyx refused the request (HTTP {status}){}", describe(errors))]
    Api {
        /// The HTTP status.
        status: u16,
        /// Telnyx's error objects (`errors[].code/title/detail/source`).
        errors: Vec<TelnyxApiError>,
    },
    /// The request or the response timed out. The request may have been
    /// processed.
    #[error("timed out talking to telnyx: {0}")]
    Timeout(String),
    /// No connection could be made, so the request was never sent.
    #[error("could not connect to telnyx: {0}")]
    Connect(String),
    /// The connection failed after it was made. The request may have been
    /// processed.
    #[error("transport error talking to telnyx: {0}")]
    Transport(String),
    /// A success response whose body is not what the spec describes.
    #[error("unexpected telnyx response (HTTP {status}): {message}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// What did not parse.
        message: String,
    },
    /// The request could not be built (bad id, bad base URL).
    #[error("invalid telnyx request: {0}")]
    InvalidRequest(String),
}

fn describe(errors: &[TelnyxApiError]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!(": {}", parts.join("; "))
    }
}

impl TelnyxError {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            TelnyxError::RateLimited { .. } => Some(429),
            TelnyxError::Server { status, .. }
            | TelnyxError::Api { status, .. }
            | TelnyxError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Telnyx's error objects, if the response carried any.
    pub fn api_errors(&self) -> &[TelnyxApiError] {
        match self {
            TelnyxError::RateLimited { errors, .. }
            | TelnyxError::Server { errors, .. }
            | TelnyxError::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Whether an idempotent call (GET) may be retried: 429, 5xx, timeouts
    /// and connection failures. Other 4xx never are.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TelnyxError::RateLimited { .. }
                | TelnyxError::Server { .. }
                | TelnyxError::Timeout(_)
                | TelnyxError::Connect(_)
                | TelnyxError::Transport(_)
        )
    }

    /// Whether a non-idempotent call (`POST /number_orders`) may be retried
    /// blindly: only when Telnyx certainly did nothing (429, or no connection
    /// was ever made).
    pub fn is_safe_to_resend(&self) -> bool {
        matches!(
            self,
            TelnyxError::RateLimited { .. } | TelnyxError::Connect(_)
        )
    }

    /// Whether the outcome of a non-idempotent call is unknown: Telnyx may
    /// have acted on it (5xx, timeout, broken connection, unreadable 2xx).
    /// Look the order up by `customer_reference` before trying again.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            TelnyxError::Server { .. }
                | TelnyxError::Timeout(_)
                | TelnyxError::Transport(_)
                | TelnyxError::Decode { .. }
        )
    }

    pub(crate) fn from_reqwest(err: &reqwest::Error) -> Self {
        // A connect timeout is a connect error: nothing was sent.
        if err.is_connect() {
            TelnyxError::Connect(error_chain(err))
        } else if err.is_timeout() {
            TelnyxError::Timeout(error_chain(err))
        } else if err.is_builder() {
            TelnyxError::InvalidRequest(error_chain(err))
        } else {
            TelnyxError::Transport(error_chain(err))
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<TelnyxError> for ProviderError {
    fn from(err: TelnyxError) -> Self {
        match err {
            TelnyxError::RateLimited { retry_after, .. } => {
                ProviderError::RateLimited { retry_after }
            }
            TelnyxError::Api { status: 404, .. } => ProviderError::NotFound,
            TelnyxError::Api { status, ref errors } => {
                let code = errors
                    .first()
                    .map(|e| e.code.clone())
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| format!("http_{status}"));
                ProviderError::Rejected {
                    code,
                    detail: err.to_string(),
                }
            }
            TelnyxError::InvalidRequest(detail) => ProviderError::Rejected {
                code: "invalid_request".to_owned(),
                detail,
            },
            TelnyxError::Server { .. }
            | TelnyxError::Timeout(_)
            | TelnyxError::Connect(_)
            | TelnyxError::Transport(_)
            | TelnyxError::Decode { .. } => ProviderError::Unavailable(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: &str) -> TelnyxApiError {
        TelnyxApiError {
            code: code.to_owned(),
            title: "Bad Request".to_owned(),
            detail: Some("phone_numbers must not be empty".to_owned()),
            ..TelnyxApiError::default()
        }
    }

    #[test]
    fn maps_to_provider_errors() {
        let rejected: ProviderError = TelnyxError::Api {
            status: 422,
            errors: vec![api_error("10015")],
        }
        .into();
        assert!(
            matches!(rejected, ProviderError::Rejected { ref code, ref detail } if code == "10015" && detail.contains("must not be empty"))
        );
        let not_found: ProviderError = TelnyxError::Api {
            status: 404,
            errors: vec![],
        }
        .into();
        assert_eq!(not_found, ProviderError::NotFound);
        let limited: ProviderError = TelnyxError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            errors: vec![],
        }
        .into();
        assert_eq!(
            limited,
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        let down: ProviderError = TelnyxError::Server {
            status: 503,
            errors: vec![],
        }
        .into();
        assert!(matches!(down, ProviderError::Unavailable(_)));
        let bare: ProviderError = TelnyxError::Api {
            status: 403,
            errors: vec![],
        }
        .into();
        assert!(matches!(bare, ProviderError::Rejected { ref code, .. } if code == "http_403"));
    }

    #[test]
    fn classifies_retry_safety() {
        let server = TelnyxError::Server {
            status: 500,
            errors: vec![],
        };
        assert!(server.is_retryable() && server.is_ambiguous() && !server.is_safe_to_resend());
        let connect = TelnyxError::Connect("refused".into());
        assert!(connect.is_retryable() && connect.is_safe_to_resend() && !connect.is_ambiguous());
        let api = TelnyxError::Api {
            status: 400,
            errors: vec![],
        };
        assert!(!api.is_retryable() && !api.is_ambiguous() && !api.is_safe_to_resend());
    }
}
