//! Limits on what one client may hold or send: read timeouts, a cap on open
//! connections (enforced by [`crate::serve`]), the body reader that answers
//! over-limit bodies only after reading them (so the client can read the
//! answer), refused content encodings, and rate limits.

pub mod body;
pub mod encoding;
pub mod rate;

use std::time::Duration;

/// The HTTP limits, from configuration (see the README's table).
/// [`crate::router_with`] and [`crate::serve::serve`] apply them.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// How long a connection may take to send a request's headers; also
    /// how long any connection (HTTP/2 included) may stay open without a
    /// first request, and the HTTP/2 keep-alive ping interval and timeout.
    pub header_read_timeout: Duration,
    /// How long a request may take to send its whole body.
    pub body_read_timeout: Duration,
    /// Open connections served at once; further clients wait in the backlog.
    pub max_connections: usize,
    /// An over-limit body up to this size is read and discarded before the
    /// 413, so the connection stays usable; larger ones are answered at once
    /// and the connection is closed.
    pub drain_limit_bytes: usize,
    /// Requests per client address (before authentication).
    pub per_address: rate::Rate,
    /// Requests per API key.
    pub per_key: rate::Rate,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            drain_limit_bytes: 1024 * 1024,
            per_address: rate::Rate {
                per_second: 2000,
                burst: 4000,
            },
            per_key: rate::Rate {
                per_second: 1000,
                burst: 2000,
            },
        }
    }
}
