//! Behaviour against a stateful fake Telnyx: retries, rate limits, timeouts,
//! pending orders, per-number failures and lookups by reference.

mod support;

use axum::http::Method;
use numberdesk_domain::ports::{
    CarrierOrderStatus, NumberProvider, NumberSearch, OrderRequest, ProviderError,
};
use numberdesk_domain::values::{AreaCode, CountryCode, NumberType, PhoneNumber, RangeSize};
use numberdesk_telnyx::types::{
    AvailablePhoneNumbersQuery, NumberFeature, NumberOrderWithPhoneNumbers, OrderPhoneNumber,
    OrderStatus, PhoneNumberType,
};
use numberdesk_telnyx::{
    ApiKey, RetryPolicy, TelnyxClient, TelnyxConfig, TelnyxError, TelnyxProvider,
};
use std::time::{Duration, Instant};
use support::fake_telnyx::{FakeTelnyx, Fault, FaultKind, InventoryItem, API_KEY};

const US1: &str = "+12015550123";
const US2: &str = "+12015550124";
const US3: &str = "+12015550125";
const US4: &str = "+12015550130";

fn config(fake: &FakeTelnyx) -> TelnyxConfig {
    let mut config = TelnyxConfig::new(ApiKey::new(API_KEY).expect("key"));
    config.client.base_url = fake.base_url.clone();
    config.client.request_timeout = Duration::from_millis(400);
    config.client.connect_timeout = Duration::from_millis(400);
    config.client.retry = RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    };
    config.connection_id = Some("conn-1".into());
    config.messaging_profile_id = Some("mp-1".into());
    config.billing_group_id = Some("bg-1".into());
    config
        .requirement_groups
        .insert(country("US"), "rg-us".into());
    config.bundles.insert(country("US"), "bundle-us".into());
    config
}

fn provider(fake: &FakeTelnyx) -> TelnyxProvider {
    TelnyxProvider::new(&config(fake)).expect("provider")
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("country")
}

fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("phone number")
}

async fn fake_with_inventory() -> FakeTelnyx {
    let fake = FakeTelnyx::start().await;
    {
        let mut state = fake.state();
        for (number, best_effort) in [
            (US1, false),
            (US2, false),
            (US3, false),
            (US4, false),
            ("+12125550100", true),
        ] {
            state.inventory.push(InventoryItem {
                country: "US",
                ndc: "201",
                number: number.to_owned(),
                best_effort,
            });
        }
    }
    fake
}

fn search(limit: u16) -> NumberSearch {
    NumberSearch {
        country: country("US"),
        number_type: NumberType::Local,
        area_code: AreaCode::parse("201").ok(),
        city: None,
        region: None,
        limit,
        range_size: None,
    }
}

fn order(reference: &str, numbers: &[&str]) -> OrderRequest {
    OrderRequest {
        customer_reference: reference.to_owned(),
        phone_numbers: numbers.iter().map(|n| phone(n)).collect(),
        country: country("US"),
        number_type: NumberType::Local,
    }
}

fn status_fault(
    method: Method,
    path: &'static str,
    status: u16,
    code: &'static str,
    times: Option<u32>,
) -> Fault {
    Fault {
        method,
        path,
        times,
        after_processing: false,
        kind: FaultKind::Status {
            status,
            headers: Vec::new(),
            code,
        },
    }
}

