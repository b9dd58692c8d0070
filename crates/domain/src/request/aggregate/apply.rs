//! The cqrs-es `Aggregate` implementation: `handle` writes what
//! [`NumberRequest::decide`] returns, `apply` folds one event into the state.

use super::NumberState;
use super::{NumberRequest, OrderState};
use crate::request::{NumberRequestCommand, NumberRequestError, NumberRequestEvent, RequestStatus};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;

impl NumberRequest {
    /// The state a history of events leaves (each applied in order).
    pub fn from_events(events: impl IntoIterator<Item = NumberRequestEvent>) -> Self {
        let mut request = NumberRequest::default();
        for event in events {
            request.apply(event);
        }
        request
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
        self.releases.apply(&event);
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
            // Recorded in `releases`; the status does not change.
            NumberRequestEvent::ReleaseRequested { .. }
            | NumberRequestEvent::NumberReleased { .. } => {}
        }
    }
}
