//! GraphQL over HTTP: queries and mutations (GraphiQL for a browser), and
//! subscriptions over a websocket.

use crate::request_id::request_id;
use crate::state::HttpState;
use async_graphql::http::{WebSocketProtocols, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::ParseRequestError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use numberdesk_application::error::ApiError;
use numberdesk_graphql::schema::{Caller, RequestId};
use tracing::instrument;

/// The GraphQL routes: queries and mutations over HTTP (GraphiQL for a
/// browser's plain GET) and subscriptions over a websocket.
pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
}

/// The response media type GraphQL-over-HTTP negotiates from `Accept`.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

fn wants_graphql_response_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE_JSON))
}

/// Serialises a GraphQL response with the negotiated media type: plain
/// `application/json` (always 200) unless the client accepts
/// `application/graphql-response+json`, which answers 400 without `data`
/// when the request itself was invalid (parse or validation failure).
fn respond(headers: &HeaderMap, mut response: async_graphql::Response) -> Response {
    let graphql_json = wants_graphql_response_json(headers);
    label_uncoded_errors(&mut response);
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut body = match serde_json::to_value(&response) {
        Ok(body) => body,
        Err(error) => {
            return ApiError::Internal(format!("serialising a response: {error}"))
                .into_graphql_response()
        }
    };
    let (status, content_type) = if graphql_json {
        if request_error {
            if let Some(object) = body.as_object_mut() {
                object.remove("data");
            }
            (StatusCode::BAD_REQUEST, GRAPHQL_RESPONSE_JSON)
        } else {
            (StatusCode::OK, GRAPHQL_RESPONSE_JSON)
        }
    } else {
        (StatusCode::OK, "application/json")
    };
    (
        status,
        [(axum::http::header::CONTENT_TYPE, content_type)],
        body.to_string(),
    )
        .into_response()
}

/// Gives every error an `extensions.code`: errors raised before execution
/// (syntax, validation, depth and complexity limits, variable coercion) have
/// no path and are the client's: BAD_USER_INPUT, as are arguments that do not
/// parse as their type. Anything else uncoded is ours.
fn label_uncoded_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            // An argument that does not parse as its scalar ("bad" as a
            // DateTime, 2147483648 as an Int) fails in the resolver, with a
            // path, but it is still the client's input.
            let bad_argument = error.message.starts_with("Failed to parse \"");
            let code = if error.path.is_empty() || bad_argument {
                "BAD_USER_INPUT"
            } else {
                "INTERNAL"
            };
            extensions.set("code", code);
        }
    }
}

/// Runs one GraphQL request as its caller, recording the operation and how
/// many errors it answered with on the handler's span.
async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    let span = tracing::Span::current();
    if let Some(operation) = &request.operation_name {
        span.record("operation", operation.as_str());
    }
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let caller = match Caller::resolve(&state.app, authorization).await {
        Ok(caller) => caller,
        Err(error) => {
            let error: async_graphql::Error = error.into();
            let response = async_graphql::Response::from_errors(vec![
                error.into_server_error(async_graphql::Pos::default())
            ]);
            return respond(headers, response);
        }
    };
    let mut request = request.data(caller);
    if let Some(id) = request_id(headers) {
        request = request.data(RequestId(id));
    }
    let response = state.schema.execute(request).await;
    span.record("errors", response.errors.len());
    respond(headers, response)
}

/// POST: the body is read through axum's `Bytes` extractor, so
/// `DefaultBodyLimit` applies (a 413 after reading up to the limit, not a
/// reset while the client is still sending), then parsed by async-graphql.
///
/// The handlers answer a `Response` (GraphQL errors are answers, in the
/// GraphQL envelope), so their spans record `errors` instead of `err`.
#[instrument(skip_all, fields(request_id = request_id(&headers).as_deref(), bytes = body.as_ref().map_or(0, Bytes::len), operation = tracing::field::Empty, errors = tracing::field::Empty))]
async fn graphql_post(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let max_body = state.app.settings.max_body_bytes;
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::PayloadTooLarge(max_body).into_graphql_response()
        }
        Err(rejection) => {
            return ApiError::bad_field("body", rejection.body_text()).into_graphql_response()
        }
    };
    // The same rule as REST bodies: a key given twice (the last would
    // silently win) is refused, naming the key.
    if let Some(key) = crate::rest::duplicate_keys::duplicate_key(&bytes) {
        return ApiError::bad_field(&key, "is given more than once").into_graphql_response();
    }
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let parsed = async_graphql::http::receive_body(
        content_type,
        futures::io::Cursor::new(bytes.to_vec()),
        async_graphql::http::MultipartOptions::default(),
    )
    .await;
    match parsed {
        Ok(request) => execute(&state, &headers, request).await,
        Err(ParseRequestError::PayloadTooLarge) => {
            ApiError::PayloadTooLarge(max_body).into_graphql_response()
        }
        Err(other) => ApiError::bad_field(
            "body",
            format!("is not a GraphQL request ({{\"query\": \"...\"}}): {other}"),
        )
        .into_graphql_response(),
    }
}

/// GET with a `query` parameter executes it (queries only, per
/// GraphQL-over-HTTP); a browser's plain GET gets GraphiQL.
#[instrument(skip_all, fields(request_id = request_id(&headers).as_deref(), operation = tracing::field::Empty, errors = tracing::field::Empty))]
async fn graphql_get(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let has_query = uri
        .query()
        .is_some_and(|q| q.split('&').any(|pair| pair.starts_with("query=")));
    if !has_query {
        let browser = headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if browser {
            return crate::console::graphiql_page(&headers);
        }
        return ApiError::bad_field(
            "query",
            "is required (or open /graphql in a browser for GraphiQL)",
        )
        .into_graphql_response();
    }
    let request = match async_graphql::http::parse_query_string(uri.query().unwrap_or("")) {
        Ok(request) => request,
        Err(error) => {
            return ApiError::bad_field("query", error.to_string()).into_graphql_response();
        }
    };
    if changes_state(&request.query) {
        let mut refused =
            ApiError::MethodNotAllowed("mutations and subscriptions need POST".into())
                .into_graphql_response();
        refused.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("POST"),
        );
        return refused;
    }
    execute(&state, &headers, request).await
}

/// Whether a document holds a mutation or subscription (refused over GET,
/// as GraphQL-over-HTTP requires). Unparsable documents are left to the
/// executor, which reports the syntax error.
fn changes_state(query: &str) -> bool {
    use async_graphql::parser::types::OperationType;
    async_graphql::parser::parse_query(query).is_ok_and(|document| {
        document
            .operations
            .iter()
            .any(|(_, operation)| operation.node.ty != OperationType::Query)
    })
}

/// The websocket: upgraded here, served by `graphql_ws` (4403 on a refused
/// `connection_init`, a cap on subscriptions per socket). The subprotocol is
/// the first one offered that async-graphql speaks; none is a 400.
async fn graphql_ws(
    State(state): State<HttpState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    use std::str::FromStr;
    let protocol = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return ApiError::bad_field(
            "Sec-WebSocket-Protocol",
            "must offer graphql-transport-ws (or graphql-ws)",
        )
        .into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| crate::graphql_ws::serve(socket, state, protocol))
}
