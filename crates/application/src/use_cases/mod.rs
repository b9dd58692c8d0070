//! What callers can do, whatever the transport. Each use case is one call;
//! each that changes a request runs exactly one command, so one commit (the
//! store then signals "the log moved" itself; no use case has to).

mod assign;
mod command;
mod provision;
mod submit;

pub use assign::assign_with_notes;
pub use command::execute;
pub use provision::{provision_manually, ManualProvisioning};
pub use submit::{submit, IdempotencyKey, Submission};
