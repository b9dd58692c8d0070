//! Telnyx types → domain types. The domain never sees a Telnyx type; the
//! server's webhook handler uses [`carrier_order_from_telnyx`] to turn a
//! webhook payload into the domain's [`CarrierOrder`].

use crate::types::{NumberOrderWithPhoneNumbers, OrderPhoneNumber, OrderStatus};
use numberdesk_domain::ports::{CarrierNumber, CarrierOrder, CarrierOrderStatus, ProviderError};
use numberdesk_domain::values::PhoneNumber;

/// The domain's view of a Telnyx order status; unknown values count as
/// still pending.
pub fn carrier_status(status: Option<OrderStatus>) -> CarrierOrderStatus {
    match status {
        Some(OrderStatus::Success) => CarrierOrderStatus::Success,
        Some(OrderStatus::Failure) => CarrierOrderStatus::Failure,
        Some(OrderStatus::Pending) | Some(OrderStatus::Unknown) | None => {
            CarrierOrderStatus::Pending
        }
    }
}

/// Maps a Telnyx number order (API response or webhook payload) to the
/// domain's [`CarrierOrder`], number by number. A number without its own
/// status takes the order's. A failed number gets a reason built from its
/// requirement state, since Telnyx gives no free-text reason.
///
/// Fails with [`ProviderError::Rejected`] (`invalid_carrier_number`) when
/// Telnyx reports a number that is not valid E.164.
pub fn carrier_order_from_telnyx(
    order: &NumberOrderWithPhoneNumbers,
) -> Result<CarrierOrder, ProviderError> {
    let status = carrier_status(order.status);
    let phone_numbers = order
        .phone_numbers
        .iter()
        .map(|number| carrier_number(number, status))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CarrierOrder {
        id: order.id.clone(),
        status,
        customer_reference: order.customer_reference.clone(),
        phone_numbers,
    })
}

fn carrier_number(
    number: &OrderPhoneNumber,
    order_status: CarrierOrderStatus,
) -> Result<CarrierNumber, ProviderError> {
    let phone_number =
        PhoneNumber::parse(&number.phone_number).map_err(|e| ProviderError::Rejected {
            code: "invalid_carrier_number".to_owned(),
            detail: format!(
                "telnyx reported number {:?} that {}",
                number.phone_number, e.reason
            ),
        })?;
    let status = match number.status {
        Some(s) => carrier_status(Some(s)),
        None => order_status,
    };
    let reason = (status == CarrierOrderStatus::Failure).then(|| failure_reason(number));
    Ok(CarrierNumber {
        phone_number,
        status,
        reason,
    })
}

fn failure_reason(number: &OrderPhoneNumber) -> String {
    let mut reason = String::from("telnyx: number order failed");
    if number.requirements_met == Some(false) {
        reason.push_str("; regulatory requirements not met");
    }
    if let Some(requirements) = number.requirements_status {
        reason.push_str("; requirements status ");
        reason.push_str(requirements.as_str());
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::RequirementsStatus;

    fn number(phone: &str, status: Option<OrderStatus>) -> OrderPhoneNumber {
        OrderPhoneNumber {
            phone_number: phone.to_owned(),
            status,
            ..OrderPhoneNumber::default()
        }
    }

    #[test]
    fn maps_statuses_per_number() {
        let mut failed = number("+390212345678", Some(OrderStatus::Failure));
        failed.requirements_met = Some(false);
        failed.requirements_status = Some(RequirementsStatus::RequirementInfoException);
        let order = NumberOrderWithPhoneNumbers {
            id: "ord-1".into(),
            status: Some(OrderStatus::Pending),
            customer_reference: Some("ref".into()),
            phone_numbers: vec![
                number("+12015550123", Some(OrderStatus::Success)),
                failed,
                number("+12015550124", None),
            ],
            ..NumberOrderWithPhoneNumbers::default()
        };
        let Ok(mapped) = carrier_order_from_telnyx(&order) else {
            panic!("mapping failed");
        };
        assert_eq!(mapped.id, "ord-1");
        assert_eq!(mapped.status, CarrierOrderStatus::Pending);
        assert_eq!(mapped.customer_reference.as_deref(), Some("ref"));
        assert_eq!(mapped.phone_numbers[0].status, CarrierOrderStatus::Success);
        assert_eq!(mapped.phone_numbers[0].reason, None);
        assert_eq!(mapped.phone_numbers[1].status, CarrierOrderStatus::Failure);
        assert_eq!(
            mapped.phone_numbers[1].reason.as_deref(),
            Some("telnyx: number order failed; regulatory requirements not met; requirements status requirement-info-exception")
        );
        assert_eq!(mapped.phone_numbers[2].status, CarrierOrderStatus::Pending);
    }

    #[test]
    fn refuses_invalid_numbers() {
        let order = NumberOrderWithPhoneNumbers {
            id: "ord".into(),
            phone_numbers: vec![number("12345", Some(OrderStatus::Success))],
            ..NumberOrderWithPhoneNumbers::default()
        };
        assert!(matches!(
            carrier_order_from_telnyx(&order),
            Err(ProviderError::Rejected { ref code, .. }) if code == "invalid_carrier_number"
        ));
    }
}