#[tokio::test]
async fn search_sends_bearer_and_filters_and_maps_numbers() {
    let fake = fake_with_inventory().await;
    let found = provider(&fake).search(&search(10)).await.expect("search");
    let numbers: Vec<&str> = found.iter().map(|n| n.phone_number.as_str()).collect();
    // The best-effort near match is dropped.
    assert_eq!(numbers, [US1, US2, US3, US4]);
    let state = fake.state();
    let request = &state.requests[0];
    assert_eq!(request.authorization.as_deref(), Some("Bearer test-key"));
    assert_eq!(request.path, "/available_phone_numbers");
    let query = AvailablePhoneNumbersQuery::from_query_pairs(
        request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    assert_eq!(query.country_code.as_deref(), Some("US"));
    assert_eq!(query.phone_number_type, Some(PhoneNumberType::Local));
    assert_eq!(query.national_destination_code.as_deref(), Some("201"));
    assert_eq!(query.limit, Some(10));
}

#[tokio::test]
async fn client_sends_every_search_filter() {
    let fake = fake_with_inventory().await;
    let client = TelnyxClient::new(&config(&fake).client).expect("client");
    let query = AvailablePhoneNumbersQuery {
        country_code: Some("US".into()),
        phone_number_type: Some(PhoneNumberType::Local),
        locality: Some("Jersey City".into()),
        administrative_area: Some("NJ".into()),
        national_destination_code: Some("201".into()),
        features: vec![NumberFeature::Sms, NumberFeature::Voice],
        limit: Some(2),
        best_effort: Some(false),
    };
    let response = client
        .list_available_phone_numbers(&query)
        .await
        .expect("search");
    assert_eq!(response.data.len(), 2);
    let state = fake.state();
    let sent = AvailablePhoneNumbersQuery::from_query_pairs(
        state.requests[0]
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    assert_eq!(sent, query);
}

#[tokio::test]
async fn range_search_returns_consecutive_blocks() {
    let fake = fake_with_inventory().await;
    let mut wanted = search(2);
    wanted.range_size = RangeSize::new(2).ok();
    let found = provider(&fake).search(&wanted).await.expect("search");
    let numbers: Vec<&str> = found.iter().map(|n| n.phone_number.as_str()).collect();
    assert_eq!(numbers, [US1, US2]);
    // It asked for more results than wanted, to find runs.
    let state = fake.state();
    assert!(state.requests[0]
        .query
        .iter()
        .any(|(k, v)| k == "filter[limit]" && v == "8"));
}

#[tokio::test]
async fn pending_order_becomes_success() {
    let fake = fake_with_inventory().await;
    fake.state().pending_polls = 2;
    let provider = provider(&fake);
    let placed = provider
        .place_order(&order("req-pending", &[US1, US2]))
        .await
        .expect("order");
    assert_eq!(placed.status, CarrierOrderStatus::Pending);
    assert_eq!(placed.customer_reference.as_deref(), Some("req-pending"));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(provider.order_status(&placed.id).await.expect("status"));
    }
    assert_eq!(statuses[0].status, CarrierOrderStatus::Pending);
    assert_eq!(statuses[1].status, CarrierOrderStatus::Pending);
    let done = &statuses[2];
    assert_eq!(done.status, CarrierOrderStatus::Success);
    assert!(done
        .phone_numbers
        .iter()
        .all(|n| n.status == CarrierOrderStatus::Success && n.reason.is_none()));
}

#[tokio::test]
async fn order_carries_every_configured_setting() {
    let fake = fake_with_inventory().await;
    let client_view = provider(&fake);
    client_view
        .place_order(&order("req-fields", &[US1]))
        .await
        .expect("order");
    let orders = client_view
        .client()
        .find_number_orders_by_reference("req-fields")
        .await
        .expect("list");
    assert_eq!(orders.len(), 1);
    let full = client_view
        .client()
        .get_number_order(&orders[0].id)
        .await
        .expect("get");
    assert_eq!(full.connection_id.as_deref(), Some("conn-1"));
    assert_eq!(full.messaging_profile_id.as_deref(), Some("mp-1"));
    assert_eq!(full.billing_group_id.as_deref(), Some("bg-1"));
    assert_eq!(
        full.phone_numbers[0].bundle_id.as_deref(),
        Some("bundle-us")
    );
}

#[tokio::test]
async fn rate_limit_is_retried_after_retry_after() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(Fault {
        method: Method::GET,
        path: "/available_phone_numbers",
        times: Some(1),
        after_processing: false,
        kind: FaultKind::Status {
            status: 429,
            headers: vec![("retry-after", "1".to_owned())],
            code: "10011",
        },
    });
    let started = Instant::now();
    let found = provider(&fake).search(&search(1)).await.expect("search");
    assert_eq!(found.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(
        fake.state().count(&Method::GET, "/available_phone_numbers"),
        2
    );
}

#[tokio::test]
async fn rate_limited_order_post_is_resent_once_allowed() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: Some(1),
        after_processing: false,
        kind: FaultKind::Status {
            status: 429,
            headers: vec![("x-ratelimit-reset", "0".to_owned())],
            code: "10011",
        },
    });
    let placed = provider(&fake)
        .place_order(&order("req-429", &[US1]))
        .await
        .expect("order");
    assert_eq!(placed.status, CarrierOrderStatus::Success);
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 2);
    assert_eq!(state.order_count(), 1);
}

