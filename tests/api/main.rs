//! The black-box tests of the whole service, in one test binary (one link of
//! the service instead of one per file): each module drives the real server
//! over HTTP (or the real binary), on SQLite and PostgreSQL.
//!
//! `cargo test --test api` runs them all; `cargo test --test api rest_api::`
//! one module. `TEST_LOG=1` shows the servers' logs. The PostgreSQL restart
//! (`tests/fault_pg_restart.rs`) is its own binary: it must run alone.

#[macro_use]
mod helpers;

mod carrier_double;
mod carrier_outcomes;
mod carrier_process;
mod carrier_support;
mod carrier_unmatched;
mod cli;
mod console_assets;
mod console_browser;
mod fault_bad_input;
mod fault_concurrency;
mod fault_fuzz;
mod fault_http_limits;
mod fault_sigkill;
mod fulfilment_area;
mod fulfilment_attention;
mod fulfilment_sandbox;
mod fulfilment_telnyx;
mod graphql_api;
mod graphql_depth;
mod graphql_messages;
mod graphql_paging;
mod graphql_policy;
mod graphql_scalars;
mod harness;
mod list_cache;
mod metrics;
mod prices;
mod rest_api;
mod sandbox_restart;
mod server;
mod subscriptions;
mod two_servers;
mod ws_client;
