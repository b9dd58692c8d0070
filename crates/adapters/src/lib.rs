//! numberdesk adapters: the event log and the read side.
//!
//! * [`Database`]: PostgreSQL (production) or SQLite (embedded default),
//!   migrated at connect.
//! * Event stores: postgres-es's `PostgresEventRepository` and this crate's
//!   [`SqliteEventRepository`], both cqrs-es `PersistedEventRepository`s on the
//!   same table shape plus a global, commit-ordered `position`.
//! * [`NumberDesk`]: executes commands and serves the `number_requests` and
//!   `phone_numbers` views, history, the audit feed, time travel and rebuilds.
//!   The views are kept by a checkpointed catch-up projector (see the
//!   crate's README).
//! * [`fulfilment`]: durable jobs (order, poll, webhook, callback) and the
//!   workers and event consumer that run them, through any
//!   [`NumberProvider`](numberdesk_domain::NumberProvider).
//! * [`SqlSandboxOrders`]: the sandbox carrier's orders in the database;
//! * [`tenancy`]: partners, accounts, organisations and API keys;
//!   [`Idempotency`]: `Idempotency-Key` records for POSTs.
//!
//! # Embedding
//!
//! What an embedding service uses is re-exported here (and in the
//! [`fulfilment`] and [`tenancy`] modules); every other module is private.
//! `cargo run -p numberdesk-adapters --example embed_store` opens a
//! [`NumberDesk`] on a temporary SQLite file inside its own tokio runtime and
//! takes one request through its lifecycle with the sandbox carrier
//! (`examples/embed_store.rs`).
#![deny(missing_docs)]

mod desk;
mod error;
mod fold;
mod freshness;
pub mod fulfilment;
mod idempotency;
mod keyset;
mod lists;
mod model;
mod projector;
mod reads;
mod row_struct;
mod rows;
mod sandbox_orders;
mod sql;
mod sqlite_repo;
mod sqlite_view_repo;
mod store;
pub mod tenancy;
#[cfg(feature = "testing")]
pub mod testing;
mod view_writer;

pub use desk::{NumberDesk, StoreSettings, COMMANDS_TOTAL, ORGANIZATION_ID};
pub use error::{CommandError, Constraint, ConstraintKind, StoreError};
pub use fulfilment::{Fulfilment, FulfilmentError, FulfilmentSettings};
pub use idempotency::{Idempotency, Reservation};
pub use model::{
    AuditFilter, NumberRequestView, Page, PageRequest, PhoneNumberFilter, PhoneNumberView,
    RecordedEvent, RequestFilter,
};
pub use sandbox_orders::SqlSandboxOrders;
pub use sqlite_repo::SqliteEventRepository;
pub use sqlite_view_repo::SqliteViewRepository;
pub use store::Database;
pub use tenancy::TenancyStore;