#[tokio::test]
async fn server_errors_forever_give_unavailable_after_bounded_attempts() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(status_fault(
        Method::GET,
        "/available_phone_numbers",
        500,
        "10007",
        None,
    ));
    let result = provider(&fake).search(&search(1)).await;
    assert!(
        matches!(result, Err(ProviderError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(
        fake.state().count(&Method::GET, "/available_phone_numbers"),
        3
    );
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_telnyx_codes() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(status_fault(
        Method::GET,
        "/available_phone_numbers",
        422,
        "10015",
        None,
    ));
    let result = provider(&fake).search(&search(1)).await;
    assert!(
        matches!(result, Err(ProviderError::Rejected { ref code, .. }) if code == "10015"),
        "{result:?}"
    );
    assert_eq!(
        fake.state().count(&Method::GET, "/available_phone_numbers"),
        1
    );

    // Typed errors at the client level.
    let client = TelnyxClient::new(&config(&fake).client).expect("client");
    let err = client
        .list_available_phone_numbers(&AvailablePhoneNumbersQuery::default())
        .await
        .expect_err("422");
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.api_errors()[0].code, "10015");
    assert_eq!(err.api_errors()[0].title, "Scripted fault");
}

#[tokio::test]
async fn wrong_key_is_a_typed_401() {
    let fake = fake_with_inventory().await;
    let mut config = config(&fake);
    config.client.api_key = ApiKey::new("wrong").expect("key");
    let client = TelnyxClient::new(&config.client).expect("client");
    let err = client.get_number_order("x").await.expect_err("401");
    assert!(
        matches!(err, TelnyxError::Api { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(err.api_errors()[0].code, "10009");
    assert_eq!(fake.state().requests.len(), 1, "401 is not retried");
}

#[tokio::test]
async fn unknown_order_is_not_found() {
    let fake = fake_with_inventory().await;
    let result = provider(&fake).order_status("no-such-order").await;
    assert_eq!(result, Err(ProviderError::NotFound));
}

#[tokio::test]
async fn slow_reads_time_out_and_are_retried_boundedly() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(Fault {
        method: Method::GET,
        path: "/available_phone_numbers",
        times: None,
        after_processing: false,
        kind: FaultKind::Delay(Duration::from_secs(3)),
    });
    let started = Instant::now();
    let result = provider(&fake).search(&search(1)).await;
    assert!(
        matches!(result, Err(ProviderError::Unavailable(ref m)) if m.contains("timed out")),
        "{result:?}"
    );
    assert_eq!(
        fake.state().count(&Method::GET, "/available_phone_numbers"),
        3
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn slow_order_post_is_never_resent_and_is_an_unknown_outcome() {
    let fake = fake_with_inventory().await;
    // Telnyx creates the order but answers too late.
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: None,
        after_processing: true,
        kind: FaultKind::Delay(Duration::from_secs(3)),
    });
    let provider = provider(&fake);
    let result = provider.place_order(&order("req-slow", &[US1])).await;
    assert!(
        matches!(&result, Err(ProviderError::Unavailable(why)) if why.contains("outcome unknown")),
        "{result:?}"
    );
    let found = provider
        .find_order_by_reference("req-slow")
        .await
        .expect("lookup")
        .expect("the order exists");
    assert_eq!(found.customer_reference.as_deref(), Some("req-slow"));
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 1);
    assert_eq!(state.order_count(), 1);
}

#[tokio::test]
async fn server_error_after_creating_is_an_unknown_outcome_and_not_resent() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(Fault {
        method: Method::POST,
        path: "/number_orders",
        times: None,
        after_processing: true,
        kind: FaultKind::Status {
            status: 500,
            headers: Vec::new(),
            code: "10007",
        },
    });
    let provider = provider(&fake);
    let result = provider.place_order(&order("req-500", &[US1, US2])).await;
    assert!(
        matches!(&result, Err(ProviderError::Unavailable(why)) if why.contains("outcome unknown")),
        "{result:?}"
    );
    let found = provider
        .find_order_by_reference("req-500")
        .await
        .expect("lookup")
        .expect("the order exists");
    assert_eq!(found.phone_numbers.len(), 2);
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 1);
    assert_eq!(state.order_count(), 1);
}

