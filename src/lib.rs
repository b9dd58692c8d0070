//! The numberdesk service: configuration, wiring and start-up. The binary
//! (`src/main.rs`) is a thin CLI over this library, so tests can start the
//! real server on a random port.

pub mod admin;
pub mod config;
pub mod demo;
pub mod startup;
pub mod telemetry;
