//! The fake's control API under `/_double`, so a test can steer a fake
//! running in another process (the `telnyx_double` binary) and read what it
//! saw. Not part of Telnyx's API; no authentication (loopback test double).
//!
//! - `GET /_double/stats`: POSTs in total and per `customer_reference`,
//!   reference lookups, and every order held ([`Stats`]).
//! - `PUT /_double/knobs`: changes the given [`Knobs`], leaves the rest.
//! - `POST /_double/faults`: adds a scripted [`FaultSpec`];
//!   `DELETE /_double/faults` removes them all.
//! - `POST /_double/inventory`: adds numbers for sale ([`Inventory`]).

use super::{lock, FakeState, Fault, FaultKind, InventoryItem, WebhookSigner, WebhookTarget};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Shared = Arc<Mutex<FakeState>>;

/// What the fake saw and holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stats {
    /// `POST /number_orders` received (faulted ones included).
    pub posts: usize,
    /// `POST /number_orders` per `customer_reference`.
    pub posts_by_reference: BTreeMap<String, usize>,
    /// `GET /number_orders` (the lookups by reference).
    pub reference_lookups: usize,
    /// Orders held.
    pub orders: Vec<StatsOrder>,
}

/// One order the fake holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StatsOrder {
    /// Carrier order id.
    pub id: String,
    /// Its `customer_reference`.
    pub customer_reference: Option<String>,
    /// `pending`, `success` or `failure`.
    pub status: String,
    /// Its numbers.
    pub phone_numbers: Vec<String>,
}

/// Knobs to change; absent fields are left as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Knobs {
    /// How long new orders stay invisible to `filter[customer_reference]`, ms.
    pub reference_lag_ms: Option<u64>,
    /// How many reads of a new order still report it pending (the poller's view).
    pub pending_polls: Option<u32>,
    /// A number is sold once only.
    pub sell_once: Option<bool>,
    /// Report pending orders complete by webhook to this URL; `""` stops it.
    pub webhook_url: Option<String>,
    /// Seed of the webhook signing key ([`WebhookSigner::new`]).
    pub webhook_seed: Option<u8>,
    /// How long an order stays pending before its webhook, ms.
    pub webhook_delay_ms: Option<u64>,
}

/// A scripted fault (see [`Fault`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultSpec {
    /// `GET` or `POST`.
    pub method: String,
    /// `/number_orders` or `/available_phone_numbers`.
    pub path: String,
    /// Requests it hits; absent: all.
    pub times: Option<u32>,
    /// Create the order first, then misbehave (the ambiguous failure).
    #[serde(default)]
    pub after_processing: bool,
    /// Answer this status (e.g. 500)…
    pub status: Option<u16>,
    /// …or wait this long, ms (longer than the client's timeout: a hang).
    pub delay_ms: Option<u64>,
}

/// Numbers to add for sale.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inventory {
    /// ISO country, `US` or another one the fake knows.
    pub country: String,
    /// Area code.
    pub ndc: String,
    /// E.164 numbers.
    pub numbers: Vec<String>,
}

/// The control routes, to nest under `/_double`.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/stats", get(stats))
        .route("/knobs", put(knobs))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/inventory", post(add_inventory))
        .with_state(state)
}

type Refusal = (StatusCode, String);

fn refuse(why: impl Into<String>) -> Refusal {
    (StatusCode::UNPROCESSABLE_ENTITY, why.into())
}

async fn stats(State(state): State<Shared>) -> Json<Stats> {
    let s = lock(&state);
    Json(Stats {
        posts: s.count(&Method::POST, "/number_orders"),
        posts_by_reference: s.posts_by_reference(),
        reference_lookups: s.count(&Method::GET, "/number_orders"),
        orders: s
            .orders()
            .into_iter()
            .map(|o| StatsOrder {
                id: o.id,
                customer_reference: o.customer_reference,
                status: o
                    .status
                    .and_then(|s| serde_json::to_value(s).ok())
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                phone_numbers: o
                    .phone_numbers
                    .into_iter()
                    .map(|n| n.phone_number)
                    .collect(),
            })
            .collect(),
    })
}

async fn knobs(
    State(state): State<Shared>,
    Json(knobs): Json<Knobs>,
) -> Result<StatusCode, Refusal> {
    let mut s = lock(&state);
    if let Some(ms) = knobs.reference_lag_ms {
        s.reference_lag = Duration::from_millis(ms);
    }
    if let Some(polls) = knobs.pending_polls {
        s.pending_polls = polls;
    }
    if let Some(once) = knobs.sell_once {
        s.sell_once = once;
    }
    match knobs.webhook_url.as_deref() {
        Some("") => s.webhook = None,
        Some(url) => {
            let url = url::Url::parse(url).map_err(|e| refuse(format!("webhook_url: {e}")))?;
            s.webhook = Some(WebhookTarget {
                url,
                signer: WebhookSigner::new(0),
                delay: Duration::ZERO,
                attempts: 120,
            });
        }
        None => {}
    }
    if let Some(target) = s.webhook.as_mut() {
        if let Some(seed) = knobs.webhook_seed {
            target.signer = WebhookSigner::new(seed);
        }
        if let Some(ms) = knobs.webhook_delay_ms {
            target.delay = Duration::from_millis(ms);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn add_fault(
    State(state): State<Shared>,
    Json(spec): Json<FaultSpec>,
) -> Result<StatusCode, Refusal> {
    let method = match spec.method.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        other => return Err(refuse(format!("method: {other} is not GET or POST"))),
    };
    // The fault's path is `&'static str`: one of the routes the fake serves.
    let path = match spec.path.as_str() {
        "/number_orders" => "/number_orders",
        "/available_phone_numbers" => "/available_phone_numbers",
        other => return Err(refuse(format!("path: the fake has no route {other}"))),
    };
    let kind = match (spec.status, spec.delay_ms) {
        (Some(status), None) if (400..600).contains(&status) => FaultKind::Status {
            status,
            headers: vec![],
            code: "10007",
        },
        (None, Some(ms)) => FaultKind::Delay(Duration::from_millis(ms)),
        _ => return Err(refuse("give either status (400..599) or delay_ms")),
    };
    lock(&state).faults.push(Fault {
        method,
        path,
        times: spec.times,
        after_processing: spec.after_processing,
        kind,
    });
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(state): State<Shared>) -> StatusCode {
    lock(&state).faults.clear();
    StatusCode::NO_CONTENT
}

async fn add_inventory(
    State(state): State<Shared>,
    Json(inventory): Json<Inventory>,
) -> Result<StatusCode, Refusal> {
    let mut s = lock(&state);
    let country = intern(&s, inventory.country, |i| i.country);
    let ndc = intern(&s, inventory.ndc, |i| i.ndc);
    s.inventory
        .extend(inventory.numbers.into_iter().map(|number| InventoryItem {
            country,
            ndc,
            number,
            best_effort: false,
        }));
    Ok(StatusCode::NO_CONTENT)
}

/// `InventoryItem` holds `&'static str` country and area code: reuses one
/// already held, or leaks a new one (a few distinct values per double's life).
fn intern(s: &FakeState, value: String, field: fn(&InventoryItem) -> &'static str) -> &'static str {
    s.inventory
        .iter()
        .map(field)
        .find(|held| *held == value)
        .unwrap_or_else(|| Box::leak(value.into_boxed_str()))
}
