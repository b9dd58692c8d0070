//! What callers can do, whatever the transport. Each use case is one call
//! holding its rules (who may use an organisation, which callback URLs are
//! refused, when a cancel must wait, which numbers fit a request); each that
//! changes a request runs exactly one command, so one commit (the store then
//! signals "the log moved" itself; no use case has to).

mod assign;
mod cancel;
mod command;
mod provision;
mod submit;

pub use assign::assign_with_notes;
pub use cancel::cancel;
pub use command::{execute, COMMANDS_TOTAL};
pub use provision::{provision_manually, ManualProvisioning};
pub use submit::{submit, submit_to_organization, IdempotencyKey, Submission};
