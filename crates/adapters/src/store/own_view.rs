//! What a command's own transaction did with its request's view, handed
//! from the event repository (deep inside cqrs-es's `execute`) back to the
//! command that ran it.
//!
//! cqrs-es's `execute` answers `()`, so the repository leaves its outcome in
//! a task-local slot that [`Commands::execute`](super::Commands::execute)
//! opens around the call. The slot belongs to that one command: concurrent
//! commands on the same request, in this process or another, never see each
//! other's outcome, so a command answers exactly the version it wrote.

use crate::model::NumberRequestView;
use std::cell::RefCell;
use std::future::Future;

/// The outcome of one command's transaction for its request's view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OwnView {
    /// The view as this command's transaction wrote it (and committed it).
    Written(Box<NumberRequestView>),
    /// Not written: the fold needs a position the sequencer has not stamped
    /// yet (a provisioned number's id); a projector pass writes it.
    Deferred,
}

tokio::task_local! {
    static OWN_VIEW: RefCell<Option<OwnView>>;
}

/// Runs `work` with an empty slot and returns its output with whatever the
/// repository left in the slot (`None`: no view was touched, e.g. a command
/// that decided no events, or a failed one).
pub(crate) async fn capture<F: Future>(work: F) -> (F::Output, Option<OwnView>) {
    OWN_VIEW
        .scope(RefCell::new(None), async move {
            let output = work.await;
            (output, OWN_VIEW.with(|slot| slot.borrow_mut().take()))
        })
        .await
}

/// Records the committed outcome for the command running in this task (a
/// no-op outside [`capture`]).
pub(crate) fn record(outcome: OwnView) {
    let _ = OWN_VIEW.try_with(|slot| *slot.borrow_mut() = Some(outcome));
}
