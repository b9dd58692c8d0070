use super::RequestDetails;
use crate::values::{Assignee, CarrierOrderId, NumberPrice, OpsNotes, PhoneNumber, Reason};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything needed to open a request. The caller (an API layer) has already
/// resolved the tenant and allocated the per-deployment `number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitNumberRequest {
    /// The aggregate id; also the carrier's `customer_reference`.
    pub id: Uuid,
    /// The stable integer id the REST contract shows (`"id": 42`).
    pub number: i64,
    /// The organisation's integer id (`organization_id` in the contract).
    pub organization_id: i64,
    /// The account that owns the organisation.
    pub account_id: Uuid,
    /// The validated request.
    pub details: RequestDetails,
}

/// What can be asked of a request. Each command either emits events or is
/// refused with a [`NumberRequestError`](super::NumberRequestError) and emits nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberRequestCommand {
    /// Open the request.
    Submit(Box<SubmitNumberRequest>),
    /// Give the request to an operator (again, to reassign it, or after a
    /// failure, to start a new attempt).
    Assign {
        /// The new owner.
        assignee: Assignee,
        /// Notes to set at the same time.
        notes: Option<OpsNotes>,
    },
    /// Replace the operations team's notes.
    UpdateNotes {
        /// The new notes (may be empty to clear them).
        notes: OpsNotes,
    },
    /// Record that the carrier accepted an order for these numbers.
    RecordOrder {
        /// The carrier's order id.
        carrier_order_id: CarrierOrderId,
        /// The numbers in the order (1 to `quantity`, no duplicates).
        phone_numbers: Vec<PhoneNumber>,
        /// What the carrier quoted for them, where known: each for a
        /// number of the order, at most once.
        prices: Vec<NumberPrice>,
    },
    /// Record that one ordered number is live.
    RecordProvisioned {
        /// The number, which must be in the current order and still pending.
        phone_number: PhoneNumber,
    },
    /// Record numbers obtained outside the carrier API as live, in one
    /// decision: on an assigned request an order of exactly these numbers
    /// (`Ordered`) and then `Provisioned` for each; on an ordered request
    /// `Provisioned` for each number still pending. Either every event is
    /// emitted or the command is refused and none is.
    ProvisionManually {
        /// The order id recorded when the request is still assigned.
        carrier_order_id: CarrierOrderId,
        /// The live numbers (at least one).
        phone_numbers: Vec<PhoneNumber>,
    },
    /// Record that the order (or some of its numbers) failed at the carrier.
    RecordOrderFailure {
        /// The carrier's reason.
        reason: Reason,
        /// The failed numbers; empty means every number still pending.
        phone_numbers: Vec<PhoneNumber>,
    },
    /// Refuse the request.
    Reject {
        /// Why, for the customer.
        reason: Reason,
    },
    /// Withdraw the request.
    Cancel {
        /// Why, if given.
        reason: Option<Reason>,
    },
    /// Record a carrier order that landed when the request could no longer
    /// take it as its order (see `OrderLandedLate`). Accepted in every
    /// status, terminal ones included, because a bought number is never
    /// dropped; an order already recorded changes nothing. Refused while the
    /// request waits for exactly this order (use `RecordOrder`).
    RecordLateOrder {
        /// The carrier's order id.
        carrier_order_id: CarrierOrderId,
        /// The numbers in the order.
        phone_numbers: Vec<PhoneNumber>,
        /// The attempt whose `customer_reference` the order carries.
        attempt: u32,
    },
    /// Record that the carrier says the current order does not exist.
    /// Only while the request is ORDERED with that order; repeating it
    /// changes nothing.
    RecordOrderMissing {
        /// The order the carrier does not know.
        carrier_order_id: CarrierOrderId,
        /// What the carrier answered.
        reason: Reason,
    },
    /// Ask to release a number the request holds: a live number of its
    /// order, or a number of an order that landed late. Accepted in every
    /// status; asking again while the release runs changes nothing; a
    /// number already released is refused.
    RequestRelease {
        /// The number.
        phone_number: PhoneNumber,
        /// Why.
        reason: Reason,
        /// Who asks (the actor).
        requested_by: String,
    },
    /// Record that the carrier no longer holds a number whose release was
    /// asked for; recording it again changes nothing.
    RecordReleased {
        /// The number.
        phone_number: PhoneNumber,
    },
}

impl NumberRequestCommand {
    /// A short name for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            NumberRequestCommand::Submit(_) => "submit",
            NumberRequestCommand::Assign { .. } => "assign",
            NumberRequestCommand::UpdateNotes { .. } => "update_notes",
            NumberRequestCommand::RecordOrder { .. } => "record_order",
            NumberRequestCommand::RecordProvisioned { .. } => "record_provisioned",
            NumberRequestCommand::ProvisionManually { .. } => "provision_manually",
            NumberRequestCommand::RecordOrderFailure { .. } => "record_order_failure",
            NumberRequestCommand::Reject { .. } => "reject",
            NumberRequestCommand::Cancel { .. } => "cancel",
            NumberRequestCommand::RecordLateOrder { .. } => "record_late_order",
            NumberRequestCommand::RecordOrderMissing { .. } => "record_order_missing",
            NumberRequestCommand::RequestRelease { .. } => "request_release",
            NumberRequestCommand::RecordReleased { .. } => "record_released",
        }
    }
}
