use super::attention::{Attention, Current};
use super::{
    NumberRequestCommand, NumberRequestError, NumberRequestEvent, RequestDetails, RequestStatus,
    Submitted,
};
use crate::values::{Assignee, CarrierOrderId, OpsNotes, PhoneNumber, Reason};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
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
    /// The numbers that are live.
    pub fn provisioned_numbers(&self) -> Vec<&PhoneNumber> {
        self.order
            .iter()
            .flat_map(|o| o.numbers.iter())
            .filter(|(_, s)| **s == NumberState::Provisioned)
            .map(|(n, _)| n)
            .collect()
    }

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
                } => return current.late_order(carrier_order_id, phone_numbers, attempt),
                NumberRequestCommand::RecordOrderMissing {
                    carrier_order_id,
                    reason,
                } => return current.order_missing(carrier_order_id, reason),
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
                super::pricing::check_prices(&phone_numbers, &prices)?;
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

    fn check_order(&self, phone_numbers: &[PhoneNumber]) -> Result<(), NumberRequestError> {
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

    /// A number of another country (or of a type the request excludes) is
    /// never recorded as ordered or provisioned.
    fn check_number(&self, number: &PhoneNumber) -> Result<(), String> {
        match &self.details {
            Some(details) => {
                match super::number_mismatch(details.country, details.number_type, number) {
                    Some(why) => Err(why),
                    None => Ok(()),
                }
            }
            None => Ok(()),
        }
    }

    fn number_state(&self, phone_number: &PhoneNumber) -> Result<NumberState, NumberRequestError> {
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

    fn failed_numbers(
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

    fn settle_order(&mut self) {
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

impl Aggregate for NumberRequest {
    const TYPE: &'static str = "NumberRequest";
    type Command = NumberRequestCommand;
    type Event = NumberRequestEvent;
    type Error = NumberRequestError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.attention.apply(&event);
        match event {
            NumberRequestEvent::Submitted(submitted) => {
                let submitted = *submitted;
                self.id = Some(submitted.id);
                self.number = submitted.number;
                self.organization_id = submitted.organization_id;
                self.account_id = Some(submitted.account_id);
                self.details = Some(submitted.details);
                self.status = Some(RequestStatus::Submitted);
            }
            NumberRequestEvent::Assigned {
                assignee,
                notes,
                attempt,
            } => {
                if self.attempt != attempt {
                    self.order = None;
                }
                self.assigned_to = Some(assignee);
                if notes.is_some() {
                    self.ops_notes = notes;
                }
                self.attempt = attempt;
                self.status = Some(RequestStatus::Assigned);
            }
            NumberRequestEvent::NotesUpdated { notes } => self.ops_notes = Some(notes),
            NumberRequestEvent::Ordered {
                carrier_order_id,
                phone_numbers,
                attempt,
                prices: _,
            } => {
                self.order = Some(OrderState {
                    carrier_order_id,
                    attempt,
                    numbers: phone_numbers
                        .into_iter()
                        .map(|n| (n, NumberState::Pending))
                        .collect(),
                });
                self.status = Some(RequestStatus::Ordered);
            }
            NumberRequestEvent::Provisioned { phone_number } => {
                if let Some(order) = &mut self.order {
                    order.numbers.insert(phone_number, NumberState::Provisioned);
                }
                self.settle_order();
            }
            NumberRequestEvent::OrderFailed {
                reason,
                phone_numbers,
            } => {
                if let Some(order) = &mut self.order {
                    for number in phone_numbers {
                        order.numbers.insert(number, NumberState::Failed);
                    }
                }
                self.reason = Some(reason);
                self.settle_order();
            }
            NumberRequestEvent::Rejected { reason } => {
                self.reason = Some(reason);
                self.status = Some(RequestStatus::Rejected);
            }
            NumberRequestEvent::Cancelled { reason } => {
                self.reason = reason;
                self.status = Some(RequestStatus::Cancelled);
            }
            // Recorded in `attention`; the status does not change.
            NumberRequestEvent::OrderLandedLate { .. }
            | NumberRequestEvent::OrderMissing { .. } => {}
        }
    }
}
