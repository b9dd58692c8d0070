//! Contract proof: every request the client makes goes through a Prism mock
//! of Telnyx's published OpenAPI description
//! (`<workspace>/../shared/telnyx/telnyx-openapi-spec3.full.yml`, the whole
//! published spec, or `TELNYX_SPEC_PATH`), once with the spec's examples and
//! three times with responses generated from its schemas (`--dynamic`, fixed
//! seeds 1–3, so CI is reproducible). Prism answers 422 with an `sl-violations` header when
//! a request breaks the spec; either fails this test. Every response must
//! deserialize into the client's types.
//!
//! Prism comes from `scripts/install-prism.sh` (`.tools/prism`), `PRISM_BIN`,
//! or `PATH`. Without it the test prints a SKIPPED line and passes, unless
//! `NUMBERDESK_REQUIRE_PRISM=1` (CI), where it fails.

mod prism_harness;

use axum::http::Method;
use numberdesk_domain::ports::{NumberProvider, NumberSearch, OrderRequest, ProviderError};
use numberdesk_domain::values::{
    Amount, AreaCode, City, CountryCode, Currency, NumberType, PhoneNumber, Region,
};
use numberdesk_telnyx::types::{
    AvailablePhoneNumbersQuery, CreateNumberOrderRequest, ListNumberOrdersQuery,
    NewOrderPhoneNumber, NumberFeature, PhoneNumberType,
};
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxClient, TelnyxConfig, TelnyxProvider};
use prism_harness::{Mode, Prism};
use std::time::Duration;
use url::Url;

fn config(base_url: Url) -> TelnyxConfig {
    let mut config = TelnyxConfig::new(ApiKey::new("KEY-prism-contract").expect("key"));
    config.client.base_url = base_url;
    config.client.retry = RetryPolicy::never();
    config.client.request_timeout = Duration::from_secs(20);
    config.connection_id = Some("346789098765567".into());
    config.messaging_profile_id = Some("abc85f64-5717-4562-b3fc-2c9600".into());
    config.billing_group_id = Some("abc85f64-5717-4562-b3fc-2c9600".into());
    let us = CountryCode::parse("US").expect("US");
    config
        .requirement_groups
        .insert(us, "dbbd94ee-9079-488f-80ba-f566b247fd79".into());
    config
        .bundles
        .insert(us, "bc8e4d67-33a0-4cbb-af74-7b58f05bd494".into());
    config
}

#[tokio::test]
async fn every_client_request_satisfies_the_telnyx_spec() {
    contract(Mode::Static).await;
}

#[tokio::test]
async fn every_generated_response_parses_seed_1() {
    contract(Mode::Dynamic(1)).await;
}

#[tokio::test]
async fn every_generated_response_parses_seed_2() {
    contract(Mode::Dynamic(2)).await;
}

#[tokio::test]
async fn every_generated_response_parses_seed_3() {
    contract(Mode::Dynamic(3)).await;
}

/// An id for follow-up calls when a generated response has none.
const FALLBACK_ID: &str = "12ade33a-21c0-473b-b055-b3c836e1c292";

fn or_fallback(id: Option<String>) -> String {
    id.filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| FALLBACK_ID.to_owned())
}

