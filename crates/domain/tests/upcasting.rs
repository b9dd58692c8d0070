//! Events stored in an older shape read as today's events, through the
//! upcasters the event store and the projections share.

use cqrs_es::persist::SerializedEvent;
use cqrs_es::DomainEvent;
use numberdesk_domain::request::upcasting::{upcast, upcasters};
use numberdesk_domain::values::{Amount, Currency, NumberPrice, PhoneNumber, Price};
use numberdesk_domain::NumberRequestEvent;
use serde_json::json;

fn ordered_v1() -> serde_json::Value {
    json!({"ordered": {"carrier_order_id": "order-1", "phone_numbers": ["+12025550101"], "attempt": 1}})
}

#[test]
fn ordered_1_0_reads_with_no_prices() {
    // Without the upcaster the old shape does not decode at all.
    assert!(serde_json::from_value::<NumberRequestEvent>(ordered_v1()).is_err());
    let lifted = upcast("Ordered", "1.0", ordered_v1());
    let event: NumberRequestEvent = serde_json::from_value(lifted).expect("upcast Ordered 1.0");
    match event {
        NumberRequestEvent::Ordered {
            prices, attempt, ..
        } => {
            assert!(prices.is_empty());
            assert_eq!(attempt, 1);
        }
        other => panic!("expected Ordered, got {other:?}"),
    }
}

#[test]
fn current_payloads_pass_through_unchanged() {
    let event = NumberRequestEvent::Ordered {
        carrier_order_id: numberdesk_domain::values::CarrierOrderId::parse("o").expect("id"),
        phone_numbers: vec![PhoneNumber::parse("+12025550101").expect("number")],
        attempt: 2,
        prices: vec![NumberPrice {
            phone_number: PhoneNumber::parse("+12025550101").expect("number"),
            price: Price {
                monthly_cost: Amount::parse("1.00").expect("amount"),
                upfront_cost: Amount::parse("0.50").expect("amount"),
                currency: Currency::parse("usd").expect("currency"),
            },
        }],
    };
    assert_eq!(event.event_version(), "2.0");
    let payload = serde_json::to_value(&event).expect("serialise");
    assert_eq!(upcast("Ordered", "2.0", payload.clone()), payload);
    // Another type with an older-looking version is not touched.
    let assigned = json!({"assigned": {"assignee": "a", "notes": null, "attempt": 1}});
    assert_eq!(upcast("Assigned", "1.0", assigned.clone()), assigned);
}

#[test]
fn the_store_upcasters_lift_to_the_current_version() {
    let stored = SerializedEvent::new(
        "id".into(),
        3,
        "NumberRequest".into(),
        "Ordered".into(),
        "1.0".into(),
        ordered_v1(),
        json!({}),
    );
    let list = upcasters();
    let lifted = list.iter().fold(stored, |event, upcaster| {
        if upcaster.can_upcast(&event.event_type, &event.event_version) {
            upcaster.upcast(event)
        } else {
            event
        }
    });
    assert_eq!(lifted.payload["ordered"]["prices"], json!([]));
    assert!(lifted.event_version.starts_with("2.0"));
}

#[test]
fn prices_are_validated() {
    assert!(Amount::parse("-1").is_err());
    assert!(Amount::parse("1.").is_err());
    assert!(Amount::parse("abc").is_err());
    assert!(Currency::parse("US").is_err());
    assert_eq!(Currency::parse("eur").expect("eur").as_str(), "EUR");
    assert!(Price::from_parts(Some("1.00"), None, Some("USD")).is_none());
}
