//! Knowing when something computed from the views is still current, so a
//! server may keep it in memory (the REST list cache does).
//!
//! The views change only in projector passes. This process bumps a
//! generation counter after each of its own passes that applied events; on
//! PostgreSQL every pass also sends `NOTIFY numberdesk_views` in its
//! transaction (delivered at commit), and
//! [`NumberDesk::follow_other_writers`](crate::NumberDesk::follow_other_writers) bumps the
//! counter for passes of other processes. A result computed after reading
//! generation `g` is exact for as long as the generation is still `g`.
//!
//! When changes could go unnoticed — PostgreSQL with no listener running, or
//! its connection lost — the generation is *unknown* and nothing may be served
//! from memory. SQLite has no notifications: readers call
//! `NumberDesk::refresh_views_generation`, which compares the checkpoint
//! with the one it saw last, so a second process on the same file is noticed
//! too.

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The PostgreSQL channel projector passes notify.
pub const VIEWS_CHANNEL: &str = "numberdesk_views";

/// Wait before listening again after the connection was lost.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// A counter that moves whenever the views may have changed.
#[derive(Debug)]
pub(crate) struct ViewsGeneration {
    value: AtomicU64,
    /// Whether every change reaches [`ViewsGeneration::bump`].
    complete: AtomicBool,
}

impl ViewsGeneration {
    /// Starts known (complete) or unknown.
    pub fn new(complete: bool) -> Self {
        Self {
            value: AtomicU64::new(0),
            complete: AtomicBool::new(complete),
        }
    }

    /// The current generation, or `None` when changes could go unnoticed.
    pub fn current(&self) -> Option<u64> {
        // `complete` first: a reader that saw it true and then the value
        // caches under a value that any later loss or change moves past.
        if !self.complete.load(Ordering::SeqCst) {
            return None;
        }
        Some(self.value.load(Ordering::SeqCst))
    }

    /// The views (may) have changed.
    pub fn bump(&self) {
        self.value.fetch_add(1, Ordering::SeqCst);
    }

    fn set_complete(&self, complete: bool) {
        self.complete.store(complete, Ordering::SeqCst);
    }
}

/// Follows other processes' projector passes for as long as it runs
/// (spawned by `NumberDesk::follow_other_writers`). While it is not
/// listening the generation is unknown.
/// Each notification also raises `log_moved` to the position it carries
/// (`NumberDesk::log_moved`); a (re)connect wakes its waiters without moving
/// it, since notifications may have been missed.
pub(crate) async fn follow_other_writers(
    pool: PgPool,
    generation: Arc<ViewsGeneration>,
    log_moved: Arc<watch::Sender<u64>>,
) {
    loop {
        match listen(&pool).await {
            Ok(mut listener) => {
                // Anything computed before now was computed while changes
                // could be missed (or never cached): start a new generation.
                generation.bump();
                generation.set_complete(true);
                log_moved.send_modify(|_| {});
                // `Ok(None)`: the connection was lost (notifications sent in
                // the meantime are gone).
                while let Ok(Some(notification)) = listener.try_recv().await {
                    generation.bump();
                    match notification.payload().parse::<u64>() {
                        Ok(position) => {
                            log_moved.send_if_modified(|seen| {
                                let moved = position > *seen;
                                *seen = (*seen).max(position);
                                moved
                            });
                        }
                        // A pass of an older version (no payload): wake anyway.
                        Err(_) => log_moved.send_modify(|_| {}),
                    }
                }
                generation.set_complete(false);
                generation.bump();
                tracing::warn!(
                    "lost the connection that follows other processes' view changes; reconnecting"
                );
            }
            Err(error) => {
                generation.set_complete(false);
                tracing::warn!(%error, "cannot listen for other processes' view changes; retrying");
            }
        }
        tokio::time::sleep(RECONNECT_DELAY).await;
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(VIEWS_CHANNEL).await?;
    Ok(listener)
}
