//! Where the sandbox carrier keeps its orders: a port, so an embedding
//! service can keep them in memory and the numberdesk server keeps them in
//! its own database, where they survive a restart (an order pending across
//! a restart is still found, and completes).

use crate::values::PhoneNumber;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a number of a sandbox order does, decided by the search that
/// found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxOutcome {
    /// Succeeds at once.
    Immediate,
    /// Pending, then succeeds once the sandbox's pending delay has passed
    /// since the order was placed.
    Pending,
    /// Fails (regulatory requirements not met).
    Fail,
}

/// One number of a sandbox order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxOrderNumber {
    /// The number.
    pub phone_number: PhoneNumber,
    /// What it does.
    pub outcome: SandboxOutcome,
}

/// An order the sandbox accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxOrder {
    /// The sandbox's order id (`sandbox-<uuid>`).
    pub id: String,
    /// The caller's idempotency reference; one order per reference.
    pub customer_reference: String,
    /// When it was placed (wall clock, so the pending delay runs across
    /// restarts).
    pub placed_at: DateTime<Utc>,
    /// Its numbers.
    pub numbers: Vec<SandboxOrderNumber>,
}

/// What storing a new sandbox order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxPlacement {
    /// Stored.
    Placed,
    /// An order with this reference exists already (placed first): it,
    /// and nothing stored.
    Existing(SandboxOrder),
    /// This number is in another (not failed) order: nothing stored.
    Taken(PhoneNumber),
}

/// A sandbox order store failed (its database is unreachable, say).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sandbox order store: {0}")]
pub struct SandboxStoreError(pub String);

/// The sandbox carrier's orders and the numbers they hold.
#[async_trait]
pub trait SandboxOrderStore: Send + Sync + std::fmt::Debug {
    /// Stores `order` unless its reference has an order already or one of
    /// its numbers that does not fail is held by another order; atomic
    /// (nothing stored unless [`SandboxPlacement::Placed`]).
    async fn place(&self, order: &SandboxOrder) -> Result<SandboxPlacement, SandboxStoreError>;
    /// The order with this id.
    async fn order(&self, id: &str) -> Result<Option<SandboxOrder>, SandboxStoreError>;
    /// The order placed with this reference.
    async fn order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<SandboxOrder>, SandboxStoreError>;
    /// Which of `numbers` are held by an order.
    async fn taken(&self, numbers: &[PhoneNumber]) -> Result<Vec<PhoneNumber>, SandboxStoreError>;
}
