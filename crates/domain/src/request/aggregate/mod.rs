//! The `NumberRequest` aggregate: its state and accessors here; what a
//! command decides in [`decide`], the rules it checks in [`checks`], and how
//! events change the state in [`apply`].

mod apply;
mod checks;
mod decide;

use super::attention::Attention;
use super::release::Releases;
use super::{RequestDetails, RequestStatus};
use crate::values::{Assignee, CarrierOrderId, OpsNotes, PhoneNumber, Reason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Where one ordered number stands at the carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    /// Ordered, outcome not known yet.
    Pending,
    /// Live.
    Provisioned,
    /// The carrier could not deliver it.
    Failed,
}

/// The carrier order of the current attempt, tracked per number so partial
/// success is represented honestly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    /// The carrier's order id.
    pub carrier_order_id: CarrierOrderId,
    /// The attempt that placed it.
    pub attempt: u32,
    /// Each ordered number and its state.
    pub numbers: BTreeMap<PhoneNumber, NumberState>,
}

impl OrderState {
    fn is_settled(&self) -> bool {
        self.numbers.values().all(|s| *s != NumberState::Pending)
    }

    fn any_provisioned(&self) -> bool {
        self.numbers
            .values()
            .any(|s| *s == NumberState::Provisioned)
    }
}

/// One customer request for phone numbers. State is only ever changed by
/// applying events, so replaying the log rebuilds it exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRequest {
    id: Option<Uuid>,
    number: i64,
    organization_id: i64,
    account_id: Option<Uuid>,
    details: Option<RequestDetails>,
    status: Option<RequestStatus>,
    assigned_to: Option<Assignee>,
    ops_notes: Option<OpsNotes>,
    attempt: u32,
    order: Option<OrderState>,
    reason: Option<Reason>,
    #[serde(default)]
    attention: Attention,
    #[serde(default)]
    releases: Releases,
}

impl NumberRequest {
    /// The aggregate id, once submitted.
    pub fn id(&self) -> Option<Uuid> {
        self.id
    }
    /// The REST contract's integer id (0 before submission).
    pub fn number(&self) -> i64 {
        self.number
    }
    /// The owning organisation's integer id.
    pub fn organization_id(&self) -> i64 {
        self.organization_id
    }
    /// The owning account.
    pub fn account_id(&self) -> Option<Uuid> {
        self.account_id
    }
    /// What the customer asked for, once submitted.
    pub fn details(&self) -> Option<&RequestDetails> {
        self.details.as_ref()
    }
    /// `None` until submitted.
    pub fn status(&self) -> Option<RequestStatus> {
        self.status
    }
    /// The current owner.
    pub fn assigned_to(&self) -> Option<&Assignee> {
        self.assigned_to.as_ref()
    }
    /// The operations team's notes.
    pub fn ops_notes(&self) -> Option<&OpsNotes> {
        self.ops_notes.as_ref()
    }
    /// The current fulfilment attempt (0 before the first assignment).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
    /// The current attempt's carrier order, if one was placed.
    pub fn order(&self) -> Option<&OrderState> {
        self.order.as_ref()
    }
    /// Why it was rejected, cancelled or last failed.
    pub fn reason(&self) -> Option<&Reason> {
        self.reason.as_ref()
    }
    /// What needs the operations team's attention (late orders, a missing
    /// order); empty for most requests.
    pub fn attention(&self) -> &Attention {
        &self.attention
    }
    /// The numbers whose release was asked for, and where each stands.
    pub fn releases(&self) -> &Releases {
        &self.releases
    }
    /// The numbers that went live (released ones included; see
    /// [`NumberRequest::releases`]).
    pub fn provisioned_numbers(&self) -> Vec<&PhoneNumber> {
        self.order
            .iter()
            .flat_map(|o| o.numbers.iter())
            .filter(|(_, s)| **s == NumberState::Provisioned)
            .map(|(n, _)| n)
            .collect()
    }
}
