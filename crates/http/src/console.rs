//! The ops console (`GET /`) and GraphiQL's page, with every file they load
//! (the console's ES modules, GraphiQL, React, graphql-ws) embedded in the
//! binary: the pages work with no internet access. Files are served with
//! their content type, a strong `ETag` (`If-None-Match` answers 304) and
//! `Cache-Control: no-cache`, so a browser revalidates rather than running
//! stale code after an upgrade, and every response carries a
//! Content-Security-Policy that allows this origin only.

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use tracing::instrument;

/// Self only: no inline script, no other host (`'self'` covers `ws:` to the
/// same host for subscriptions). Fonts and icons inside GraphiQL's CSS are
/// `data:` URLs.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One embedded file: its URL path under `/assets/`, type and bytes.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $type:expr),* $(,)?) => {
        &[$(Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../assets/", $path)),
        }),*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every file the pages load (kept in step with crates/http/assets/).
static ASSETS: &[Asset] = assets![
    "console/index.html" => HTML,
    "console/graphiql.html" => HTML,
    "console/console.css" => CSS,
    "console/app.js" => JS,
    "console/api.js" => JS,
    "console/dom.js" => JS,
    "console/queue.js" => JS,
    "console/detail.js" => JS,
    "console/actions.js" => JS,
    "console/audit.js" => JS,
    "console/numbers.js" => JS,
    "console/graphiql.js" => JS,
    "console/graphiql.css" => CSS,
    "console/forms.js" => JS,
    "console/submit.js" => JS,
    "console/favicon.svg" => SVG,
    "vendor/react.production.min.js" => JS,
    "vendor/react-dom.production.min.js" => JS,
    "vendor/graphiql.min.js" => JS,
    "vendor/graphiql.min.css" => CSS,
    "vendor/graphql-ws.min.js" => JS,
];

/// The routes: the console at `/` and its files under `/assets/`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(console_page))
        .route("/favicon.ico", get(favicon))
        .route("/assets/{*path}", get(asset))
}

/// GraphiQL's page (served by `GET /graphql` to a browser).
pub fn graphiql_page(headers: &HeaderMap) -> Response {
    serve("console/graphiql.html", headers)
}

// The handlers answer a `Response` (404 and 304 are answers, not errors),
// so their spans carry the status `serve` records instead of `err`.

#[instrument(skip_all, fields(status = tracing::field::Empty))]
async fn console_page(headers: HeaderMap) -> Response {
    serve("console/index.html", &headers)
}

#[instrument(skip_all, fields(status = tracing::field::Empty))]
async fn favicon(headers: HeaderMap) -> Response {
    serve("console/favicon.svg", &headers)
}

#[instrument(skip_all, fields(path = %path, status = tracing::field::Empty))]
async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

/// The ETags, computed once (a SHA-256 prefix of each file).
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.bytes);
                format!("\"{}\"", hex::encode(&digest[..12]))
            })
            .collect()
    })
}

/// Answers with one asset, recording the status on the handler's span.
fn serve(path: &str, headers: &HeaderMap) -> Response {
    let response = asset_response(path, headers);
    tracing::Span::current().record("status", response.status().as_u16());
    response
}

fn asset_response(path: &str, headers: &HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|asset| asset.path == path) else {
        return (
            StatusCode::NOT_FOUND,
            security_headers(),
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such asset",
        )
            .into_response();
    };
    let asset = &ASSETS[index];
    let etag = &etags()[index];
    let fresh = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let out = response.headers_mut();
    out.extend(security_headers());
    out.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        out.insert(ETAG, value);
    }
    response
}

fn security_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_unique_path_and_a_known_type() {
        for (i, asset) in ASSETS.iter().enumerate() {
            assert!(!asset.bytes.is_empty(), "{} is empty", asset.path);
            assert!(
                [JS, CSS, HTML, SVG].contains(&asset.content_type),
                "{}",
                asset.path
            );
            assert!(ASSETS[i + 1..].iter().all(|other| other.path != asset.path));
        }
    }

    #[test]
    fn html_pages_load_nothing_from_another_host_and_run_no_inline_script() {
        for asset in ASSETS.iter().filter(|a| a.content_type == HTML) {
            let text = std::str::from_utf8(asset.bytes).expect("utf-8");
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "{}",
                asset.path
            );
            assert!(
                !text.contains("<script>"),
                "{} has an inline script",
                asset.path
            );
        }
    }
}
