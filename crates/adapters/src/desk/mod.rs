//! [`NumberDesk`]: the command side (cqrs-es on the chosen event store) and
//! the read side (views, history, audit) behind one handle.
//!
//! # How the views are kept
//!
//! One commit per command: the command's events, its request's view row
//! (folded from the log, guarded by the request's version) and its counter
//! deltas are written in **one** transaction (`store/event_repo.rs`,
//! `store/view_rows.rs`), so the response reads its own effect and
//! no row shared by all writers is touched. Positions for the log's
//! consumers (subscriptions, the fulfilment consumer, the audit feed) are
//! stamped off the request path by the projector pass ([`crate::projector`],
//! the single sequencer), run by one background task per process, woken
//! after commits and batching many commands per pass:
//!
//! * a reader never sees a view ahead of the log: view rows commit with
//!   their events;
//! * a crash never leaves the log unsequenced for good: [`NumberDesk::open`]
//!   and every pass of any process sequence what is committed;
//! * the few commands whose view needs a position (a `Provisioned` number's
//!   id is its event's position) wait for a pass before reading their view;
//! * reads that page by position (history, audit, `events_after`,
//!   `projection_status`) first wait for a pass if this process committed
//!   since the last one, so they too read this process's own writes.

use crate::freshness::{self, ViewsGeneration};
use crate::projector::Projector;
use crate::store::Commands;
use crate::{reads, Database, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

mod commands;
mod read_side;
mod sequencer;

pub use commands::COMMANDS_TOTAL;

use sequencer::sequencer;

pub use crate::rows::ORGANIZATION_ID;

/// Event store tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSettings {
    /// Snapshot the aggregate every this many events (0 = never, the
    /// default: a command reads its whole stream anyway, see the README).
    pub snapshot_every: usize,
    /// How often the sequencer task runs a pass that nothing woke: the
    /// longest a crashed process's committed events wait for a position
    /// (default 1 s).
    pub sequencer_fallback: std::time::Duration,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            snapshot_every: 0,
            sequencer_fallback: std::time::Duration::from_secs(1),
        }
    }
}

struct Inner {
    db: Database,
    commands: Commands,
    projector: Projector,
    /// Commands committed by this process (each one wakes the sequencer).
    committed: AtomicU64,
    /// `committed` as it was when a pass last started that has finished.
    settled: AtomicU64,
    /// Wakes the sequencer task.
    wake: Arc<tokio::sync::Notify>,
    /// The owning organisation of requests seen lately. A request never
    /// changes owner, so this only saves [`NumberDesk::execute`] a view read
    /// per command.
    owners: moka::sync::Cache<Uuid, i64>,
    /// Moves when the views may have changed (see `freshness.rs`).
    generation: Arc<ViewsGeneration>,
    /// The one "log moved" signal: the highest committed, sequenced position
    /// this process knows of (see [`NumberDesk::log_moved`]).
    log_moved: Arc<tokio::sync::watch::Sender<u64>>,
    /// The projector checkpoint as last read by an audit total: its first
    /// guess next time (a wrong guess costs one more statement, never a
    /// wrong total).
    checkpoint_seen: std::sync::atomic::AtomicI64,
    /// SQLite: the highest position [`NumberDesk::refresh_views_generation`]
    /// saw last (-1: none yet).
    freshness_checkpoint: std::sync::atomic::AtomicI64,
}

/// Requests whose owner [`Inner::owners`] remembers.
const OWNER_CACHE_CAPACITY: u64 = 100_000;

/// The number-request service's store: commands in, views and history out.
#[derive(Clone)]
pub struct NumberDesk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for NumberDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumberDesk")
            .field("backend", &self.inner.db.backend_name())
            .finish()
    }
}

impl NumberDesk {
    /// Wraps a migrated database and brings the views up to date with the log
    /// (repairing whatever a crash left behind).
    pub async fn open(db: Database, settings: StoreSettings) -> Result<NumberDesk, StoreError> {
        let commands = db.commands(settings.snapshot_every);
        let wake = Arc::new(tokio::sync::Notify::new());
        // Without notifications (SQLite): known from the start (other
        // processes are noticed by `refresh_views_generation`); PostgreSQL:
        // unknown until `follow_other_writers` listens.
        let generation_known = !db.dialect().notifies;
        let desk = NumberDesk {
            inner: Arc::new(Inner {
                db,
                commands,
                projector: Projector::default(),
                committed: AtomicU64::new(0),
                settled: AtomicU64::new(0),
                wake: wake.clone(),
                owners: moka::sync::Cache::new(OWNER_CACHE_CAPACITY),
                generation: Arc::new(ViewsGeneration::new(generation_known)),
                log_moved: Arc::new(tokio::sync::watch::Sender::new(0)),
                checkpoint_seen: std::sync::atomic::AtomicI64::new(0),
                freshness_checkpoint: std::sync::atomic::AtomicI64::new(-1),
            }),
        };
        desk.catch_up().await?;
        tokio::spawn(sequencer(
            Arc::downgrade(&desk.inner),
            wake,
            settings.sequencer_fallback,
        ));
        Ok(desk)
    }

