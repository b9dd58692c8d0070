//! The store seam: the one place the backend is chosen.
//!
//! * [`Database`] (`database.rs`): the runtime choice, PostgreSQL or SQLite,
//!   connected and migrated.
//! * [`Sql`] / [`Param`] (`crate::sql`, re-exported here): a statement as
//!   data — numbered parameters, portable SQL — so every query is written
//!   once. It lives outside this module because the row shapes (`rows.rs`,
//!   `row_struct.rs`) build `Param`s, and this module uses those rows.
//! * [`Conn`], `Tx` and the [`Database`] shortcuts (`exec.rs`): run a
//!   statement on either backend, binding each [`Param`] with that backend's
//!   sqlx types and decoding any `Record` (a `sqlx::FromRow` both backends
//!   decode). `exec.rs` is the only code that matches on the backend.
//! * [`Dialect`] (`dialect.rs`): what really differs, as data — the write
//!   transaction's `BEGIN`, the projector's lock and sequencer, drawing a
//!   request number, the database clock, `SKIP LOCKED`, notifications.
//! * [`Commands`] (`commands.rs`): cqrs-es on the seam's event repository
//!   (`event_repo.rs`: one for both backends; a command's events, view row
//!   and counter deltas in one transaction; `view_rows.rs` writes the view
//!   rows, for the command and for projector passes; `own_view.rs` carries the
//!   stream the command loaded to its transaction and hands the view it
//!   wrote back to the command; `stream.rs` draws the ids of provisioned
//!   numbers in that transaction).

mod commands;
mod database;
mod dialect;
mod event_repo;
mod exec;
mod own_view;
mod stream;
mod view_rows;

pub(crate) use crate::sql::{Param, Sql};
pub(crate) use commands::Commands;
pub use database::Database;
pub(crate) use dialect::Dialect;
pub(crate) use exec::Conn;
pub(crate) use own_view::OwnView;
pub(crate) use view_rows::write_projection;
