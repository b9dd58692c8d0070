//! The process's sequencer task: stamps positions on what this process
//! (and any crashed one) committed, off the request path.

use super::{Inner, NumberDesk};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The process's sequencer task: one projector pass per wake-up (commits
/// that arrive during a pass leave a permit, so they get the next pass,
/// together), and one every `fallback` with nothing woken it, which picks
/// up events another process committed and could not sequence (it
/// crashed). Ends when the desk is dropped.
pub(super) async fn sequencer(
    inner: Weak<Inner>,
    wake: Arc<tokio::sync::Notify>,
    fallback: Duration,
) {
    loop {
        let _ = tokio::time::timeout(fallback, wake.notified()).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let desk = NumberDesk { inner };
        let committed = desk.inner.committed.load(Ordering::SeqCst);
        match desk.catch_up().await {
            Ok(_) => {
                desk.inner.settled.fetch_max(committed, Ordering::SeqCst);
            }
            Err(err) => tracing::warn!(error = %err, "sequencer pass failed; retrying"),
        }
    }
}
