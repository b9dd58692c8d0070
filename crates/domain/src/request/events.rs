use super::RequestDetails;
use crate::values::{Assignee, CarrierOrderId, NumberPrice, OpsNotes, PhoneNumber, Reason};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version an event type is first written with. Shipped events are
/// never edited: a change of shape gets a new version (see
/// [`NumberRequestEvent::current_version`]) and an upcaster (see
/// [`super::upcasting`]).
pub const EVENT_VERSION: &str = "1.0";

/// The version `Ordered` is written with since it carries the prices of
/// what was bought (1.0 had no `prices`).
pub const ORDERED_VERSION: &str = "2.0";

/// The request was opened; carries everything the customer sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The aggregate id.
    pub id: Uuid,
    /// The REST contract's integer id.
    pub number: i64,
    /// The organisation's integer id.
    pub organization_id: i64,
    /// The owning account.
    pub account_id: Uuid,
    /// The validated request.
    pub details: RequestDetails,
}

/// Every fact recorded about a request: the log is the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberRequestEvent {
    /// See [`Submitted`].
    Submitted(Box<Submitted>),
    /// An operator now owns the request.
    Assigned {
        /// The owner.
        assignee: Assignee,
        /// Notes set with the assignment.
        notes: Option<OpsNotes>,
        /// Fulfilment attempt this assignment starts or continues (1-based).
        attempt: u32,
    },
    /// The operations team's notes changed.
    NotesUpdated {
        /// The new notes.
        notes: OpsNotes,
    },
    /// The carrier accepted an order.
    Ordered {
        /// The carrier's order id.
        carrier_order_id: CarrierOrderId,
        /// The numbers ordered.
        phone_numbers: Vec<PhoneNumber>,
        /// The attempt this order belongs to.
        attempt: u32,
        /// What the carrier quoted for the numbers bought, where known
        /// (empty for orders recorded before version 2.0, found again after
        /// a crash, or recorded by hand). Since `Ordered` 2.0.
        prices: Vec<NumberPrice>,
    },
    /// One ordered number is live.
    Provisioned {
        /// The number.
        phone_number: PhoneNumber,
    },
    /// The carrier failed these numbers (or the whole order).
    OrderFailed {
        /// The carrier's reason.
        reason: Reason,
        /// The numbers that failed.
        phone_numbers: Vec<PhoneNumber>,
    },
    /// Ops refused the request.
    Rejected {
        /// Why.
        reason: Reason,
    },
    /// The request was withdrawn.
    Cancelled {
        /// Why, if given.
        reason: Option<Reason>,
    },
    /// The carrier accepted an order the request could no longer take (it
    /// was cancelled, rejected or settled meanwhile, or a later attempt
    /// started): the numbers are bought and tracked here, and the request
    /// needs attention until ops release them. The status does not change.
    OrderLandedLate {
        /// The carrier's order id.
        carrier_order_id: CarrierOrderId,
        /// The numbers in that order (may be empty if the carrier listed none).
        phone_numbers: Vec<PhoneNumber>,
        /// The attempt that placed it.
        attempt: u32,
    },
    /// The carrier says the recorded order does not exist (after bounded
    /// retries): the request needs attention; nothing is ordered again.
    OrderMissing {
        /// The recorded order the carrier does not know.
        carrier_order_id: CarrierOrderId,
        /// What the carrier answered.
        reason: Reason,
    },
    /// Someone asked to release a number the request holds (live, or of an
    /// order that landed late); fulfilment releases it at the carrier. The
    /// status does not change.
    ReleaseRequested {
        /// The number.
        phone_number: PhoneNumber,
        /// Why.
        reason: Reason,
        /// Who asked (the actor).
        requested_by: String,
    },
    /// The carrier no longer holds the number for us: it is released. The
    /// status does not change.
    NumberReleased {
        /// The number.
        phone_number: PhoneNumber,
        /// Why (from the request for it).
        reason: Reason,
        /// Who asked for it (the actor).
        requested_by: String,
    },
}

impl NumberRequestEvent {
    /// The version events of `event_type` are written with today.
    pub fn current_version(event_type: &str) -> &'static str {
        match event_type {
            "Ordered" => ORDERED_VERSION,
            _ => EVENT_VERSION,
        }
    }

    /// Every event type name, for filters and schemas.
    pub const TYPES: [&'static str; 12] = [
        "Submitted",
        "Assigned",
        "NotesUpdated",
        "Ordered",
        "Provisioned",
        "OrderFailed",
        "Rejected",
        "Cancelled",
        "OrderLandedLate",
        "OrderMissing",
        "ReleaseRequested",
        "NumberReleased",
    ];
}

impl DomainEvent for NumberRequestEvent {
    fn event_type(&self) -> String {
        let name = match self {
            NumberRequestEvent::Submitted(_) => "Submitted",
            NumberRequestEvent::Assigned { .. } => "Assigned",
            NumberRequestEvent::NotesUpdated { .. } => "NotesUpdated",
            NumberRequestEvent::Ordered { .. } => "Ordered",
            NumberRequestEvent::Provisioned { .. } => "Provisioned",
            NumberRequestEvent::OrderFailed { .. } => "OrderFailed",
            NumberRequestEvent::Rejected { .. } => "Rejected",
            NumberRequestEvent::Cancelled { .. } => "Cancelled",
            NumberRequestEvent::OrderLandedLate { .. } => "OrderLandedLate",
            NumberRequestEvent::OrderMissing { .. } => "OrderMissing",
            NumberRequestEvent::ReleaseRequested { .. } => "ReleaseRequested",
            NumberRequestEvent::NumberReleased { .. } => "NumberReleased",
        };
        name.to_owned()
    }

    fn event_version(&self) -> String {
        Self::current_version(&self.event_type()).to_owned()
    }
}