async fn contract(mode: Mode) {
    let Some(prism) = Prism::start(mode).await else {
        return;
    };
    let fixed = matches!(mode, Mode::Static);
    let config = config(prism.base_url.clone());
    let client = TelnyxClient::new(&config.client).expect("client");

    // --- The client, every endpoint with every field we send. ---
    let search = client
        .list_available_phone_numbers(&AvailablePhoneNumbersQuery {
            country_code: Some("US".into()),
            phone_number_type: Some(PhoneNumberType::Local),
            locality: Some("Chicago".into()),
            administrative_area: Some("IL".into()),
            national_destination_code: Some("312".into()),
            features: vec![NumberFeature::Sms, NumberFeature::Voice],
            limit: Some(10),
            best_effort: Some(false),
        })
        .await
        .expect("search");
    assert!(!fixed || !search.data.is_empty());
    if fixed {
        // The spec's example prices, parsed as sent.
        let cost = search.data[0]
            .cost_information
            .clone()
            .expect("cost_information");
        assert_eq!(cost.currency.as_deref(), Some("USD"));
        assert_eq!(cost.monthly_cost.as_deref(), Some("6.54"));
        assert_eq!(cost.upfront_cost.as_deref(), Some("3.21"));
    }

    let created = client
        .create_number_order(&CreateNumberOrderRequest {
            phone_numbers: vec![
                NewOrderPhoneNumber {
                    phone_number: "+19705555098".into(),
                    bundle_id: Some("bc8e4d67-33a0-4cbb-af74-7b58f05bd494".into()),
                    requirement_group_id: None,
                },
                NewOrderPhoneNumber {
                    phone_number: "+492111609539".into(),
                    bundle_id: None,
                    requirement_group_id: Some("dbbd94ee-9079-488f-80ba-f566b247fd79".into()),
                },
            ],
            connection_id: Some("346789098765567".into()),
            messaging_profile_id: Some("abc85f64-5717-4562-b3fc-2c9600".into()),
            billing_group_id: Some("abc85f64-5717-4562-b3fc-2c9600".into()),
            customer_reference: Some("numberdesk-contract-1".into()),
        })
        .await
        .expect("create order");
    assert!(!fixed || !created.id.is_empty());

    let order = client
        .get_number_order(&or_fallback(Some(created.id.clone())))
        .await
        .expect("get order");
    assert!(!fixed || !order.phone_numbers.is_empty());

    let listed = client
        .list_number_orders(&ListNumberOrdersQuery {
            customer_reference: Some("numberdesk-contract-1".into()),
            status: Some("pending".into()),
            page_number: Some(1),
            page_size: Some(250),
        })
        .await
        .expect("list orders");
    assert!(!fixed || !listed.data.is_empty());
    client
        .find_number_orders_by_reference("numberdesk-contract-1")
        .await
        .expect("find by reference");

    let order_numbers = client
        .list_number_order_phone_numbers(Some("US"))
        .await
        .expect("order phone numbers");
    client
        .list_number_order_phone_numbers(None)
        .await
        .expect("order phone numbers, no filter");
    let number_id = order_numbers.data.first().and_then(|n| n.id.clone());
    assert!(!fixed || number_id.is_some(), "an order phone number id");
    client
        .get_number_order_phone_number(&or_fallback(number_id))
        .await
        .expect("one order phone number");

    let sub_order_id = order.sub_number_orders_ids.first().cloned();
    assert!(!fixed || sub_order_id.is_some(), "a sub-order id");
    client
        .get_sub_number_order(&or_fallback(sub_order_id), true)
        .await
        .expect("sub-order");
    client
        .list_sub_number_orders("12ade33a-21c0-473b-b055-b3c836e1c293")
        .await
        .expect("sub-orders of an order");

    // --- The provider, through the same mock. Generated numbers need not
    // be E.164: refusing them is right, failing to parse is not. ---
    let provider = TelnyxProvider::new(&config).expect("provider");
    let us = CountryCode::parse("US").expect("US");
    let found = provider
        .search(&NumberSearch {
            country: us,
            number_type: NumberType::Local,
            area_code: AreaCode::parse("970").ok(),
            city: City::parse("Denver").ok(),
            region: Region::parse("CO").ok(),
            limit: 5,
            range_size: None,
        })
        .await
        .expect("provider search");
    if fixed {
        assert_eq!(found.len(), 1, "the spec example number");
        let price = found[0]
            .price
            .clone()
            .expect("the example's price reaches the domain");
        assert_eq!(
            (
                price.monthly_cost.as_str(),
                price.upfront_cost.as_str(),
                price.currency.as_str()
            ),
            ("6.54", "3.21", "USD")
        );
    }
    // Generated prices are arbitrary strings: a price reaches the domain only
    // when all three parse (the value types validate), never a panic.
    for n in &found {
        if let Some(price) = &n.price {
            assert!(Amount::parse(price.monthly_cost.as_str()).is_ok());
            assert!(Currency::parse(price.currency.as_str()).is_ok());
        }
    }
    let placed = provider
        .place_order(&OrderRequest {
            customer_reference: "numberdesk-contract-2".into(),
            phone_numbers: vec![PhoneNumber::parse("+19705555098").expect("number")],
            country: us,
            number_type: NumberType::Local,
        })
        .await;
    // A generated 2xx may hold a number that is not E.164: the carrier
    // created an order all the same, so it is an unknown outcome (looked up
    // by reference), never a refusal that would allow a second POST.
    let placed_id = match placed {
        Ok(order) => Some(order.id),
        Err(ProviderError::Unavailable(why)) if !fixed && why.contains("telnyx created order") => {
            None
        }
        Err(other) => panic!("provider order: {other}"),
    };
    match provider.order_status(&or_fallback(placed_id)).await {
        Ok(_) => {}
        Err(ProviderError::Rejected { code, .. }) if !fixed && code == "invalid_carrier_number" => {
        }
        Err(other) => panic!("provider status: {other}"),
    }
    match provider.find_order_by_reference("MY REF 001").await {
        Ok(found) => assert!(!fixed || found.is_some(), "the spec example order"),
        Err(ProviderError::Rejected { code, .. }) if !fixed && code == "invalid_carrier_number" => {
        }
        Err(other) => panic!("provider lookup: {other}"),
    }

    // --- Error objects from the spec become typed errors. ---
    let unauthorized = client
        .get_number_order("prefer-401")
        .await
        .expect_err("a 401");
    assert_eq!(unauthorized.status(), Some(401));
    if fixed {
        assert_eq!(
            unauthorized.api_errors().first().map(|e| e.code.as_str()),
            Some("10009")
        );
    }
    let missing = client
        .get_number_order("prefer-404")
        .await
        .expect_err("a 404");
    assert_eq!(missing.status(), Some(404));
    assert_eq!(
        ProviderError::from(missing),
        ProviderError::NotFound,
        "only a 404 means not found"
    );

    // --- Verdict. ---
    let exchanges = prism.exchanges();
    for exchange in &exchanges {
        assert!(
            exchange.violations.is_none(),
            "{} {} broke the spec: {:?}",
            exchange.method,
            exchange.path,
            exchange.violations
        );
        let expected_error = exchange.path.contains("prefer-");
        assert!(
            expected_error || (200..300).contains(&exchange.status),
            "{} {} got HTTP {}",
            exchange.method,
            exchange.path,
            exchange.status
        );
    }
    for (method, path) in [
        (Method::GET, "/available_phone_numbers"),
        (Method::POST, "/number_orders"),
        (Method::GET, "/number_orders"),
        (Method::GET, "/number_orders/{id}"),
        (Method::GET, "/number_order_phone_numbers"),
        (Method::GET, "/number_order_phone_numbers/{id}"),
        (Method::GET, "/sub_number_orders"),
        (Method::GET, "/sub_number_orders/{id}"),
    ] {
        let prefix = path.trim_end_matches("{id}");
        let hit = exchanges.iter().any(|e| {
            e.method == method
                && if path.ends_with("{id}") {
                    e.path.starts_with(prefix) && e.path.len() > prefix.len()
                } else {
                    e.path == path
                }
        });
        assert!(hit, "no request went to {method} {path}");
    }
    println!(
        "prism contract ({mode:?}): {} requests, all valid",
        exchanges.len()
    );

    prism.stop().await;
}
