//! Fixtures shared by the adapters' test binaries that include this module.

use numberdesk_domain::request::{RequestDetails, RequestInput};
use numberdesk_domain::values::PhoneNumber;

/// A valid request for two local NL numbers.
pub fn details() -> RequestDetails {
    RequestDetails::parse(&RequestInput {
        country: Some("NL".to_owned()),
        number_type: Some("local".to_owned()),
        use_case: Some("Support line".to_owned()),
        contact_name: Some("Jane Doe".to_owned()),
        contact_email: Some("jane@acme.example".to_owned()),
        quantity: Some(2),
        ..RequestInput::default()
    })
    .expect("valid details")
}

/// The `i`th fixture number (an NL local number).
pub fn number(i: u32) -> PhoneNumber {
    PhoneNumber::parse(&format!("+312010{i:05}")).expect("valid fixture number")
}
