//! How a placed sandbox order reads: its status now.

use super::SANDBOX_FAILURE_REASON;
use chrono::Utc;
use numberdesk_domain::ports::{
    CarrierNumber, CarrierOrder, CarrierOrderStatus, SandboxOrder, SandboxOutcome,
};
use std::time::Duration;

/// How `order` reads now: a pending area's numbers succeed once
/// `pending_delay` has passed since it was placed (wall clock, so across a
/// restart too).
pub(crate) fn view(order: &SandboxOrder, pending_delay: Duration) -> CarrierOrder {
    let elapsed = Utc::now()
        .signed_duration_since(order.placed_at)
        .to_std()
        .unwrap_or(Duration::ZERO);
    let done = elapsed >= pending_delay;
    let phone_numbers: Vec<CarrierNumber> = order
        .numbers
        .iter()
        .map(|number| {
            let (status, reason) = match number.outcome {
                SandboxOutcome::Immediate => (CarrierOrderStatus::Success, None),
                SandboxOutcome::Pending if done => (CarrierOrderStatus::Success, None),
                SandboxOutcome::Pending => (CarrierOrderStatus::Pending, None),
                SandboxOutcome::Fail => (
                    CarrierOrderStatus::Failure,
                    Some(SANDBOX_FAILURE_REASON.to_owned()),
                ),
            };
            CarrierNumber {
                phone_number: number.phone_number.clone(),
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
        id: order.id.clone(),
        status,
        customer_reference: Some(order.customer_reference.clone()),
        phone_numbers,
    }
}
