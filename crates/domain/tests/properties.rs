//! Property tests: random command sequences never break an invariant, replay
//! rebuilds the same state, and events and snapshots round-trip through JSON.

mod common;

use common::*;
use cqrs_es::Aggregate;
use numberdesk_domain::request::NumberState;
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestEvent as E, RequestStatus,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn command() -> impl Strategy<Value = C> {
    let numbers = prop::collection::vec(0u32..6, 0..4);
    prop_oneof![
        (1i64..4).prop_map(submit),
        prop::sample::select(vec!["alice", "bob"]).prop_map(|a| C::Assign {
            assignee: assignee(a),
            notes: None,
        }),
        "[a-z ]{0,12}".prop_map(|t| C::UpdateNotes { notes: notes(&t) }),
        numbers.clone().prop_map(|ns| C::RecordOrder {
            carrier_order_id: order_id("order"),
            phone_numbers: ns.into_iter().map(number).collect(),
            prices: vec![],
        }),
        (0u32..6).prop_map(|n| C::RecordProvisioned {
            phone_number: number(n)
        }),
        numbers.prop_map(|ns| C::RecordOrderFailure {
            reason: reason("carrier said no"),
            phone_numbers: ns.into_iter().map(number).collect(),
        }),
        Just(C::Reject {
            reason: reason("no")
        }),
        Just(C::Cancel { reason: None }),
    ]
}

/// Runs the commands, returning the live aggregate and every emitted event.
fn run(commands: Vec<C>) -> (NumberRequest, Vec<E>) {
    let mut aggregate = NumberRequest::default();
    let mut log = Vec::new();
    for command in commands {
        let before = aggregate.clone();
        match aggregate.decide(command) {
            Ok(events) => {
                for event in events {
                    aggregate.apply(event.clone());
                    log.push(event);
                }
            }
            Err(_) => assert_eq!(aggregate, before, "a refused command changed state"),
        }
    }
    (aggregate, log)
}

fn replay(events: &[E]) -> NumberRequest {
    let mut aggregate = NumberRequest::default();
    for event in events {
        aggregate.apply(event.clone());
    }
    aggregate
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn invariants_hold_for_any_command_sequence(commands in prop::collection::vec(command(), 0..40)) {
        let (live, log) = run(commands);

        // Exactly one Submitted, and it comes first.
        let submits = log.iter().filter(|e| matches!(e, E::Submitted(_))).count();
        prop_assert!(submits <= 1);
        if let Some(first) = log.first() {
            prop_assert!(matches!(first, E::Submitted(_)));
        }

        let mut status: Option<RequestStatus> = None;
        let mut state = NumberRequest::default();
        let mut ordered_attempts = BTreeSet::new();
        for event in &log {
            // Terminal states accept nothing.
            prop_assert!(!status.is_some_and(RequestStatus::is_terminal), "event {event:?} after {status:?}");
            match event {
                // No order before assignment, at most one per attempt.
                E::Ordered { attempt, phone_numbers, .. } => {
                    prop_assert_eq!(status, Some(RequestStatus::Assigned));
                    prop_assert!(ordered_attempts.insert(*attempt));
                    let quantity = state.details().map_or(0, |d| usize::from(d.quantity.get()));
                    prop_assert!(!phone_numbers.is_empty() && phone_numbers.len() <= quantity);
                }
                // No provisioning without an order, and only of ordered numbers.
                E::Provisioned { phone_number } => {
                    prop_assert_eq!(status, Some(RequestStatus::Ordered));
                    let order = state.order().expect("an order exists");
                    prop_assert_eq!(order.numbers.get(phone_number), Some(&NumberState::Pending));
                }
                E::OrderFailed { .. } => prop_assert_eq!(status, Some(RequestStatus::Ordered)),
                _ => {}
            }
            state.apply(event.clone());
            status = state.status();
        }

        // Provisioned means every number settled and at least one live.
        if live.status() == Some(RequestStatus::Provisioned) {
            let order = live.order().expect("provisioned requests have an order");
            prop_assert!(order.numbers.values().all(|s| *s != NumberState::Pending));
            prop_assert!(!live.provisioned_numbers().is_empty());
        }
    }

    #[test]
    fn replaying_the_events_rebuilds_the_same_state(commands in prop::collection::vec(command(), 0..40)) {
        let (live, log) = run(commands);
        prop_assert_eq!(replay(&log), live);
    }

    #[test]
    fn events_and_snapshots_round_trip_through_json(commands in prop::collection::vec(command(), 0..40)) {
        let (live, log) = run(commands);
        for event in &log {
            let json = serde_json::to_value(event).expect("serialises");
            let back: E = serde_json::from_value(json).expect("deserialises");
            prop_assert_eq!(&back, event);
        }
        let snapshot = serde_json::to_string(&live).expect("serialises");
        let restored: NumberRequest = serde_json::from_str(&snapshot).expect("deserialises");
        prop_assert_eq!(restored, live);
    }
}

#[test]
fn event_json_is_snake_case_and_stable() {
    let event = E::Assigned {
        assignee: assignee("alice"),
        notes: None,
        attempt: 1,
    };
    assert_eq!(
        serde_json::to_value(&event).expect("serialises"),
        serde_json::json!({"assigned": {"assignee": "alice", "notes": null, "attempt": 1}})
    );
    let submitted = serde_json::to_value(submitted(1)).expect("serialises");
    let details = &submitted["submitted"]["details"];
    assert_eq!(details["country"], "IT");
    assert_eq!(details["number_type"], "local");
    assert_eq!(details["contact_email"], "jane@acme.example");
    assert_eq!(details["quantity"], 1);
}

#[test]
fn every_event_names_its_type_and_version() {
    use cqrs_es::DomainEvent;
    let (_, log) = run(vec![
        submit(1),
        C::Assign {
            assignee: assignee("a"),
            notes: None,
        },
        C::RecordOrder {
            carrier_order_id: order_id("o"),
            phone_numbers: vec![number(1)],
            prices: vec![],
        },
        C::RecordProvisioned {
            phone_number: number(1),
        },
    ]);
    let types: Vec<String> = log.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, ["Submitted", "Assigned", "Ordered", "Provisioned"]);
    let versions: Vec<String> = log.iter().map(DomainEvent::event_version).collect();
    assert_eq!(versions, ["1.0", "1.0", "2.0", "1.0"]);
    assert!(types.iter().all(|t| E::TYPES.contains(&t.as_str())));
}

#[test]
fn stored_json_with_invalid_values_is_refused() {
    // Deserialisation goes through the validating constructors, so a tampered
    // or corrupted log cannot smuggle invalid data into the aggregate.
    let bad = serde_json::json!({"provisioned": {"phone_number": "12345"}});
    assert!(serde_json::from_value::<E>(bad).is_err());
}
