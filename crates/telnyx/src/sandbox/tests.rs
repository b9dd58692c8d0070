//! The sandbox's behaviour, tested through the port.

use super::*;
use numberdesk_domain::ports::{
    AvailableNumber, CarrierOrderStatus, NumberProvider, NumberSearch, OrderRequest, ProviderError,
};
use numberdesk_domain::values::{AreaCode, City, CountryCode, NumberType, PhoneNumber, RangeSize};
use std::time::Duration;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn search(code: &str, number_type: NumberType, limit: u16) -> NumberSearch {
    NumberSearch {
        country: country(code),
        number_type,
        area_code: None,
        city: None,
        region: None,
        limit,
        range_size: None,
    }
}

fn sandbox(delay: Duration) -> SandboxProvider {
    SandboxProvider::new(SandboxConfig {
        pending_delay: delay,
        seed: Some(42),
    })
}

fn order(reference: &str, numbers: &[AvailableNumber], code: &str) -> OrderRequest {
    OrderRequest {
        customer_reference: reference.to_owned(),
        phone_numbers: numbers.iter().map(|n| n.phone_number.clone()).collect(),
        country: country(code),
        number_type: NumberType::Local,
    }
}

#[tokio::test]
async fn generates_valid_varied_numbers_for_many_countries() {
    let provider = sandbox(Duration::ZERO);
    for code in ["US", "NL", "DE", "IT", "GB", "FR", "JP", "BR", "AU", "ZA"] {
        let first = provider.search(&search(code, NumberType::Local, 5)).await;
        let second = provider.search(&search(code, NumberType::Local, 5)).await;
        let (Ok(first), Ok(second)) = (first, second) else {
            panic!("{code}: search failed");
        };
        assert_eq!(first.len(), 5, "{code}: {first:?}");
        for number in first.iter().chain(&second) {
            assert!(PhoneNumber::parse(number.phone_number.as_str()).is_ok());
        }
        assert_ne!(first, second, "{code}: numbers vary per request");
    }
    let mobile = provider.search(&search("NL", NumberType::Mobile, 3)).await;
    assert!(mobile.is_ok_and(|m| m.len() == 3
        && m.iter()
            .all(|n| n.phone_number.as_str().starts_with("+316"))));
}

#[tokio::test]
async fn countries_without_examples_get_no_numbers() {
    let provider = sandbox(Duration::ZERO);
    // Antarctica is an ISO country without numbering metadata.
    let result = provider.search(&search("AQ", NumberType::Local, 3)).await;
    assert_eq!(result, Ok(Vec::new()));
}

#[tokio::test]
async fn ranges_are_consecutive() {
    let provider = sandbox(Duration::ZERO);
    let mut wanted = search("NL", NumberType::Local, 6);
    wanted.range_size = RangeSize::new(3).ok();
    let Ok(numbers) = provider.search(&wanted).await else {
        panic!("search failed");
    };
    assert_eq!(numbers.len(), 6);
    for block in numbers.chunks(3) {
        let values: Vec<u64> = block
            .iter()
            .filter_map(|n| n.phone_number.as_str()[1..].parse().ok())
            .collect();
        assert_eq!(values.len(), 3);
        assert_eq!(values[1], values[0] + 1);
        assert_eq!(values[2], values[1] + 1);
    }
}

#[tokio::test]
async fn ordinary_areas_succeed_at_once_and_are_found_by_reference() {
    let provider = sandbox(Duration::from_secs(60));
    let mut wanted = search("US", NumberType::Local, 2);
    wanted.area_code = AreaCode::parse("212").ok();
    let Ok(numbers) = provider.search(&wanted).await else {
        panic!("search failed");
    };
    let placed = provider.place_order(&order("req-1", &numbers, "US")).await;
    let Ok(placed) = placed else {
        panic!("order failed: {placed:?}");
    };
    assert_eq!(placed.status, CarrierOrderStatus::Success);
    assert_eq!(placed.phone_numbers.len(), 2);
    let found = provider.find_order_by_reference("req-1").await;
    assert_eq!(found, Ok(Some(placed.clone())));
    assert_eq!(provider.find_order_by_reference("other").await, Ok(None));
    // The same reference never makes a second order.
    let again = provider.place_order(&order("req-1", &numbers, "US")).await;
    assert_eq!(again.map(|o| o.id), Ok(placed.id.clone()));
    // Ordered numbers are gone.
    let stolen = provider.place_order(&order("req-2", &numbers, "US")).await;
    assert!(matches!(stolen, Err(ProviderError::Rejected { .. })));
    assert_eq!(
        provider.order_status("nope").await,
        Err(ProviderError::NotFound)
    );
}

