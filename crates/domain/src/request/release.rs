//! Releasing numbers a request holds: a number that went live for the
//! request, or a number of a carrier order that landed late (bought for a
//! request that could no longer take it, e.g. a cancelled one).
//!
//! Two events: `ReleaseRequested` (the durable intent, with who asked and
//! why; fulfilment then releases the number at the carrier) and
//! `NumberReleased` (the carrier no longer holds it for us). Both are
//! accepted in every status, terminal ones included: a provisioned request
//! is terminal, and a bought number is never left paid for.

use super::{NumberRequestError, NumberRequestEvent};
use crate::values::{PhoneNumber, Reason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One number's release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Why it is released.
    pub reason: Reason,
    /// Who asked (the actor, e.g. `ops:<key id>`).
    pub requested_by: String,
    /// True once the carrier no longer holds it.
    pub released: bool,
}

/// The releases of one request, by number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Releases {
    /// Every number whose release was asked for.
    pub numbers: BTreeMap<PhoneNumber, Release>,
}

impl Releases {
    /// Whether the number is released at the carrier.
    pub fn is_released(&self, number: &PhoneNumber) -> bool {
        self.numbers.get(number).is_some_and(|r| r.released)
    }

    /// Whether the number's release was asked for and is not done yet.
    pub fn is_pending(&self, number: &PhoneNumber) -> bool {
        self.numbers.get(number).is_some_and(|r| !r.released)
    }

    /// `RequestRelease` for a number the request holds (`held`, checked by
    /// the caller): once; asking again while it runs changes nothing; a
    /// released number is refused.
    pub(super) fn request(
        &self,
        phone_number: PhoneNumber,
        reason: Reason,
        requested_by: String,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        match self.numbers.get(&phone_number) {
            Some(r) if r.released => Err(NumberRequestError::AlreadyReleased {
                phone_number: phone_number.as_str().to_owned(),
            }),
            Some(_) => Ok(vec![]),
            None => {
                let requested_by = requested_by.trim().to_owned();
                if requested_by.is_empty() || requested_by.chars().count() > 200 {
                    return Err(NumberRequestError::invalid(
                        "requested_by",
                        "must name the actor (1 to 200 characters)",
                    ));
                }
                Ok(vec![NumberRequestEvent::ReleaseRequested {
                    phone_number,
                    reason,
                    requested_by,
                }])
            }
        }
    }

    /// `RecordReleased`: only for a number whose release was asked for;
    /// recording it again changes nothing.
    pub(super) fn record(
        &self,
        phone_number: PhoneNumber,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        match self.numbers.get(&phone_number) {
            Some(r) if r.released => Ok(vec![]),
            Some(r) => Ok(vec![NumberRequestEvent::NumberReleased {
                phone_number,
                reason: r.reason.clone(),
                requested_by: r.requested_by.clone(),
            }]),
            None => Err(NumberRequestError::invalid(
                "phone_number",
                format!("no release of {phone_number} was asked for"),
            )),
        }
    }

    pub(super) fn apply(&mut self, event: &NumberRequestEvent) {
        match event {
            NumberRequestEvent::ReleaseRequested {
                phone_number,
                reason,
                requested_by,
            } => {
                self.numbers
                    .entry(phone_number.clone())
                    .or_insert_with(|| Release {
                        reason: reason.clone(),
                        requested_by: requested_by.clone(),
                        released: false,
                    });
            }
            NumberRequestEvent::NumberReleased {
                phone_number,
                reason,
                requested_by,
            } => {
                self.numbers
                    .entry(phone_number.clone())
                    .and_modify(|r| r.released = true)
                    .or_insert_with(|| Release {
                        reason: reason.clone(),
                        requested_by: requested_by.clone(),
                        released: true,
                    });
            }
            _ => {}
        }
    }
}
