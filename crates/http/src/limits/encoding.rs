//! Refuses request bodies in a content encoding the service does not decode
//! (415): a compressed body must not be read as if it were plain.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use numberdesk_application::error::ApiError;

/// The middleware: only `identity` (or no `Content-Encoding`) passes.
pub async fn refuse_encoded(request: Request, next: Next) -> Response {
    let encodings: Vec<String> = request
        .headers()
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    match encodings.iter().find(|e| e.as_str() != "identity") {
        None => next.run(request).await,
        Some(encoding) => {
            let error = ApiError::UnsupportedMediaType(format!(
                "Content-Encoding {encoding:?} is not supported; send the body uncompressed"
            ));
            if request.uri().path().starts_with("/graphql") {
                error.into_graphql_response()
            } else {
                error.into_response()
            }
        }
    }
}
