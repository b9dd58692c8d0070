//! Given/when/then tests of the transitions that make a request need
//! attention: a carrier order that landed late, a recorded order the carrier
//! does not know. A bought number is never dropped, whatever the status.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
    RequestStatus,
};

fn given(events: Vec<E>) -> cqrs_es::test::AggregateTestExecutor<NumberRequest> {
    TestFramework::<NumberRequest>::with(()).given(events)
}

fn late(id: &str, numbers: &[u32], attempt: u32) -> C {
    C::RecordLateOrder {
        carrier_order_id: order_id(id),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
        attempt,
    }
}

fn landed(id: &str, numbers: &[u32], attempt: u32) -> E {
    E::OrderLandedLate {
        carrier_order_id: order_id(id),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
        attempt,
    }
}

fn cancelled() -> E {
    E::Cancelled {
        reason: Some(reason("changed my mind")),
    }
}

fn state(events: Vec<E>) -> NumberRequest {
    let mut request = NumberRequest::default();
    for event in events {
        request.apply(event);
    }
    request
}

#[test]
fn an_order_landing_on_a_cancelled_request_is_recorded_not_refused() {
    given(vec![submitted(1), assigned("system", 1), cancelled()])
        .when(late("order-9", &[1], 1))
        .then_expect_events(vec![landed("order-9", &[1], 1)]);
}

#[test]
fn late_orders_are_recorded_in_every_status_where_they_cannot_be_the_order() {
    let rejected = E::Rejected {
        reason: reason("no"),
    };
    let provisioned = E::Provisioned {
        phone_number: number(1),
    };
    for history in [
        vec![submitted(1)],
        vec![submitted(1), assigned("a", 1), rejected],
        vec![submitted(1), assigned("a", 1), ordered(&[1], 1)],
        vec![
            submitted(1),
            assigned("a", 1),
            ordered(&[1], 1),
            provisioned,
        ],
        // A later attempt started: attempt 1's order is late.
        vec![
            submitted(1),
            assigned("a", 1),
            ordered(&[1], 1),
            E::OrderFailed {
                reason: reason("no stock"),
                phone_numbers: vec![number(1)],
            },
            assigned("a", 2),
        ],
    ] {
        given(history)
            .when(late("order-9", &[2], 1))
            .then_expect_events(vec![landed("order-9", &[2], 1)]);
    }
}

#[test]
fn the_same_late_order_twice_changes_nothing() {
    given(vec![
        submitted(1),
        assigned("a", 1),
        cancelled(),
        landed("order-9", &[1], 1),
    ])
    .when(late("order-9", &[1], 1))
    .then_expect_events(vec![]);
}

#[test]
fn the_current_order_is_never_recorded_again_as_late() {
    given(vec![submitted(1), assigned("a", 1), ordered(&[1], 1)])
        .when(late("order-1", &[1], 1))
        .then_expect_events(vec![]);
}

#[test]
fn an_order_the_request_waits_for_is_not_late() {
    let result = given(vec![submitted(1), assigned("a", 1)])
        .when(late("order-9", &[1], 1))
        .inspect_result();
    assert_eq!(
        result,
        Err(NumberRequestError::InvalidTransition {
            command: "record_late_order",
            status: RequestStatus::Assigned,
        })
    );
}

#[test]
fn a_late_order_keeps_the_status_and_makes_the_request_need_attention() {
    let request = state(vec![
        submitted(1),
        assigned("a", 1),
        cancelled(),
        landed("order-9", &[1], 1),
    ]);
    assert_eq!(request.status(), Some(RequestStatus::Cancelled));
    assert!(request.attention().is_needed());
    assert_eq!(request.attention().late_orders.len(), 1);
    assert_eq!(
        request.attention().late_orders[0].phone_numbers,
        vec![number(1)]
    );
    assert!(!state(vec![submitted(1), assigned("a", 1), cancelled()])
        .attention()
        .is_needed());
}

#[test]
fn a_missing_order_is_recorded_once_and_only_for_the_current_order() {
    let history = vec![submitted(1), assigned("a", 1), ordered(&[1], 1)];
    let missing = E::OrderMissing {
        carrier_order_id: order_id("order-1"),
        reason: reason("the carrier does not know this order"),
    };
    let command = || C::RecordOrderMissing {
        carrier_order_id: order_id("order-1"),
        reason: reason("the carrier does not know this order"),
    };
    given(history.clone())
        .when(command())
        .then_expect_events(vec![missing.clone()]);
    let mut again = history.clone();
    again.push(missing.clone());
    given(again.clone())
        .when(command())
        .then_expect_events(vec![]);
    let request = state(again);
    assert_eq!(request.status(), Some(RequestStatus::Ordered));
    assert_eq!(request.attention().missing_order, Some(order_id("order-1")));
    assert!(matches!(
        given(history)
            .when(C::RecordOrderMissing {
                carrier_order_id: order_id("other"),
                reason: reason("x"),
            })
            .inspect_result(),
        Err(NumberRequestError::Invalid {
            field: "carrier_order_id",
            ..
        })
    ));
    assert!(matches!(
        given(vec![submitted(1), assigned("a", 1)])
            .when(command())
            .inspect_result(),
        Err(NumberRequestError::InvalidTransition { .. })
    ));
}

#[test]
fn attention_commands_need_a_request() {
    assert_eq!(
        TestFramework::<NumberRequest>::with(())
            .given_no_previous_events()
            .when(late("order-9", &[1], 1))
            .inspect_result(),
        Err(NumberRequestError::NotFound)
    );
}
