//! Retries with jittered exponential backoff (the `backon` crate), honouring
//! Telnyx's rate-limit headers.

use crate::error::TelnyxError;
use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use std::future::Future;
use std::time::Duration;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: usize,
    /// Backoff before the first retry (doubled each time, with jitter).
    pub min_delay: Duration,
    /// Longest backoff between two attempts.
    pub max_delay: Duration,
    /// Longest rate-limit wait honoured in place; when Telnyx asks for a
    /// longer one the call gives up with [`TelnyxError::RateLimited`] so the
    /// caller can schedule it later.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// Whether the call may be repeated with the same effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET: retried on 429, 5xx, timeouts and connection errors.
    Idempotent,
    /// POST /number_orders: retried only when Telnyx certainly did nothing.
    NonIdempotent,
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
    }

    /// Runs `call` until it succeeds, fails for good, or the attempts run out.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        idempotency: Idempotency,
        call: F,
    ) -> Result<T, TelnyxError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, TelnyxError>>,
    {
        let max_retry_after = self.max_retry_after;
        call.retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(move |err: &TelnyxError| match idempotency {
                Idempotency::Idempotent => err.is_retryable(),
                Idempotency::NonIdempotent => err.is_safe_to_resend(),
            })
            .adjust(move |err: &TelnyxError, backoff: Option<Duration>| {
                let backoff = backoff?;
                match err {
                    TelnyxError::RateLimited {
                        retry_after: Some(wait),
                        ..
                    } => (*wait <= max_retry_after).then(|| backoff.max(*wait)),
                    _ => Some(backoff),
                }
            })
            .await
    }
}

/// How long a 429 asks us to wait: `Retry-After` (seconds or an HTTP date),
/// else `x-ratelimit-reset` (seconds until the window resets, or a Unix time).
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = text("retry-after") {
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(date) = DateTime::parse_from_rfc2822(value) {
            let wait = date.with_timezone(&Utc) - now;
            return Some(wait.to_std().unwrap_or(Duration::ZERO));
        }
    }
    if let Some(value) = text("x-ratelimit-reset") {
        if let Ok(secs) = value.parse::<f64>() {
            if !secs.is_finite() || secs < 0.0 {
                return None;
            }
            // Large values are absolute Unix times, small ones relative.
            let relative = if secs > 1_000_000_000.0 {
                secs - now.timestamp() as f64
            } else {
                secs
            };
            return Some(Duration::from_secs_f64(relative.clamp(0.0, 86_400.0)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(value) {
            map.insert(name, v);
        }
        map
    }

    #[test]
    fn reads_rate_limit_headers() {
        let now = Utc::now();
        assert_eq!(
            retry_after(&headers("retry-after", "7"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("x-ratelimit-reset", "2"), now),
            Some(Duration::from_secs(2))
        );
        let absolute = (now.timestamp() + 5).to_string();
        let wait = retry_after(&headers("x-ratelimit-reset", &absolute), now);
        assert!(wait.is_some_and(|w| w <= Duration::from_secs(5) && w >= Duration::from_secs(4)));
        let date = (now + chrono::Duration::seconds(10)).to_rfc2822();
        let wait = retry_after(&headers("retry-after", &date), now);
        assert!(wait.is_some_and(|w| w <= Duration::from_secs(10) && w >= Duration::from_secs(9)));
        assert_eq!(retry_after(&headers("retry-after", "soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_retry_after: Duration::from_secs(1),
        }
    }

    #[tokio::test]
    async fn bounded_attempts_on_server_errors() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = fast()
            .run(Idempotency::Idempotent, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(TelnyxError::Server {
                    status: 500,
                    errors: vec![],
                })
            })
            .await;
        assert!(matches!(result, Err(TelnyxError::Server { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn non_idempotent_calls_are_not_retried_when_ambiguous() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = fast()
            .run(Idempotency::NonIdempotent, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(TelnyxError::Timeout("slow".into()))
            })
            .await;
        assert!(matches!(result, Err(TelnyxError::Timeout(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn gives_up_when_asked_to_wait_too_long() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = fast()
            .run(Idempotency::Idempotent, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(TelnyxError::RateLimited {
                    retry_after: Some(Duration::from_secs(3600)),
                    errors: vec![],
                })
            })
            .await;
        assert!(matches!(result, Err(TelnyxError::RateLimited { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
