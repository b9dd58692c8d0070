//! Given/when/then tests of every allowed and every refused transition.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use numberdesk_domain::values::PhoneNumber;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
    RequestStatus,
};

fn given(events: Vec<E>) -> cqrs_es::test::AggregateTestExecutor<NumberRequest> {
    TestFramework::<NumberRequest>::with(()).given(events)
}

fn assign(name: &str) -> C {
    C::Assign {
        assignee: assignee(name),
        notes: None,
    }
}

fn record_order(numbers: &[u32]) -> C {
    C::RecordOrder {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
        prices: vec![],
    }
}

fn provision(n: u32) -> C {
    C::RecordProvisioned {
        phone_number: number(n),
    }
}

fn fail(numbers: &[u32]) -> C {
    C::RecordOrderFailure {
        reason: reason("regulatory requirements not met"),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
    }
}

// ---- allowed transitions -------------------------------------------------

#[test]
fn submit_opens_a_request() {
    TestFramework::<NumberRequest>::with(())
        .given_no_previous_events()
        .when(submit(1))
        .then_expect_events(vec![submitted(1)]);
}

#[test]
fn assign_a_submitted_request_starts_attempt_one() {
    given(vec![submitted(1)])
        .when(C::Assign {
            assignee: assignee("ops@numberdesk.example"),
            notes: Some(notes("call the carrier")),
        })
        .then_expect_events(vec![E::Assigned {
            assignee: assignee("ops@numberdesk.example"),
            notes: Some(notes("call the carrier")),
            attempt: 1,
        }]);
}

#[test]
fn reassign_keeps_the_attempt() {
    given(vec![submitted(1), assigned("alice", 1)])
        .when(assign("bob"))
        .then_expect_events(vec![assigned("bob", 1)]);
}

#[test]
fn reassigning_to_the_same_owner_changes_nothing() {
    given(vec![submitted(1), assigned("alice", 1)])
        .when(assign("alice"))
        .then_expect_events(vec![]);
}

#[test]
fn assign_after_a_failure_starts_a_new_attempt() {
    given(vec![
        submitted(1),
        assigned("alice", 1),
        ordered(&[1], 1),
        E::OrderFailed {
            reason: reason("no stock"),
            phone_numbers: vec![number(1)],
        },
    ])
    .when(assign("alice"))
    .then_expect_events(vec![assigned("alice", 2)]);
}

#[test]
fn notes_can_be_updated_while_open() {
    for history in [
        vec![submitted(1)],
        vec![submitted(1), assigned("a", 1)],
        vec![submitted(1), assigned("a", 1), ordered(&[1], 1)],
    ] {
        given(history)
            .when(C::UpdateNotes {
                notes: notes("waiting for KYC"),
            })
            .then_expect_events(vec![E::NotesUpdated {
                notes: notes("waiting for KYC"),
            }]);
    }
}

#[test]
fn same_notes_again_change_nothing() {
    given(vec![submitted(1), E::NotesUpdated { notes: notes("x") }])
        .when(C::UpdateNotes { notes: notes("x") })
        .then_expect_events(vec![]);
}

#[test]
fn order_an_assigned_request() {
    given(vec![submitted(2), assigned("a", 1)])
        .when(record_order(&[1, 2]))
        .then_expect_events(vec![ordered(&[1, 2], 1)]);
}

#[test]
fn provision_a_pending_number() {
    given(vec![submitted(2), assigned("a", 1), ordered(&[1, 2], 1)])
        .when(provision(1))
        .then_expect_events(vec![E::Provisioned {
            phone_number: number(1),
        }]);
}

#[test]
fn provisioning_the_same_number_twice_changes_nothing() {
    given(vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        E::Provisioned {
            phone_number: number(1),
        },
    ])
    .when(provision(1))
    .then_expect_events(vec![]);
}

#[test]
fn a_failure_without_numbers_fails_every_pending_number() {
    given(vec![
        submitted(3),
        assigned("a", 1),
        ordered(&[1, 2, 3], 1),
        E::Provisioned {
            phone_number: number(2),
        },
    ])
    .when(fail(&[]))
    .then_expect_events(vec![E::OrderFailed {
        reason: reason("regulatory requirements not met"),
        phone_numbers: vec![number(1), number(3)],
    }]);
}

