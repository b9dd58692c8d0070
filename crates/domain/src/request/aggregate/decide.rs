//! What a command decides: the events it produces from the current state.

use super::super::attention::Current;
use super::{NumberRequest, NumberState};
use crate::request::{
    NumberRequestCommand, NumberRequestError, NumberRequestEvent, RequestStatus, Submitted,
};
use crate::values::{CarrierOrderId, PhoneNumber};
use cqrs_es::Aggregate;

impl NumberRequest {
    /// The pure decision: what events a command produces from this state.
    /// `handle` only writes these to the sink; tests and embedders may call it
    /// directly.
    pub fn decide(
        &self,
        command: NumberRequestCommand,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        let name = command.name();
        if let Some(status) = self.status {
            let current = Current {
                status,
                attempt: self.attempt,
                order: self.order.as_ref(),
                attention: &self.attention,
            };
            match command {
                NumberRequestCommand::RecordLateOrder {
                    carrier_order_id,
                    phone_numbers,
                    attempt,
                } => {
                    // An order the request could take as its own is not
                    // late; one whose numbers it refuses (another country,
                    // type or area) is recorded late, so it is never lost.
                    let could_take = self.check_order(&phone_numbers).is_ok();
                    return current.late_order(
                        carrier_order_id,
                        phone_numbers,
                        attempt,
                        could_take,
                    );
                }
                NumberRequestCommand::RecordOrderMissing {
                    carrier_order_id,
                    reason,
                } => return current.order_missing(carrier_order_id, reason),
                NumberRequestCommand::RequestRelease {
                    phone_number,
                    reason,
                    requested_by,
                } => {
                    self.check_holds(&phone_number)?;
                    return self.releases.request(phone_number, reason, requested_by);
                }
                NumberRequestCommand::RecordReleased { phone_number } => {
                    return self.releases.record(phone_number)
                }
                _ => {}
            }
        }
        let status = match (self.status, &command) {
            (None, NumberRequestCommand::Submit(_)) => None,
            (None, _) => return Err(NumberRequestError::NotFound),
            (Some(_), NumberRequestCommand::Submit(_)) => {
                return Err(NumberRequestError::AlreadySubmitted)
            }
            (Some(status), _) if status.is_terminal() => {
                return Err(NumberRequestError::InvalidTransition {
                    command: name,
                    status,
                })
            }
            (Some(status), _) => Some(status),
        };
        let refuse = |status: RequestStatus| NumberRequestError::InvalidTransition {
            command: name,
            status,
        };
        use NumberRequestCommand as C;
        use RequestStatus as S;
        match (status, command) {
            (None, C::Submit(submit)) => {
                let submit = *submit;
                Ok(vec![NumberRequestEvent::Submitted(Box::new(Submitted {
                    id: submit.id,
                    number: submit.number,
                    organization_id: submit.organization_id,
                    account_id: submit.account_id,
                    details: submit.details,
                }))])
            }
            (
                Some(status @ (S::Submitted | S::Assigned | S::Failed)),
                C::Assign { assignee, notes },
            ) => {
                let unchanged = status == S::Assigned
                    && self.assigned_to.as_ref() == Some(&assignee)
                    && (notes.is_none() || notes == self.ops_notes);
                if unchanged {
                    return Ok(vec![]);
                }
                let attempt = match status {
                    S::Assigned => self.attempt,
                    _ => self.attempt + 1,
                };
                Ok(vec![NumberRequestEvent::Assigned {
                    assignee,
                    notes,
                    attempt,
                }])
            }
            (Some(_), C::UpdateNotes { notes }) => {
                if self.ops_notes.as_ref() == Some(&notes) {
                    return Ok(vec![]);
                }
                Ok(vec![NumberRequestEvent::NotesUpdated { notes }])
            }
            (
                Some(S::Assigned),
                C::RecordOrder {
                    carrier_order_id,
                    phone_numbers,
                    prices,
                },
            ) => {
                self.check_order(&phone_numbers)?;
                crate::request::pricing::check_prices(&phone_numbers, &prices)?;
                Ok(vec![NumberRequestEvent::Ordered {
                    carrier_order_id,
                    phone_numbers,
                    attempt: self.attempt,
                    prices,
                }])
            }
            (Some(S::Ordered), C::RecordProvisioned { phone_number }) => {
                self.check_number(&phone_number)
                    .map_err(|why| NumberRequestError::invalid("phone_number", why))?;
                match self.number_state(&phone_number)? {
                    NumberState::Pending => {
                        Ok(vec![NumberRequestEvent::Provisioned { phone_number }])
                    }
                    NumberState::Provisioned => Ok(vec![]),
                    NumberState::Failed => Err(NumberRequestError::invalid(
                        "phone_number",
                        format!("{phone_number} already failed at the carrier"),
                    )),
                }
            }
            (
                Some(S::Assigned | S::Ordered),
                C::ProvisionManually {
                    carrier_order_id,
                    phone_numbers,
                },
            ) => self.provision_manually(carrier_order_id, phone_numbers),
            (
                Some(S::Ordered),
                C::RecordOrderFailure {
                    reason,
                    phone_numbers,
                },
            ) => {
                let failed = self.failed_numbers(phone_numbers)?;
                if failed.is_empty() {
                    return Ok(vec![]);
                }
                Ok(vec![NumberRequestEvent::OrderFailed {
                    reason,
                    phone_numbers: failed,
                }])
            }
            (Some(S::Submitted | S::Assigned | S::Failed), C::Reject { reason }) => {
                Ok(vec![NumberRequestEvent::Rejected { reason }])
            }
            (Some(S::Submitted | S::Assigned | S::Failed), C::Cancel { reason }) => {
                Ok(vec![NumberRequestEvent::Cancelled { reason }])
            }
            (Some(status), _) => Err(refuse(status)),
            // A submit with a status, or anything without one, returned above.
            (None, _) => Err(NumberRequestError::NotFound),
        }
    }

    /// `ProvisionManually` as the steps it stands for, each decided on the
    /// state the previous ones left; the first refusal refuses them all.
    fn provision_manually(
        &self,
        carrier_order_id: CarrierOrderId,
        phone_numbers: Vec<PhoneNumber>,
    ) -> Result<Vec<NumberRequestEvent>, NumberRequestError> {
        if phone_numbers.is_empty() {
            return Err(NumberRequestError::invalid(
                "phone_numbers",
                "must list at least one number",
            ));
        }
        let mut steps = Vec::new();
        if self.status == Some(RequestStatus::Assigned) {
            steps.push(NumberRequestCommand::RecordOrder {
                carrier_order_id,
                phone_numbers: phone_numbers.clone(),
                prices: vec![],
            });
        }
        steps.extend(
            phone_numbers
                .into_iter()
                .map(|phone_number| NumberRequestCommand::RecordProvisioned { phone_number }),
        );
        let mut state = self.clone();
        let mut events = Vec::new();
        for step in steps {
            for event in state.decide(step)? {
                state.apply(event.clone());
                events.push(event);
            }
        }
        Ok(events)
    }
}
