//! Reads every request body before a handler runs, within the body limit
//! and the body read timeout.
//!
//! A body refused as too large is still read (up to
//! [`HttpLimits::drain_limit_bytes`]) before the 413 is sent: answering
//! while the client is still sending and closing the connection makes the
//! kernel reset it, and the client then loses the answer (hyper's
//! `IncompleteMessage`). A client announcing a body over the limit with
//! `Expect: 100-continue` gets the 413 at once and never sends the body.

use super::HttpLimits;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use numberdesk_application::error::ApiError;

/// What the body reader needs to know.
#[derive(Debug, Clone)]
pub struct BodyLimits {
    /// The largest body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Timeouts and the drain limit.
    pub limits: HttpLimits,
}

enum Read {
    Complete(Bytes),
    TooLarge,
    Broken(String),
}

/// The middleware: buffers the body (at most `max_body_bytes`) and hands the
/// request on, or answers 413 / 408 / 400 itself.
pub async fn read_body(State(limits): State<BodyLimits>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let graphql = parts.uri.path().starts_with("/graphql");
    let max = limits.max_body_bytes;
    let timeout = limits.limits.body_read_timeout;
    if announced_length(&parts.headers).is_some_and(|n| n > max) {
        if expects_continue(&parts.headers)
            || announced_length(&parts.headers).is_some_and(|n| n > limits.limits.drain_limit_bytes)
        {
            return refuse(ApiError::PayloadTooLarge(max), graphql, true);
        }
        let drained = tokio::time::timeout(timeout, drain(body, limits.limits.drain_limit_bytes));
        let complete = matches!(drained.await, Ok(true));
        return refuse(ApiError::PayloadTooLarge(max), graphql, !complete);
    }
    let mut stream = body.into_data_stream();
    let read = tokio::time::timeout(timeout, async {
        let mut buffer = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) if buffer.len() + chunk.len() > max => return Read::TooLarge,
                Ok(chunk) => buffer.extend_from_slice(&chunk),
                Err(error) => return Read::Broken(error.to_string()),
            }
        }
        Read::Complete(Bytes::from(buffer))
    })
    .await;
    match read {
        Ok(Read::Complete(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Read::TooLarge) => {
            let rest = Body::from_stream(stream);
            let drained =
                tokio::time::timeout(timeout, drain(rest, limits.limits.drain_limit_bytes));
            let complete = matches!(drained.await, Ok(true));
            refuse(ApiError::PayloadTooLarge(max), graphql, !complete)
        }
        Ok(Read::Broken(why)) => refuse(
            ApiError::bad_field("body", format!("could not be read: {why}")),
            graphql,
            true,
        ),
        Err(_) => refuse(
            ApiError::RequestTimeout(format!(
                "the request body was not received within {} s",
                timeout.as_secs_f64()
            )),
            graphql,
            true,
        ),
    }
}

fn announced_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
}

/// Reads and discards a body; `true` when it ended within `limit` bytes.
async fn drain(body: Body, limit: usize) -> bool {
    let mut stream = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                seen = seen.saturating_add(chunk.len());
                if seen > limit {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

/// The error in the envelope of the API asked (GraphQL or REST); `close`
/// says the connection cannot be reused (part of the body is unread).
fn refuse(error: ApiError, graphql: bool, close: bool) -> Response {
    let mut response = if graphql {
        error.into_graphql_response()
    } else {
        error.into_response()
    };
    if close {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
