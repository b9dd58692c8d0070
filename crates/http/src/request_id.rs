//! Request ids: set on every request that has none, returned in the
//! response, logged in the request's span and recorded in event metadata.

use axum::http::HeaderMap;

/// The header carrying the request id (set when the client sends none).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request id of an HTTP request, if the id layer set one.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
