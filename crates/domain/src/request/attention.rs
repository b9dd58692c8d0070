//! What about a request needs the operations team's attention: carrier
//! orders that landed when the request could no longer take them (the
//! numbers are bought, and must be released or used), and a recorded order
//! the carrier says does not exist.

use super::{NumberRequestError, NumberRequestEvent, OrderState, RequestStatus};
use crate::values::{CarrierOrderId, PhoneNumber, Reason};
use serde::{Deserialize, Serialize};

/// A carrier order recorded with `OrderLandedLate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateOrder {
    /// The carrier's order id.
    pub carrier_order_id: CarrierOrderId,
    /// The numbers in it.
    pub phone_numbers: Vec<PhoneNumber>,
    /// The attempt that placed it.
    pub attempt: u32,
}

/// Everything about one request that needs attention; empty for most.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// Orders that landed when the request could no longer take them.
    pub late_orders: Vec<LateOrder>,
    /// The recorded order the carrier says does not exist.
    pub missing_order: Option<CarrierOrderId>,
    /// Numbers of late orders released since (they need nothing more).
    #[serde(default)]
    pub released: Vec<PhoneNumber>,
}

impl Attention {
    /// Whether anything needs attention.
    pub fn is_needed(&self) -> bool {
        self.unreleased_late_orders().next().is_some() || self.missing_order.is_some()
    }

    /// The late orders still holding a number nobody released (or listing
    /// no numbers at all, which ops must look at the carrier for).
    pub fn unreleased_late_orders(&self) -> impl Iterator<Item = &LateOrder> {
        self.late_orders.iter().filter(|o| {
            o.phone_numbers.is_empty() || o.phone_numbers.iter().any(|n| !self.released.contains(n))
        })
    }

    /// Whether the number is in an order that landed late.
    pub fn holds_late(&self, number: &PhoneNumber) -> bool {
        self.late_orders
            .iter()
            .any(|o| o.phone_numbers.contains(number))
    }

    fn knows(&self, id: &CarrierOrderId) -> bool {
        self.late_orders.iter().any(|o| &o.carrier_order_id == id)
    }

    pub(super) fn apply(&mut self, event: &NumberRequestEvent) {
        match event {
            NumberRequestEvent::OrderLandedLate {
                carrier_order_id,
                phone_numbers,
                attempt,
            } if !self.knows(carrier_order_id) => {
                self.late_orders.push(LateOrder {
                    carrier_order_id: carrier_order_id.clone(),
                    phone_numbers: phone_numbers.clone(),
                    attempt: *attempt,
                });
            }
            NumberRequestEvent::OrderMissing {
                carrier_order_id, ..
            } => self.missing_order = Some(carrier_order_id.clone()),
            NumberRequestEvent::NumberReleased { phone_number, .. }
                if self.holds_late(phone_number) && !self.released.contains(phone_number) =>
            {
                self.released.push(phone_number.clone());
            }
            _ => {}
        }
    }
}

/// The request as the attention decisions see it.
pub(super) struct Current<'a> {
    pub status: RequestStatus,
    pub attempt: u32,
    pub order: Option<&'a OrderState>,
    pub attention: &'a Attention,
}

impl Current<'_> {
    fn is_current_order(&self, id: &CarrierOrderId) -> bool {
        self.order.is_some_and(|o| &o.carrier_order_id == id)
    }

    /// `RecordLateOrder`: in every status, once per order. `could_take`:
    /// the order's numbers fit the request (an ASSIGNED request waiting for
    /// exactly this order takes it with `RecordOrder` instead).
    pub(super) fn late_order(
        &self,
        carrier_order_id: CarrierOrderId,
        phone_numbers: Vec<PhoneNumber>,
        attempt: u32,
        could_take: bool,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        if self.is_current_order(&carrier_order_id) || self.attention.knows(&carrier_order_id) {
            return Ok(vec![]);
        }
        if self.status == RequestStatus::Assigned && attempt == self.attempt && could_take {
            // The request waits for exactly this order: it is not late.
            return Err(NumberRequestError::InvalidTransition {
                command: "record_late_order",
                status: self.status,
            });
        }
        Ok(vec![NumberRequestEvent::OrderLandedLate {
            carrier_order_id,
            phone_numbers,
            attempt,
        }])
    }

    /// `RecordOrderMissing`: only for the current order of an ORDERED request.
    pub(super) fn order_missing(
        &self,
        carrier_order_id: CarrierOrderId,
        reason: Reason,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        if self.status != RequestStatus::Ordered {
            return Err(NumberRequestError::InvalidTransition {
                command: "record_order_missing",
                status: self.status,
            });
        }
        if !self.is_current_order(&carrier_order_id) {
            return Err(NumberRequestError::invalid(
                "carrier_order_id",
                format!("{carrier_order_id} is not this request's order"),
            ));
        }
        if self.attention.missing_order.as_ref() == Some(&carrier_order_id) {
            return Ok(vec![]);
        }
        Ok(vec![NumberRequestEvent::OrderMissing {
            carrier_order_id,
            reason,
        }])
    }
}
