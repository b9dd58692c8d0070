//! A placed sandbox order.

use super::{Behaviour, SANDBOX_FAILURE_REASON};
use numberdesk_domain::ports::{CarrierNumber, CarrierOrder, CarrierOrderStatus};
use numberdesk_domain::values::PhoneNumber;
use std::time::{Duration, Instant};

/// An order the sandbox accepted.
#[derive(Debug, Clone)]
pub(crate) struct SandboxOrder {
    pub(crate) id: String,
    pub(crate) customer_reference: String,
    pub(crate) numbers: Vec<(PhoneNumber, Behaviour)>,
    pub(crate) placed_at: Instant,
}

impl SandboxOrder {
    /// How the order reads now: a pending area's numbers succeed once
    /// `pending_delay` has passed since it was placed.
    pub(crate) fn view(&self, pending_delay: Duration) -> CarrierOrder {
        let done = self.placed_at.elapsed() >= pending_delay;
        let phone_numbers: Vec<CarrierNumber> = self
            .numbers
            .iter()
            .map(|(phone_number, behaviour)| {
                let (status, reason) = match behaviour {
                    Behaviour::Immediate => (CarrierOrderStatus::Success, None),
                    Behaviour::Pending if done => (CarrierOrderStatus::Success, None),
                    Behaviour::Pending => (CarrierOrderStatus::Pending, None),
                    Behaviour::Fail => (
                        CarrierOrderStatus::Failure,
                        Some(SANDBOX_FAILURE_REASON.to_owned()),
                    ),
                };
                CarrierNumber {
                    phone_number: phone_number.clone(),
                    status,
                    reason,
                }
            })
            .collect();
        let status = if phone_numbers
            .iter()
            .any(|n| n.status == CarrierOrderStatus::Pending)
        {
            CarrierOrderStatus::Pending
        } else if phone_numbers
            .iter()
            .all(|n| n.status == CarrierOrderStatus::Failure)
        {
            CarrierOrderStatus::Failure
        } else {
            CarrierOrderStatus::Success
        };
        CarrierOrder {
            id: self.id.clone(),
            status,
            customer_reference: Some(self.customer_reference.clone()),
            phone_numbers,
        }
    }
}
