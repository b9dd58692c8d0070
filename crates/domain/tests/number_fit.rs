//! The aggregate itself refuses numbers that do not fit the request when an
//! order or a provisioned number is recorded (`RecordOrder`,
//! `RecordProvisioned`, `ProvisionManually`): another country, or another
//! area code where the number tells it (the NANP's NPA). These run the
//! domain alone, so no API-side check can answer first.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use numberdesk_domain::request::{RequestDetails, RequestInput, Submitted};
use numberdesk_domain::values::PhoneNumber;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
};

/// A request for two US local numbers in area code 212.
fn submitted_us_212() -> E {
    let details = RequestDetails::parse(&RequestInput {
        country: Some("US".into()),
        area_code: Some("212".into()),
        quantity: Some(2),
        ..seed_input()
    })
    .expect("fixture is valid");
    E::Submitted(Box::new(Submitted {
        id: REQUEST_ID,
        number: 42,
        organization_id: 1,
        account_id: uuid::Uuid::from_u128(7),
        details,
    }))
}

fn phone(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).expect("valid number")
}

/// In area code 212 (Manhattan).
const IN_AREA: &str = "+12125550123";
/// A US number of area code 201 (New Jersey).
const OTHER_AREA: &str = "+12015550123";
/// A GB number.
const OTHER_COUNTRY: &str = "+442079460958";

fn given(events: Vec<E>) -> cqrs_es::test::AggregateTestExecutor<NumberRequest> {
    TestFramework::<NumberRequest>::with(()).given(events)
}

fn ordered_with(numbers: &[&str]) -> E {
    E::Ordered {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| phone(n)).collect(),
        attempt: 1,
        prices: vec![],
    }
}

fn record_order(numbers: &[&str]) -> C {
    C::RecordOrder {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| phone(n)).collect(),
        prices: vec![],
    }
}

fn provision_manually(numbers: &[&str]) -> C {
    C::ProvisionManually {
        carrier_order_id: order_id("manual:1"),
        phone_numbers: numbers.iter().map(|n| phone(n)).collect(),
    }
}

/// The refusal names the field and says why.
fn refused(result: Result<Vec<E>, NumberRequestError>, field: &str, why: &str) {
    match result {
        Err(NumberRequestError::Invalid { field: got, reason }) => {
            assert_eq!(got, field, "{reason}");
            assert!(reason.contains(why), "{reason:?} should say {why:?}");
        }
        other => panic!("expected a refusal of {field} ({why}), got {other:?}"),
    }
}

#[test]
fn a_number_in_the_requested_country_and_area_is_ordered() {
    given(vec![submitted_us_212(), assigned("a", 1)])
        .when(record_order(&[IN_AREA]))
        .then_expect_events(vec![ordered_with(&[IN_AREA])]);
}

#[test]
fn ordered_refuses_a_number_of_another_country() {
    let result = given(vec![submitted_us_212(), assigned("a", 1)])
        .when(record_order(&[IN_AREA, OTHER_COUNTRY]))
        .inspect_result();
    refused(result, "phone_numbers", "[1] +442079460958 is a GB number");
}

#[test]
fn ordered_refuses_a_number_of_another_area_code() {
    let result = given(vec![submitted_us_212(), assigned("a", 1)])
        .when(record_order(&[OTHER_AREA]))
        .inspect_result();
    refused(result, "phone_numbers", "not in area code 212");
}

#[test]
fn provisioned_refuses_a_number_of_another_country() {
    // An order recorded before the check existed holds the GB number.
    let result = given(vec![
        submitted_us_212(),
        assigned("a", 1),
        ordered_with(&[OTHER_COUNTRY]),
    ])
    .when(C::RecordProvisioned {
        phone_number: phone(OTHER_COUNTRY),
    })
    .inspect_result();
    refused(result, "phone_number", "is a GB number");
}

#[test]
fn provisioned_refuses_a_number_of_another_area_code() {
    let result = given(vec![
        submitted_us_212(),
        assigned("a", 1),
        ordered_with(&[OTHER_AREA]),
    ])
    .when(C::RecordProvisioned {
        phone_number: phone(OTHER_AREA),
    })
    .inspect_result();
    refused(result, "phone_number", "not in area code 212");
}

#[test]
fn provision_manually_refuses_a_number_of_another_country() {
    let result = given(vec![submitted_us_212(), assigned("a", 1)])
        .when(provision_manually(&[OTHER_COUNTRY]))
        .inspect_result();
    refused(result, "phone_numbers", "is a GB number");
}

#[test]
fn provision_manually_refuses_a_number_of_another_area_code() {
    let result = given(vec![submitted_us_212(), assigned("a", 1)])
        .when(provision_manually(&[IN_AREA, OTHER_AREA]))
        .inspect_result();
    refused(result, "phone_numbers", "not in area code 212");
}

#[test]
fn provision_manually_of_an_ordered_request_refuses_another_area_code() {
    let result = given(vec![
        submitted_us_212(),
        assigned("a", 1),
        ordered_with(&[OTHER_AREA]),
    ])
    .when(provision_manually(&[OTHER_AREA]))
    .inspect_result();
    refused(result, "phone_number", "not in area code 212");
}

#[test]
fn an_accepted_order_the_request_refuses_is_recorded_late_not_lost() {
    // The request waits for exactly this attempt's order, but the carrier's
    // order holds a number of another area: it cannot be the request's
    // order, and is still recorded (needing attention).
    given(vec![submitted_us_212(), assigned("a", 1)])
        .when(C::RecordLateOrder {
            carrier_order_id: order_id("order-9"),
            phone_numbers: vec![phone(OTHER_AREA)],
            attempt: 1,
        })
        .then_expect_events(vec![E::OrderLandedLate {
            carrier_order_id: order_id("order-9"),
            phone_numbers: vec![phone(OTHER_AREA)],
            attempt: 1,
        }]);
}

#[test]
fn an_accepted_order_that_fits_is_not_late_while_the_request_waits_for_it() {
    let result = given(vec![submitted_us_212(), assigned("a", 1)])
        .when(C::RecordLateOrder {
            carrier_order_id: order_id("order-9"),
            phone_numbers: vec![phone(IN_AREA)],
            attempt: 1,
        })
        .inspect_result();
    assert!(
        matches!(result, Err(NumberRequestError::InvalidTransition { .. })),
        "{result:?}"
    );
}
