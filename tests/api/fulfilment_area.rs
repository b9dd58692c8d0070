//! The requested area, end to end against the stateful fake Telnyx: the
//! real server (workers, SQLite and PostgreSQL) ordering through the real
//! Telnyx client. The carrier's search may answer numbers outside the
//! requested area code, or (by its `region_information`) in another city;
//! those are never ordered. When none fits, nothing is ordered and the job
//! says why in GraphQL.

use crate::helpers::{eventually, fast_fulfilment, spawn_fulfilment, Backend, TestApp};
use axum::http::Method;
use numberdesk_telnyx::fake::{FakeTelnyx, InventoryItem, API_KEY};
use numberdesk_telnyx::types::RegionInformation;
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

on_both_stores!(
    "fa":
    only_the_number_in_the_requested_area_and_city_is_ordered,
    when_no_number_fits_nothing_is_ordered_and_the_job_says_why,
);

/// Outside 212 (the carrier answers it for 212 anyway).
const WRONG_AREA: &str = "+12015550123";
/// In 212, but the carrier places it in Buffalo.
const WRONG_CITY: &str = "+12125550124";
/// In 212, in New York.
const RIGHT: &str = "+12125550125";

fn place(rate_center: &str, state: &str) -> Vec<RegionInformation> {
    vec![
        RegionInformation {
            region_type: Some("rate_center".into()),
            region_name: Some(rate_center.into()),
        },
        RegionInformation {
            region_type: Some("state".into()),
            region_name: Some(state.into()),
        },
    ]
}

/// A fake whose search for area code 212 answers `numbers`, in that order.
async fn fake(numbers: &[&str]) -> FakeTelnyx {
    let fake = FakeTelnyx::start().await;
    {
        let mut state = fake.state();
        for number in numbers {
            state.inventory.push(InventoryItem {
                country: "US",
                ndc: "212",
                number: (*number).to_owned(),
                best_effort: false,
            });
        }
        state
            .places
            .insert(WRONG_CITY.to_owned(), place("BUFFALO", "NY"));
        state
            .places
            .insert(RIGHT.to_owned(), place("NEW YORK", "NY"));
    }
    fake
}

fn telnyx(fake: &FakeTelnyx) -> Arc<TelnyxProvider> {
    let mut config = TelnyxConfig::new(ApiKey::new(API_KEY).expect("key"));
    config.client.base_url = fake.base_url.clone();
    config.client.request_timeout = Duration::from_secs(2);
    config.client.connect_timeout = Duration::from_secs(2);
    config.client.retry = RetryPolicy {
        max_attempts: 1,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    Arc::new(TelnyxProvider::new(&config).expect("provider"))
}

async fn app_on(backend: Backend, name: &str, fake: &FakeTelnyx) -> Option<TestApp> {
    spawn_fulfilment(backend, name, fast_fulfilment(), Some(telnyx(fake)))
        .await
        .map(|(app, _, _)| app)
}

async fn submit_new_york(app: &TestApp) -> String {
    app.submit_with(json!({
        "country": "US",
        "areaCode": "212",
        "city": "New York",
        "region": "New York",
        "quantity": 1,
    }))
    .await
}

fn order_job(jobs: &[Value]) -> Option<Value> {
    jobs.iter().find(|j| j["kind"] == "order").cloned()
}

async fn only_the_number_in_the_requested_area_and_city_is_ordered(backend: Backend, name: &str) {
    let fake = fake(&[WRONG_AREA, WRONG_CITY, RIGHT]).await;
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_new_york(&app).await;
    app.assign(&id).await;
    let done = app.wait_status(&id, "PROVISIONED", 30).await;
    assert_eq!(done["orderedNumbers"], json!([RIGHT]), "{done}");
    assert_eq!(done["provisionedNumbers"], json!([RIGHT]), "{done}");
    // One order, holding only the number that fits.
    let orders = fake.state().orders();
    assert_eq!(orders.len(), 1, "{orders:?}");
    let ordered: Vec<&str> = orders[0]
        .phone_numbers
        .iter()
        .map(|n| n.phone_number.as_str())
        .collect();
    assert_eq!(ordered, [RIGHT]);
    assert_eq!(fake.state().count(&Method::POST, "/number_orders"), 1);
}

async fn when_no_number_fits_nothing_is_ordered_and_the_job_says_why(backend: Backend, name: &str) {
    let fake = fake(&[WRONG_AREA, WRONG_CITY]).await;
    let Some(app) = app_on(backend, name, &fake).await else {
        return;
    };
    let id = submit_new_york(&app).await;
    app.assign(&id).await;
    // The job retries (the carrier's stock may change), then gives up.
    let job = eventually(40, "the order job to give up", || async {
        order_job(&app.jobs(&id).await).filter(|j| j["status"] == "FAILED")
    })
    .await;
    let error = job["lastError"].as_str().unwrap_or_default();
    assert!(
        error.contains("offers 0 of the 1 numbers")
            && error.contains(&format!("{WRONG_AREA} is not in area code 212"))
            && error.contains("BUFFALO, not New York"),
        "{job}"
    );
    let request = app.request_at(&app.base, &id).await;
    assert_eq!(request["status"], "ASSIGNED", "{request}");
    assert_eq!(request["orderedNumbers"], json!([]), "{request}");
    assert_eq!(fake.state().count(&Method::POST, "/number_orders"), 0);
    assert_eq!(fake.state().order_count(), 0);
}