#[test]
fn reject_and_cancel_from_every_open_status() {
    let histories = [
        vec![submitted(1)],
        vec![submitted(1), assigned("a", 1)],
        vec![
            submitted(1),
            assigned("a", 1),
            ordered(&[1], 1),
            E::OrderFailed {
                reason: reason("x"),
                phone_numbers: vec![number(1)],
            },
        ],
    ];
    for history in histories {
        given(history.clone())
            .when(C::Reject {
                reason: reason("not allowed in this country"),
            })
            .then_expect_events(vec![E::Rejected {
                reason: reason("not allowed in this country"),
            }]);
        given(history)
            .when(C::Cancel { reason: None })
            .then_expect_events(vec![E::Cancelled { reason: None }]);
    }
}

// ---- statuses that events lead to --------------------------------------

fn status_after(events: Vec<E>) -> Option<RequestStatus> {
    let mut aggregate = NumberRequest::default();
    for event in events {
        cqrs_es::Aggregate::apply(&mut aggregate, event);
    }
    aggregate.status()
}

#[test]
fn all_numbers_provisioned_means_provisioned() {
    let status = status_after(vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        E::Provisioned {
            phone_number: number(1),
        },
        E::Provisioned {
            phone_number: number(2),
        },
    ]);
    assert_eq!(status, Some(RequestStatus::Provisioned));
}

#[test]
fn some_numbers_pending_means_still_ordered() {
    let status = status_after(vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        E::Provisioned {
            phone_number: number(1),
        },
    ]);
    assert_eq!(status, Some(RequestStatus::Ordered));
}

#[test]
fn partial_success_is_provisioned_with_the_failures_kept() {
    let mut aggregate = NumberRequest::default();
    for event in [
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        E::Provisioned {
            phone_number: number(1),
        },
        E::OrderFailed {
            reason: reason("number 2 was taken"),
            phone_numbers: vec![number(2)],
        },
    ] {
        cqrs_es::Aggregate::apply(&mut aggregate, event);
    }
    assert_eq!(aggregate.status(), Some(RequestStatus::Provisioned));
    assert_eq!(aggregate.provisioned_numbers(), vec![&number(1)]);
    assert_eq!(
        aggregate.reason().map(|r| r.as_str()),
        Some("number 2 was taken")
    );
}

#[test]
fn all_numbers_failed_means_failed() {
    let status = status_after(vec![
        submitted(1),
        assigned("a", 1),
        ordered(&[1], 1),
        E::OrderFailed {
            reason: reason("x"),
            phone_numbers: vec![number(1)],
        },
    ]);
    assert_eq!(status, Some(RequestStatus::Failed));
}

// ---- refused transitions -------------------------------------------------

#[test]
fn commands_before_submission_are_not_found() {
    for command in [
        assign("a"),
        C::UpdateNotes { notes: notes("x") },
        record_order(&[1]),
        provision(1),
        fail(&[]),
        C::Reject {
            reason: reason("x"),
        },
        C::Cancel { reason: None },
    ] {
        TestFramework::<NumberRequest>::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(NumberRequestError::NotFound);
    }
}

#[test]
fn submitting_twice_is_refused() {
    given(vec![submitted(1)])
        .when(submit(1))
        .then_expect_error(NumberRequestError::AlreadySubmitted);
}

#[test]
fn no_order_before_assignment() {
    given(vec![submitted(1)])
        .when(record_order(&[1]))
        .then_expect_error(NumberRequestError::InvalidTransition {
            command: "record_order",
            status: RequestStatus::Submitted,
        });
}

#[test]
fn ordered_at_most_once_per_attempt() {
    given(vec![submitted(1), assigned("a", 1), ordered(&[1], 1)])
        .when(record_order(&[2]))
        .then_expect_error(NumberRequestError::InvalidTransition {
            command: "record_order",
            status: RequestStatus::Ordered,
        });
}

#[test]
fn no_provisioning_without_an_order() {
    for history in [vec![submitted(1)], vec![submitted(1), assigned("a", 1)]] {
        let status = status_after(history.clone()).expect("submitted");
        given(history).when(provision(1)).then_expect_error(
            NumberRequestError::InvalidTransition {
                command: "record_provisioned",
                status,
            },
        );
    }
}

#[test]
fn no_order_failure_without_an_order() {
    given(vec![submitted(1), assigned("a", 1)])
        .when(fail(&[]))
        .then_expect_error(NumberRequestError::InvalidTransition {
            command: "record_order_failure",
            status: RequestStatus::Assigned,
        });
}