#[tokio::test]
async fn pending_areas_succeed_after_the_delay() {
    let provider = sandbox(Duration::from_millis(150));
    for area in ["555", "pending"] {
        let mut wanted = search("US", NumberType::Local, 1);
        wanted.city = City::parse(area).ok();
        let Ok(numbers) = provider.search(&wanted).await else {
            panic!("search failed");
        };
        let reference = format!("req-{area}");
        let Ok(placed) = provider
            .place_order(&order(&reference, &numbers, "US"))
            .await
        else {
            panic!("order failed");
        };
        assert_eq!(placed.status, CarrierOrderStatus::Pending);
        let status = provider.order_status(&placed.id).await.map(|o| o.status);
        assert_eq!(status, Ok(CarrierOrderStatus::Pending));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let done = provider.order_status(&placed.id).await;
        assert!(done.is_ok_and(|o| o.status == CarrierOrderStatus::Success
            && o.phone_numbers
                .iter()
                .all(|n| n.status == CarrierOrderStatus::Success)));
    }
}

#[tokio::test]
async fn failing_areas_fail_with_a_reason() {
    let provider = sandbox(Duration::ZERO);
    // The area code 666 only where the country has numbers in it (NL: 0666…).
    for (code, area, city) in [("NL", Some("666"), None), ("IT", None, Some("fail"))] {
        let mut wanted = search(code, NumberType::Local, 2);
        wanted.area_code = area.and_then(|a| AreaCode::parse(a).ok());
        wanted.city = city.and_then(|c| City::parse(c).ok());
        let Ok(numbers) = provider.search(&wanted).await else {
            panic!("search failed");
        };
        let reference = format!("req-{area:?}-{city:?}");
        let placed = provider
            .place_order(&order(&reference, &numbers, code))
            .await;
        let Ok(placed) = placed else {
            panic!("order failed: {placed:?}");
        };
        assert_eq!(placed.status, CarrierOrderStatus::Failure);
        assert_eq!(placed.phone_numbers.len(), 2);
        for number in &placed.phone_numbers {
            assert_eq!(number.status, CarrierOrderStatus::Failure);
            assert_eq!(number.reason.as_deref(), Some(SANDBOX_FAILURE_REASON));
        }
    }
}

#[tokio::test]
async fn numbers_are_in_the_requested_area_code() {
    let provider = sandbox(Duration::ZERO);
    for (code, area, prefix) in [
        ("US", "212", "+1212"),
        ("US", "(415)", "+1415"),
        ("NL", "020", "+3120"),
        ("GB", "0161", "+44161"),
        ("IT", "02", "+3902"),
    ] {
        let mut wanted = search(code, NumberType::Local, 4);
        wanted.area_code = AreaCode::parse(area).ok();
        let Ok(numbers) = provider.search(&wanted).await else {
            panic!("{code} {area}: search failed");
        };
        assert_eq!(numbers.len(), 4, "{code} {area}: {numbers:?}");
        for n in &numbers {
            assert!(
                n.phone_number.as_str().starts_with(prefix),
                "{code} {area}: {n:?}"
            );
            assert_eq!(
                numberdesk_domain::request::candidate_mismatch(&wanted, n),
                None
            );
        }
    }
    // A range stays consecutive inside the area.
    let mut block = search("US", NumberType::Local, 4);
    block.area_code = AreaCode::parse("312").ok();
    block.range_size = RangeSize::new(2).ok();
    let Ok(numbers) = provider.search(&block).await else {
        panic!("range search failed");
    };
    assert_eq!(numbers.len(), 4);
    assert!(numbers
        .iter()
        .all(|n| n.phone_number.as_str().starts_with("+1312")));
    // No valid US number is in 555: none is offered rather than a wrong one.
    let mut nowhere = search("US", NumberType::Local, 1);
    nowhere.area_code = AreaCode::parse("555").ok();
    assert_eq!(provider.search(&nowhere).await, Ok(Vec::new()));
}

#[tokio::test]
async fn orders_live_in_the_store_and_outlive_the_provider() {
    let store: std::sync::Arc<MemorySandboxOrders> = std::sync::Arc::default();
    let config = SandboxConfig {
        pending_delay: Duration::from_millis(150),
        seed: Some(7),
    };
    let first = SandboxProvider::with_store(config, store.clone());
    let mut wanted = search("US", NumberType::Local, 1);
    wanted.city = City::parse("pending").ok();
    let Ok(numbers) = first.search(&wanted).await else {
        panic!("search failed");
    };
    let Ok(placed) = first.place_order(&order("req-r", &numbers, "US")).await else {
        panic!("order failed");
    };
    assert_eq!(placed.status, CarrierOrderStatus::Pending);
    drop(first);
    // A new provider on the same store: a restarted server.
    let second = SandboxProvider::with_store(config, store);
    let found = second.find_order_by_reference("req-r").await;
    assert_eq!(found.map(|o| o.map(|o| o.id)), Ok(Some(placed.id.clone())));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let done = second.order_status(&placed.id).await;
    assert!(done.is_ok_and(|o| o.status == CarrierOrderStatus::Success));
    // Same reference: the same order; its numbers are not sold again.
    let again = second.place_order(&order("req-r", &numbers, "US")).await;
    assert_eq!(again.map(|o| o.id), Ok(placed.id));
    let stolen = second.place_order(&order("req-s", &numbers, "US")).await;
    assert!(matches!(stolen, Err(ProviderError::Rejected { .. })));
}