    /// Waits for a projector pass if this process committed commands since
    /// the last finished pass started, so reads that page by position see
    /// this process's own writes.
    pub(crate) async fn settle(&self) -> Result<(), StoreError> {
        let committed = self.inner.committed.load(Ordering::SeqCst);
        if committed > self.inner.settled.load(Ordering::SeqCst) {
            self.catch_up().await?;
            self.inner.settled.fetch_max(committed, Ordering::SeqCst);
        }
        Ok(())
    }

    /// The one "log moved" signal: a watch of the highest committed (and, on
    /// PostgreSQL, sequenced) position this process knows of. It moves after
    /// every projector pass of this process that applied events — so after
    /// every command, the fulfilment workers' included — and, while
    /// [`NumberDesk::follow_other_writers`] runs, when another process's
    /// pass is heard (and once on every reconnect, without moving, so that
    /// waiters re-read). Wake on it, then read [`NumberDesk::events_after`].
    pub fn log_moved(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.log_moved.subscribe()
    }

    /// Raises the "log moved" signal to `position` (never lowers it).
    fn moved_to(&self, position: i64) {
        let position = u64::try_from(position).unwrap_or_default();
        self.inner.log_moved.send_if_modified(|seen| {
            let moved = position > *seen;
            *seen = (*seen).max(position);
            moved
        });
    }

    /// The database behind the store.
    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    /// A token for keeping results computed from the views in memory: while
    /// it is unchanged, no projector pass has changed the views since it was
    /// read. `None` means changes could go unnoticed right now (PostgreSQL
    /// without [`NumberDesk::follow_other_writers`] running, or its
    /// connection lost): compute from the database. See `freshness.rs`.
    pub fn views_generation(&self) -> Option<u64> {
        self.inner.generation.current()
    }

    /// [`NumberDesk::views_generation`], after looking for commands of other
    /// processes that this one cannot hear: on SQLite (no notifications) it
    /// reads the highest position (given at insert, so it moves with every
    /// commit, view rows included) and moves the generation if it moved
    /// since it last looked — one small read, so a second process on the
    /// same file never leaves a cached result stale.
    /// On PostgreSQL the listener does that and nothing is read. `None` also
    /// when the read fails.
    pub async fn refresh_views_generation(&self) -> Option<u64> {
        if !self.inner.db.dialect().notifies {
            let position = reads::last_position(&self.inner.db).await.ok()?;
            let seen = self
                .inner
                .freshness_checkpoint
                .swap(position, Ordering::SeqCst);
            if seen != position {
                self.inner.generation.bump();
                self.moved_to(position);
            }
        }
        self.views_generation()
    }

    /// On PostgreSQL, spawns the task that hears other processes' projector
    /// passes (`LISTEN numberdesk_views`), so [`NumberDesk::views_generation`]
    /// is known; on SQLite there is nothing to follow and it returns `None`.
    /// Must be called inside a Tokio runtime.
    pub fn follow_other_writers(&self) -> Option<tokio::task::JoinHandle<()>> {
        let pool = self.inner.db.as_postgres()?;
        Some(tokio::spawn(freshness::follow_other_writers(
            pool.clone(),
            self.inner.generation.clone(),
            self.inner.log_moved.clone(),
        )))
    }

    /// Sequences every event committed so far and applies it to what the
    /// projector keeps (positions, audit counts, the views commands left to
    /// it, folded counters); returns how many events it applied. Runs at
    /// [`NumberDesk::open`], in the sequencer task after commits, and before
    /// position-paged reads that would otherwise miss this process's writes.
    ///
    /// Concurrent callers share passes (a group commit for the projector): a
    /// caller whose commit an already finished pass was started after
    /// returns at once, and a pass stops at the first batch shorter than the
    /// batch size instead of running one more, empty, transaction.
    pub async fn catch_up(&self) -> Result<u64, StoreError> {
        self.inner
            .projector
            .catch_up(&self.inner.db, |changed, reached| {
                if changed {
                    self.inner.generation.bump();
                }
                if let Some(position) = reached {
                    self.moved_to(position);
                }
            })
            .await
    }

    /// Empties both views and replays the whole log into them in one
    /// transaction (readers keep seeing the old rows until it commits).
    /// Returns how many events were replayed.
    pub async fn rebuild_projections(&self) -> Result<u64, StoreError> {
        let (reached, replayed) = self.inner.projector.rebuild(&self.inner.db).await?;
        self.inner.generation.bump();
        // Wakes waiters even when the position did not move.
        self.inner
            .log_moved
            .send_modify(|seen| *seen = (*seen).max(reached as u64));
        Ok(replayed)
    }
}
