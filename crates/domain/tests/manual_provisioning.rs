//! `ProvisionManually`: numbers obtained outside the carrier API recorded as
//! live in one decision (one commit), or refused as a whole.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
    RequestStatus,
};

fn given(events: Vec<E>) -> cqrs_es::test::AggregateTestExecutor<NumberRequest> {
    TestFramework::<NumberRequest>::with(()).given(events)
}

fn provision_manually(numbers: &[u32]) -> C {
    C::ProvisionManually {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
    }
}

fn provisioned(n: u32) -> E {
    E::Provisioned {
        phone_number: number(n),
    }
}

#[test]
fn an_assigned_request_is_ordered_and_provisioned_in_one_decision() {
    given(vec![submitted(2), assigned("a", 1)])
        .when(provision_manually(&[1, 2]))
        .then_expect_events(vec![ordered(&[1, 2], 1), provisioned(1), provisioned(2)]);
}

#[test]
fn an_ordered_request_gets_only_the_pending_numbers() {
    given(vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        provisioned(1),
    ])
    .when(provision_manually(&[1, 2]))
    .then_expect_events(vec![provisioned(2)]);
}

#[test]
fn one_bad_number_refuses_them_all() {
    // Number 3 is not in the order: nothing at all is recorded, not even 1.
    given(vec![submitted(2), assigned("a", 1), ordered(&[1, 2], 1)])
        .when(provision_manually(&[1, 3]))
        .then_expect_error(NumberRequestError::Invalid {
            field: "phone_number",
            reason: format!("{} is not in this request's order", number(3)),
        });
}

#[test]
fn more_numbers_than_the_quantity_are_refused() {
    given(vec![submitted(1), assigned("a", 1)])
        .when(provision_manually(&[1, 2]))
        .then_expect_error(NumberRequestError::Invalid {
            field: "phone_numbers",
            reason: "an order must hold 1 to 1 numbers (got 2)".into(),
        });
}

#[test]
fn an_empty_list_is_refused() {
    given(vec![submitted(1), assigned("a", 1)])
        .when(provision_manually(&[]))
        .then_expect_error(NumberRequestError::Invalid {
            field: "phone_numbers",
            reason: "must list at least one number".into(),
        });
}

#[test]
fn a_submitted_request_is_refused() {
    given(vec![submitted(1)])
        .when(provision_manually(&[1]))
        .then_expect_error(NumberRequestError::InvalidTransition {
            command: "provision_manually",
            status: RequestStatus::Submitted,
        });
}
