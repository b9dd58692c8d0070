//! The `NumberRequest` aggregate: one customer's request for phone numbers,
//! from submission to provisioned numbers (or a visible end).

mod aggregate;
mod area_checks;
mod attention;
mod commands;
mod details;
mod error;
mod events;
mod number_checks;
mod pricing;
mod region_names;
mod status;
pub mod upcasting;

pub use aggregate::{NumberRequest, NumberState, OrderState};
pub use area_checks::{area_code_digits, area_code_mismatch, candidate_mismatch, place_mismatch};
pub use attention::{Attention, LateOrder};
pub use commands::{NumberRequestCommand, SubmitNumberRequest};
pub use details::{RequestDetails, RequestInput};
pub use error::NumberRequestError;
pub use events::{NumberRequestEvent, Submitted, EVENT_VERSION, ORDERED_VERSION};
pub use number_checks::{number_mismatch, number_region};
pub use status::RequestStatus;
