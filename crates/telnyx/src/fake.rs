//! A stateful fake of the Telnyx number-ordering API, for behaviour Prism
//! cannot play: orders that go pending → success, per-number failures,
//! 429s, 5xx, slow responses, and lookups by `customer_reference`.
//!
//! It speaks the crate's own `types`, so client and fake cannot drift apart
//! silently; the Prism contract test keeps both honest against the spec.
//!
//! In another process (the `telnyx_double` binary of the root package) it
//! outlives a killed server; [`control`] is its `/_double/...` API for
//! setting knobs and reading counts over HTTP.

pub mod control;
mod orders;
mod phone_numbers;
mod route;
mod webhook;

use route::{resolve, route};

pub use webhook::{order_webhook_body, WebhookSigner, WebhookTarget};

use crate::types::{
    ApiErrorBody, AvailablePhoneNumber, AvailablePhoneNumbersMetadata, AvailablePhoneNumbersQuery,
    AvailablePhoneNumbersResponse, CreateNumberOrderRequest, DataEnvelope, ListEnvelope,
    ListNumberOrdersQuery, NumberOrder, NumberOrderWithPhoneNumbers, OrderPhoneNumber, OrderStatus,
    PaginationMeta, PhoneNumbersJobPhoneNumber, RegionInformation, RequirementsStatus,
    TelnyxApiError,
};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use url::Url;

/// The API key the fake accepts.
pub const API_KEY: &str = "test-key";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method.
    pub method: Method,
    /// Path below `/v2`, e.g. `/number_orders`.
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `customer_reference` of a `POST /number_orders` body.
    pub customer_reference: Option<String>,
}

/// What a scripted fault does.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer with this status, headers and Telnyx error body.
    Status {
        /// HTTP status.
        status: u16,
        /// Extra headers (e.g. `retry-after`).
        headers: Vec<(&'static str, String)>,
        /// Telnyx error code in the body.
        code: &'static str,
    },
    /// Wait this long before answering.
    Delay(Duration),
}

/// A scripted fault for matching requests.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Method it applies to.
    pub method: Method,
    /// Path (below `/v2`) it applies to; a prefix match.
    pub path: &'static str,
    /// How many more requests it hits; `None` for all of them.
    pub times: Option<u32>,
    /// Process the request first (the order is created), then misbehave:
    /// the ambiguous failure a real carrier can produce.
    pub after_processing: bool,
    /// What it does.
    pub kind: FaultKind,
}

/// A number the fake can sell.
#[derive(Debug, Clone)]
pub struct InventoryItem {
    /// ISO country.
    pub country: &'static str,
    /// National destination code (area code).
    pub ndc: &'static str,
    /// E.164 number.
    pub number: String,
    /// Near match only.
    pub best_effort: bool,
}

#[derive(Debug, Clone)]
struct StoredOrder {
    order: NumberOrderWithPhoneNumbers,
    polls_left: u32,
}

/// The fake's state; tests arrange it and inspect it.
#[derive(Debug, Default)]
pub struct FakeState {
    /// Numbers for sale.
    pub inventory: Vec<InventoryItem>,
    /// Numbers whose orders fail (regulatory requirements not met).
    pub failing_numbers: HashSet<String>,
    /// How many reads of a new order still report it pending.
    pub pending_polls: u32,
    /// Scripted faults, first match wins.
    pub faults: Vec<Fault>,
    /// Every request received.
    pub requests: Vec<Recorded>,
    /// How long a new order stays invisible to `filter[customer_reference]`
    /// (the eventual consistency of a real carrier's listings); reads by id
    /// see it at once.
    pub reference_lag: Duration,
    /// A number ordered once is gone from the inventory (a real carrier
    /// never sells one number twice).
    pub sell_once: bool,
    /// Where pending orders are reported complete by a signed webhook.
    pub webhook: Option<WebhookTarget>,
    /// Extra `region_information` a search reports for a number (e.g. its
    /// `rate_center` and `state`), by E.164 number.
    pub places: std::collections::HashMap<String, Vec<RegionInformation>>,
    orders: Vec<StoredOrder>,
    released: HashSet<String>,
}