#[tokio::test]
async fn server_error_without_an_order_is_unavailable_and_not_resent() {
    let fake = fake_with_inventory().await;
    fake.state().faults.push(status_fault(
        Method::POST,
        "/number_orders",
        503,
        "10007",
        None,
    ));
    let result = provider(&fake).place_order(&order("req-503", &[US1])).await;
    assert!(
        matches!(result, Err(ProviderError::Unavailable(_))),
        "{result:?}"
    );
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 1);
    assert_eq!(state.order_count(), 0);
}

#[tokio::test]
async fn an_existing_order_is_found_by_its_exact_reference() {
    let fake = fake_with_inventory().await;
    fake.state().insert_order(NumberOrderWithPhoneNumbers {
        id: "existing-order".into(),
        status: Some(OrderStatus::Success),
        customer_reference: Some("req-crashed".into()),
        phone_numbers: vec![OrderPhoneNumber {
            phone_number: US3.into(),
            status: Some(OrderStatus::Success),
            ..OrderPhoneNumber::default()
        }],
        ..NumberOrderWithPhoneNumbers::default()
    });
    let provider = provider(&fake);
    let found = provider
        .find_order_by_reference("req-crashed")
        .await
        .expect("lookup");
    assert_eq!(
        found.as_ref().map(|o| o.id.as_str()),
        Some("existing-order")
    );
    assert_eq!(
        provider.find_order_by_reference("req-other").await,
        Ok(None)
    );
    let found = found.expect("found");
    assert_eq!(found.phone_numbers[0].phone_number.as_str(), US3);
    let state = fake.state();
    assert_eq!(state.count(&Method::POST, "/number_orders"), 0);
    assert!(state.requests.iter().any(|r| r.path == "/number_orders"
        && r.query
            .iter()
            .any(|(k, v)| k == "filter[customer_reference]" && v == "req-crashed")));
}

#[tokio::test]
async fn per_number_failures_are_reported_per_number() {
    let fake = fake_with_inventory().await;
    {
        let mut state = fake.state();
        state.pending_polls = 1;
        state.failing_numbers.insert(US2.to_owned());
    }
    let provider = provider(&fake);
    let placed = provider
        .place_order(&order("req-partial", &[US1, US2]))
        .await
        .expect("order");
    assert_eq!(placed.status, CarrierOrderStatus::Pending);
    let _ = provider
        .order_status(&placed.id)
        .await
        .expect("pending read");
    let done = provider.order_status(&placed.id).await.expect("final read");
    let by_number: Vec<(&str, CarrierOrderStatus, Option<&str>)> = done
        .phone_numbers
        .iter()
        .map(|n| (n.phone_number.as_str(), n.status, n.reason.as_deref()))
        .collect();
    assert_eq!(
        by_number,
        [
            (US1, CarrierOrderStatus::Success, None),
            (
                US2,
                CarrierOrderStatus::Failure,
                Some("telnyx: number order failed; regulatory requirements not met; requirements status requirement-info-exception")
            ),
        ]
    );

    // An order whose every number fails fails as a whole.
    fake.state().pending_polls = 0;
    let failed = provider
        .place_order(&order("req-failed", &[US2]))
        .await
        .expect("order");
    assert_eq!(failed.status, CarrierOrderStatus::Failure);
}

#[tokio::test]
async fn refused_connection_is_unavailable() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let fake = fake_with_inventory().await;
    let mut config = config(&fake);
    config.client.base_url = url::Url::parse(&format!("http://127.0.0.1:{port}/v2")).expect("url");
    let provider = TelnyxProvider::new(&config).expect("provider");
    let result = provider.search(&search(1)).await;
    assert!(
        matches!(result, Err(ProviderError::Unavailable(ref m)) if m.contains("connect")),
        "{result:?}"
    );
}
