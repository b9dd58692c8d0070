//! Fixtures shared by the domain's test files.
#![allow(dead_code)] // each test binary uses a different subset of the fixtures

use numberdesk_domain::request::{RequestDetails, RequestInput, SubmitNumberRequest, Submitted};
use numberdesk_domain::values::{Assignee, CarrierOrderId, OpsNotes, PhoneNumber, Reason};
use numberdesk_domain::{NumberRequestCommand, NumberRequestEvent};
use uuid::Uuid;

pub const REQUEST_ID: Uuid = Uuid::from_u128(0x42);

/// The body of the REST contract's example curl.
pub fn seed_input() -> RequestInput {
    RequestInput {
        country: Some("IT".into()),
        number_type: Some("local".into()),
        use_case: Some("Automation".into()),
        contact_name: Some("Jane Doe".into()),
        contact_email: Some("jane@acme.example".into()),
        requested_area: Some("Amsterdam".into()),
        company_name: Some("Acme BV".into()),
        vat_number: Some("".into()),
        address: Some("Keizersgracht 1".into()),
        website: Some("https://acme.example".into()),
        ..RequestInput::default()
    }
}

pub fn details_with_quantity(quantity: i64) -> RequestDetails {
    RequestDetails::parse(&RequestInput {
        quantity: Some(quantity),
        ..seed_input()
    })
    .expect("fixture is valid")
}

pub fn submit(quantity: i64) -> NumberRequestCommand {
    NumberRequestCommand::Submit(Box::new(SubmitNumberRequest {
        id: REQUEST_ID,
        number: 42,
        organization_id: 1,
        account_id: Uuid::from_u128(7),
        details: details_with_quantity(quantity),
    }))
}

pub fn submitted(quantity: i64) -> NumberRequestEvent {
    NumberRequestEvent::Submitted(Box::new(Submitted {
        id: REQUEST_ID,
        number: 42,
        organization_id: 1,
        account_id: Uuid::from_u128(7),
        details: details_with_quantity(quantity),
    }))
}

/// Valid Italian fixed-line numbers (the fixture request is IT): +39 02 1234 56xx.
pub fn number(i: u32) -> PhoneNumber {
    PhoneNumber::parse(&format!("+3902123456{:02}", i % 100)).expect("valid fixture number")
}

pub fn assignee(name: &str) -> Assignee {
    Assignee::parse(name).expect("valid assignee")
}

pub fn notes(text: &str) -> OpsNotes {
    OpsNotes::parse(text).expect("valid notes")
}

pub fn reason(text: &str) -> Reason {
    Reason::parse(text).expect("valid reason")
}

pub fn order_id(text: &str) -> CarrierOrderId {
    CarrierOrderId::parse(text).expect("valid order id")
}

pub fn assigned(name: &str, attempt: u32) -> NumberRequestEvent {
    NumberRequestEvent::Assigned {
        assignee: assignee(name),
        notes: None,
        attempt,
    }
}

pub fn ordered(numbers: &[u32], attempt: u32) -> NumberRequestEvent {
    NumberRequestEvent::Ordered {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
        attempt,
        prices: vec![],
    }
}