#[test]
fn an_ordered_request_cannot_be_reassigned_rejected_or_cancelled() {
    let history = vec![submitted(1), assigned("a", 1), ordered(&[1], 1)];
    for (command, name) in [
        (assign("b"), "assign"),
        (
            C::Reject {
                reason: reason("x"),
            },
            "reject",
        ),
        (C::Cancel { reason: None }, "cancel"),
    ] {
        given(history.clone()).when(command).then_expect_error(
            NumberRequestError::InvalidTransition {
                command: name,
                status: RequestStatus::Ordered,
            },
        );
    }
}

#[test]
fn terminal_states_accept_nothing() {
    let provisioned = vec![
        submitted(1),
        assigned("a", 1),
        ordered(&[1], 1),
        E::Provisioned {
            phone_number: number(1),
        },
    ];
    let rejected = vec![
        submitted(1),
        E::Rejected {
            reason: reason("x"),
        },
    ];
    let cancelled = vec![submitted(1), E::Cancelled { reason: None }];
    for (history, status) in [
        (provisioned, RequestStatus::Provisioned),
        (rejected, RequestStatus::Rejected),
        (cancelled, RequestStatus::Cancelled),
    ] {
        for command in [
            assign("b"),
            C::UpdateNotes { notes: notes("y") },
            record_order(&[2]),
            provision(1),
            fail(&[]),
            C::Reject {
                reason: reason("y"),
            },
            C::Cancel { reason: None },
        ] {
            let name = command.name();
            given(history.clone()).when(command).then_expect_error(
                NumberRequestError::InvalidTransition {
                    command: name,
                    status,
                },
            );
        }
        given(history)
            .when(submit(1))
            .then_expect_error(NumberRequestError::AlreadySubmitted);
    }
}

#[test]
fn an_order_must_hold_one_to_quantity_distinct_numbers() {
    let history = vec![submitted(2), assigned("a", 1)];
    for numbers in [vec![], vec![1, 2, 3]] {
        let result = given(history.clone())
            .when(record_order(&numbers))
            .inspect_result();
        assert!(
            matches!(
                result,
                Err(NumberRequestError::Invalid {
                    field: "phone_numbers",
                    ..
                })
            ),
            "{numbers:?} gave {result:?}"
        );
    }
    let result = given(history).when(record_order(&[1, 1])).inspect_result();
    assert!(matches!(
        result,
        Err(NumberRequestError::Invalid {
            field: "phone_numbers",
            ..
        })
    ));
}

#[test]
fn provisioning_a_number_outside_the_order_is_refused() {
    let result = given(vec![submitted(1), assigned("a", 1), ordered(&[1], 1)])
        .when(C::RecordProvisioned {
            phone_number: PhoneNumber::parse("+14155552671").expect("valid"),
        })
        .inspect_result();
    assert!(matches!(
        result,
        Err(NumberRequestError::Invalid {
            field: "phone_number",
            ..
        })
    ));
}

#[test]
fn a_failed_number_cannot_be_provisioned_and_a_provisioned_one_cannot_fail() {
    let history = vec![
        submitted(2),
        assigned("a", 1),
        ordered(&[1, 2], 1),
        E::Provisioned {
            phone_number: number(1),
        },
        E::OrderFailed {
            reason: reason("x"),
            phone_numbers: vec![number(2)],
        },
    ];
    // Both numbers are settled, so the request is terminal (provisioned).
    given(history.clone()).when(provision(2)).then_expect_error(
        NumberRequestError::InvalidTransition {
            command: "record_provisioned",
            status: RequestStatus::Provisioned,
        },
    );
    let open = vec![
        submitted(3),
        assigned("a", 1),
        ordered(&[1, 2, 3], 1),
        E::Provisioned {
            phone_number: number(1),
        },
        E::OrderFailed {
            reason: reason("x"),
            phone_numbers: vec![number(2)],
        },
    ];
    assert!(matches!(
        given(open.clone()).when(provision(2)).inspect_result(),
        Err(NumberRequestError::Invalid { .. })
    ));
    assert!(matches!(
        given(open).when(fail(&[1])).inspect_result(),
        Err(NumberRequestError::Invalid { .. })
    ));
}

#[test]
fn errors_name_the_rule_for_people() {
    let err = NumberRequestError::InvalidTransition {
        command: "record_order",
        status: RequestStatus::Submitted,
    };
    assert_eq!(
        err.to_string(),
        "cannot record_order a request that is submitted"
    );
}
