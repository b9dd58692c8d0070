//! The rules commands are checked against: what an order may hold, which
//! numbers fit the request, and when an order is settled.

use super::{NumberRequest, NumberState};
use crate::request::{NumberRequestError, RequestStatus};
use crate::values::PhoneNumber;

impl NumberRequest {
    pub(super) fn check_order(
        &self,
        phone_numbers: &[PhoneNumber],
    ) -> Result<(), NumberRequestError> {
        let quantity = self
            .details
            .as_ref()
            .map_or(1, |d| usize::from(d.quantity.get()));
        if phone_numbers.is_empty() || phone_numbers.len() > quantity {
            return Err(NumberRequestError::invalid(
                "phone_numbers",
                format!(
                    "an order must hold 1 to {quantity} numbers (got {})",
                    phone_numbers.len()
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = phone_numbers.iter().find(|n| !seen.insert(*n)) {
            return Err(NumberRequestError::invalid(
                "phone_numbers",
                format!("{dup} is listed twice"),
            ));
        }
        for (i, number) in phone_numbers.iter().enumerate() {
            self.check_number(number).map_err(|why| {
                NumberRequestError::invalid("phone_numbers", format!("[{i}] {why}"))
            })?;
        }
        Ok(())
    }

    /// A number of another country, of a type the request excludes, or
    /// outside the requested area code (where the number tells it, e.g. the
    /// NPA of a NANP number) is never recorded as ordered or provisioned.
    pub(super) fn check_number(&self, number: &PhoneNumber) -> Result<(), String> {
        let Some(details) = &self.details else {
            return Ok(());
        };
        let why = crate::request::number_mismatch(details.country, details.number_type, number)
            .or_else(|| {
                details.area_code.as_ref().and_then(|area| {
                    crate::request::area_code_mismatch(details.country, area, number)
                })
            });
        match why {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }

    pub(super) fn number_state(
        &self,
        phone_number: &PhoneNumber,
    ) -> Result<NumberState, NumberRequestError> {
        self.order
            .as_ref()
            .and_then(|o| o.numbers.get(phone_number))
            .copied()
            .ok_or_else(|| {
                NumberRequestError::invalid(
                    "phone_number",
                    format!("{phone_number} is not in this request's order"),
                )
            })
    }

    pub(super) fn failed_numbers(
        &self,
        phone_numbers: Vec<PhoneNumber>,
    ) -> Result<Vec<PhoneNumber>, NumberRequestError> {
        let pending = |n: &PhoneNumber| {
            self.order
                .as_ref()
                .and_then(|o| o.numbers.get(n))
                .is_some_and(|s| *s == NumberState::Pending)
        };
        if phone_numbers.is_empty() {
            return Ok(self
                .order
                .iter()
                .flat_map(|o| o.numbers.keys())
                .filter(|n| pending(n))
                .cloned()
                .collect());
        }
        let mut failed = Vec::new();
        for number in phone_numbers {
            if self.number_state(&number)? == NumberState::Provisioned {
                return Err(NumberRequestError::invalid(
                    "phone_numbers",
                    format!("{number} is already provisioned"),
                ));
            }
            if pending(&number) && !failed.contains(&number) {
                failed.push(number);
            }
        }
        Ok(failed)
    }

    /// A number can be released when it is live for this request or in an
    /// order that landed late; a released one is refused as such.
    pub(super) fn check_holds(&self, number: &PhoneNumber) -> Result<(), NumberRequestError> {
        if self.releases.is_released(number) {
            return Err(NumberRequestError::AlreadyReleased {
                phone_number: number.as_str().to_owned(),
            });
        }
        if self.attention.holds_late(number) {
            return Ok(());
        }
        let state = self.order.as_ref().and_then(|o| o.numbers.get(number));
        match state {
            Some(NumberState::Provisioned) => Ok(()),
            Some(NumberState::Pending) => Err(NumberRequestError::invalid(
                "phone_number",
                format!("{number} is not live yet (pending at the carrier)"),
            )),
            Some(NumberState::Failed) => Err(NumberRequestError::invalid(
                "phone_number",
                format!("{number} failed at the carrier; nothing to release"),
            )),
            None => Err(NumberRequestError::invalid(
                "phone_number",
                format!("{number} is not a number this request holds"),
            )),
        }
    }

    pub(super) fn settle_order(&mut self) {
        if let Some(order) = &self.order {
            if order.is_settled() {
                self.status = Some(if order.any_provisioned() {
                    RequestStatus::Provisioned
                } else {
                    RequestStatus::Failed
                });
            }
        }
    }
}
