//! Rate limits: per client address (counted before authentication, so
//! unauthenticated floods are bounded too) and per API key (so one partner
//! key cannot take the whole server). Over a limit: 429 `RATE_LIMITED` with
//! `Retry-After` and the error envelope. Health probes are not limited.
//!
//! The defaults are far above what a client of the API sends (see the
//! README's configuration table); 0 turns a limit off.

use crate::client_address::client_address;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use numberdesk_application::error::ApiError;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests per second and burst of one limit; `per_second == 0` is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
}

/// Keyed limiters stop remembering idle keys beyond this many entries.
const TIDY_ABOVE: usize = 10_000;

/// The limiters, shared by every request.
#[derive(Clone)]
pub struct RateLimits {
    by_address: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    by_key: Option<Arc<DefaultKeyedRateLimiter<[u8; 32]>>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(rate: Rate) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    let per_second = NonZeroU32::new(rate.per_second)?;
    let burst = NonZeroU32::new(rate.burst.max(rate.per_second)).unwrap_or(per_second);
    Some(Arc::new(DefaultKeyedRateLimiter::keyed(
        Quota::per_second(per_second).allow_burst(burst),
    )))
}

impl RateLimits {
    /// Limiters for these rates.
    pub fn new(per_address: Rate, per_key: Rate) -> Self {
        Self {
            by_address: limiter(per_address),
            by_key: limiter(per_key),
        }
    }

    /// `Err(seconds to wait)` when this request is over a limit.
    fn check(&self, request: &Request) -> Result<(), u64> {
        if let (Some(limiter), Some(address)) =
            (&self.by_address, client_address(request.extensions()))
        {
            check(limiter, &address.ip())?;
        }
        if let Some(limiter) = &self.by_key {
            let credential = request
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| v.as_bytes())
                .filter(|v| !v.is_empty());
            if let Some(credential) = credential {
                // The key is remembered by its hash only.
                let digest: [u8; 32] = Sha256::digest(credential).into();
                check(limiter, &digest)?;
            }
        }
        Ok(())
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), u64> {
    if limiter.len() > TIDY_ABOVE {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
    })
}

/// The middleware.
pub async fn limit(State(limits): State<RateLimits>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    match limits.check(&request) {
        Ok(()) => next.run(request).await,
        Err(seconds) => {
            let seconds = seconds.max(1);
            let error = ApiError::RateLimited(seconds);
            let mut response = if path.starts_with("/graphql") {
                error.into_graphql_response()
            } else {
                error.into_response()
            };
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}