impl FakeState {
    /// Requests with this method and exact path.
    pub fn count(&self, method: &Method, path: &str) -> usize {
        self.requests
            .iter()
            .filter(|r| r.method == *method && r.path == path)
            .count()
    }

    /// How many `POST /number_orders` carried each `customer_reference`.
    pub fn posts_by_reference(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for r in &self.requests {
            if r.method == Method::POST && r.path == "/number_orders" {
                let key = r.customer_reference.clone().unwrap_or_default();
                *counts.entry(key).or_insert(0) += 1;
            }
        }
        counts
    }

    /// How many orders exist.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Every order placed so far, as the fake holds it now.
    pub fn orders(&self) -> Vec<NumberOrderWithPhoneNumbers> {
        self.orders.iter().map(|o| o.order.clone()).collect()
    }

    /// Adds an existing order, as if placed earlier (e.g. before a crash).
    pub fn insert_order(&mut self, order: NumberOrderWithPhoneNumbers) {
        self.orders.push(StoredOrder {
            order,
            polls_left: 0,
        });
    }
}

/// A running fake; stops when dropped.
pub struct FakeTelnyx {
    /// Base URL to give the client (`http://127.0.0.1:PORT/v2`).
    pub base_url: Url,
    state: Arc<Mutex<FakeState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTelnyx {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeTelnyx {
    /// Starts the fake on a free loopback port.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("loopback address"))
            .await
            .expect("bind loopback")
    }

    /// Starts the fake on `addr` (port 0: a free one), with the
    /// `/_double/...` control API beside the Telnyx routes.
    pub async fn start_on(addr: std::net::SocketAddr) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let shared = state.clone();
        let app = Router::new()
            .nest("/_double", control::router(state.clone()))
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let state = shared.clone();
                    async move { handle(state, method, uri, headers, body).await }
                },
            );
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let base_url = Url::parse(&format!("http://{addr}/v2"))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(Self {
            base_url,
            state,
            task,
        })
    }

    /// The state, locked.
    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn lock(state: &Mutex<FakeState>) -> MutexGuard<'_, FakeState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

fn error(status: u16, code: &str, title: &str, detail: &str) -> Response {
    let body = ApiErrorBody {
        errors: vec![TelnyxApiError {
            code: code.to_owned(),
            title: title.to_owned(),
            detail: Some(detail.to_owned()),
            ..TelnyxApiError::default()
        }],
    };
    json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    )
}

fn fault_response(kind: &FaultKind) -> Option<Response> {
    match kind {
        FaultKind::Status {
            status,
            headers,
            code,
        } => {
            let mut response = error(*status, code, "Scripted fault", "fake telnyx fault");
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            Some(response)
        }
        FaultKind::Delay(_) => None,
    }
}

async fn handle(
    state: Arc<Mutex<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/v2")
        .unwrap_or(uri.path())
        .to_owned();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let customer_reference = (method == Method::POST && path == "/number_orders")
        .then(|| serde_json::from_slice::<CreateNumberOrderRequest>(&body).ok())
        .flatten()
        .and_then(|r| r.customer_reference);
    let fault = {
        let mut s = lock(&state);
        s.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            authorization: authorization.clone(),
            customer_reference,
        });
        let found = s
            .faults
            .iter_mut()
            .find(|f| f.method == method && path.starts_with(f.path) && f.times != Some(0));
        found.map(|f| {
            if let Some(times) = f.times.as_mut() {
                *times -= 1;
            }
            f.clone()
        })
    };

    if authorization.as_deref() != Some(&format!("Bearer {API_KEY}")) {
        return error(
            401,
            "10009",
            "Authentication failed",
            "Could not understand the provided credentials.",
        );
    }

    if let Some(fault) = &fault {
        if !fault.after_processing {
            match &fault.kind {
                FaultKind::Delay(delay) => tokio::time::sleep(*delay).await,
                kind => {
                    if let Some(response) = fault_response(kind) {
                        return response;
                    }
                }
            }
        }
    }

    let response = route(&state, &method, &path, &query, &body);

    match fault {
        Some(fault) if fault.after_processing => match &fault.kind {
            FaultKind::Delay(delay) => {
                tokio::time::sleep(*delay).await;
                response
            }
            kind => fault_response(kind).unwrap_or(response),
        },
        _ => response,
    }
}
