//! The pure numberdesk domain.
//!
//! This crate holds the rules of a phone-number request and nothing else: the
//! [`NumberRequest`](request::NumberRequest) aggregate, the commands it accepts,
//! the events it emits, value objects that cannot hold invalid data, and the
//! ports (traits) that adapters implement. It depends on no database, HTTP
//! stack or runtime, so other services can embed it and reuse the same rules.
#![deny(missing_docs)]

pub mod metadata;
pub mod ports;
pub mod request;
pub mod values;

pub use request::{
    NumberRequest, NumberRequestCommand, NumberRequestError, NumberRequestEvent, RequestStatus,
};
