//! The carrier side of fulfilment: ordering an attempt (never twice),
//! applying carrier outcomes, polling pending orders, applying webhooks.
//!
//! * [`reference`]: the carrier `customer_reference` of an attempt;
//! * [`support`]: reading the request and running commands for the worker;
//! * [`assign`]: auto-fulfilment's assignment to `system`;
//! * [`job`]: the order job and its unknown-outcome marker;
//! * [`fit`]: dropping offered numbers that do not fit the request;
//! * [`attempt`]: ordering an attempt (never twice);
//! * [`outcome`]: applying carrier outcomes, from polls and webhooks;
//! * [`missing`]: a recorded order the carrier says does not exist.

mod assign;
mod attempt;
mod fit;
mod job;
mod missing;
mod outcome;
mod quote;
mod reference;
mod support;

pub(super) use assign::auto_assign;
pub(super) use attempt::run_order;
pub use job::order_outcome_unknown_since;
pub(super) use job::OrderJob;
pub use missing::ORDER_MISSING_AFTER;
pub(super) use missing::{order_not_found, NotFound};
pub(super) use outcome::{apply_webhook, run_poll};
pub use reference::{customer_reference, request_of_reference};
