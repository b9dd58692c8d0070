//! Given/when/then tests of releasing numbers: only a number the request
//! holds (live, or of an order that landed late), once, in every status;
//! the carrier's confirmation is recorded once; released late numbers no
//! longer need attention.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
};

const OPS: &str = "ops:key-1";

fn given(events: Vec<E>) -> cqrs_es::test::AggregateTestExecutor<NumberRequest> {
    TestFramework::<NumberRequest>::with(()).given(events)
}

fn provisioned(n: u32) -> E {
    E::Provisioned {
        phone_number: number(n),
    }
}

/// A provisioned request holding numbers 1 and 2.
fn live() -> Vec<E> {
    vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        provisioned(1),
        provisioned(2),
    ]
}

fn release(n: u32) -> C {
    C::RequestRelease {
        phone_number: number(n),
        reason: reason("customer moved away"),
        requested_by: OPS.into(),
    }
}

fn requested(n: u32) -> E {
    E::ReleaseRequested {
        phone_number: number(n),
        reason: reason("customer moved away"),
        requested_by: OPS.into(),
    }
}

fn released(n: u32) -> E {
    E::NumberReleased {
        phone_number: number(n),
        reason: reason("customer moved away"),
        requested_by: OPS.into(),
    }
}

fn with(mut events: Vec<E>, more: Vec<E>) -> Vec<E> {
    events.extend(more);
    events
}

fn state(events: Vec<E>) -> NumberRequest {
    let mut request = NumberRequest::default();
    for event in events {
        request.apply(event);
    }
    request
}

#[test]
fn a_live_number_of_a_provisioned_request_can_be_released() {
    given(live())
        .when(release(1))
        .then_expect_events(vec![requested(1)]);
    given(with(live(), vec![requested(1)]))
        .when(C::RecordReleased {
            phone_number: number(1),
        })
        .then_expect_events(vec![released(1)]);
}

#[test]
fn asking_again_while_the_release_runs_changes_nothing() {
    given(with(live(), vec![requested(1)]))
        .when(release(1))
        .then_expect_events(vec![]);
}

#[test]
fn recording_the_release_twice_changes_nothing() {
    given(with(live(), vec![requested(1), released(1)]))
        .when(C::RecordReleased {
            phone_number: number(1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn a_released_number_is_refused_as_such() {
    given(with(live(), vec![requested(1), released(1)]))
        .when(release(1))
        .then_expect_error(NumberRequestError::AlreadyReleased {
            phone_number: number(1).as_str().to_owned(),
        });
}

#[test]
fn a_number_the_request_does_not_hold_is_refused() {
    let refused = |events: Vec<E>, n: u32, why: &str| {
        let error = state(events).decide(release(n)).expect_err("refused");
        match error {
            NumberRequestError::Invalid { field, reason } => {
                assert_eq!(field, "phone_number");
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    };
    // Not in any order of the request.
    refused(live(), 7, "is not a number this request holds");
    // Ordered, not live yet.
    refused(
        vec![submitted(1), assigned("a", 1), ordered(&[1], 1)],
        1,
        "not live yet",
    );
    // Failed at the carrier.
    refused(
        vec![
            submitted(1),
            assigned("a", 1),
            ordered(&[1], 1),
            E::OrderFailed {
                reason: reason("no"),
                phone_numbers: vec![number(1)],
            },
        ],
        1,
        "failed at the carrier",
    );
    // Never ordered.
    refused(vec![submitted(1)], 1, "is not a number this request holds");
}

#[test]
fn a_release_without_a_request_for_it_is_not_recorded() {
    let error = state(live())
        .decide(C::RecordReleased {
            phone_number: number(1),
        })
        .expect_err("refused");
    assert!(matches!(
        error,
        NumberRequestError::Invalid {
            field: "phone_number",
            ..
        }
    ));
}

#[test]
fn an_unknown_request_has_nothing_to_release() {
    given(vec![])
        .when(release(1))
        .then_expect_error(NumberRequestError::NotFound);
}

#[test]
fn the_actor_must_be_named() {
    let error = state(live())
        .decide(C::RequestRelease {
            phone_number: number(1),
            reason: reason("r"),
            requested_by: "  ".into(),
        })
        .expect_err("refused");
    assert!(matches!(
        error,
        NumberRequestError::Invalid {
            field: "requested_by",
            ..
        }
    ));
}

#[test]
fn numbers_of_a_late_order_on_a_cancelled_request_can_be_released_and_leave_attention() {
    let history = vec![
        submitted(2),
        assigned("system", 1),
        E::Cancelled { reason: None },
        E::OrderLandedLate {
            carrier_order_id: order_id("order-9"),
            phone_numbers: vec![number(1), number(2)],
            attempt: 1,
        },
    ];
    assert!(state(history.clone()).attention().is_needed());
    given(history.clone())
        .when(release(1))
        .then_expect_events(vec![requested(1)]);
    // One of two released: still needs attention.
    let one = with(history.clone(), vec![requested(1), released(1)]);
    assert!(state(one.clone()).attention().is_needed());
    // Both released: nothing left to do.
    let both = with(one, vec![requested(2), released(2)]);
    let request = state(both.clone());
    assert!(!request.attention().is_needed());
    assert!(request.releases().is_released(&number(2)));
    // The late order arriving again does not bring it back.
    given(both)
        .when(C::RecordLateOrder {
            carrier_order_id: order_id("order-9"),
            phone_numbers: vec![number(1), number(2)],
            attempt: 1,
        })
        .then_expect_events(vec![]);
}

#[test]
fn a_release_changes_no_status() {
    let before = state(live()).status();
    let after = state(with(live(), vec![requested(1), released(1)])).status();
    assert_eq!(before, after);
}
