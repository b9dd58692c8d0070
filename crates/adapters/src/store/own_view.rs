//! What one command's run shares between the steps cqrs-es makes it take
//! (load, then persist, deep inside `execute`) and the command that ran it:
//!
//! * the request's stream as the load read it, so the persisting
//!   transaction folds it with the new events instead of reading it again;
//! * what that transaction did with the request's view, handed back to the
//!   command (cqrs-es's `execute` answers `()`).
//!
//! Both live in a task-local slot that [`Commands::execute`](super::Commands::execute)
//! opens around the call. The slot belongs to that one command: concurrent
//! commands on the same request, in this process or another, never see each
//! other's, so a command answers exactly the version it wrote.

use crate::model::{NumberRequestView, RecordedEvent};
use std::cell::RefCell;
use std::future::Future;

/// The outcome of one command's transaction for its request's view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OwnView {
    /// The view as this command's transaction wrote it (and committed it).
    Written(Box<NumberRequestView>),
    /// Not written: the fold needs a position the sequencer has not stamped
    /// yet (the number of a `Provisioned` event written before numbers got
    /// ids of their own); a projector pass writes it.
    Deferred,
}

/// A request's whole stream as the command loaded it (committed events,
/// from sequence 1).
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The request (aggregate id).
    pub aggregate_id: String,
    /// Its events in sequence order.
    pub events: Vec<RecordedEvent>,
}

impl Loaded {
    /// The stream, if it is `aggregate_id`'s and the events appended next
    /// start at `next_sequence`: then the stream with them is the whole
    /// stream (a writer that appended in between makes the append fail on
    /// the sequence key, so the transaction never commits on a stale fold).
    pub fn continued_by(
        self,
        aggregate_id: &str,
        next_sequence: i64,
    ) -> Option<Vec<RecordedEvent>> {
        let last = self.events.last().map_or(0, |e| e.sequence);
        (self.aggregate_id == aggregate_id && last + 1 == next_sequence).then_some(self.events)
    }
}

#[derive(Default)]
struct Slot {
    loaded: Option<Loaded>,
    outcome: Option<OwnView>,
}

tokio::task_local! {
    static SLOT: RefCell<Slot>;
}

/// Runs `work` with an empty slot and returns its output with whatever the
/// repository left in the slot (`None`: no view was touched, e.g. a command
/// that decided no events, or a failed one).
pub(crate) async fn capture<F: Future>(work: F) -> (F::Output, Option<OwnView>) {
    SLOT.scope(RefCell::new(Slot::default()), async move {
        let output = work.await;
        (output, SLOT.with(|slot| slot.borrow_mut().outcome.take()))
    })
    .await
}

/// Records the committed outcome for the command running in this task (a
/// no-op outside [`capture`]).
pub(crate) fn record(outcome: OwnView) {
    let _ = SLOT.try_with(|slot| slot.borrow_mut().outcome = Some(outcome));
}

/// Keeps the stream the command running in this task loaded (a no-op
/// outside [`capture`]).
pub(crate) fn remember(loaded: Loaded) {
    let _ = SLOT.try_with(|slot| slot.borrow_mut().loaded = Some(loaded));
}

/// Takes the stream the command running in this task loaded, if any.
pub(crate) fn take_loaded() -> Option<Loaded> {
    SLOT.try_with(|slot| slot.borrow_mut().loaded.take())
        .ok()
        .flatten()
}
