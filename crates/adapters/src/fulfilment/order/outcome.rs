//! Recording carrier outcomes: from the order, from polls and from webhooks.

use super::super::FulfilmentError;
use super::reference::attempt_of_reference;
use super::support::{execute_now, stored, view_of};
use crate::{NumberDesk, NumberRequestView};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{CarrierOrder, CarrierOrderStatus, NumberProvider};
use numberdesk_domain::values::{CarrierOrderId, PhoneNumber, Reason};
use numberdesk_domain::{NumberRequestCommand, NumberRequestError, RequestStatus};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The reason recorded when the carrier fails a number without saying why.
const UNKNOWN_FAILURE: &str = "the carrier could not deliver this number";

/// What applying a carrier order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Applied {
    /// Events were recorded, or nothing needed to be.
    Consistent,
    /// The report contradicts what is recorded (late, out of order, or for
    /// numbers we do not know): read the order from the carrier instead.
    Doubt(String),
}

/// Applies a carrier order's per-number outcome: successes become
/// `Provisioned`, failures `OrderFailed` (grouped by reason); pending numbers
/// wait. Repeating it changes nothing.
pub(super) async fn record_outcome(
    desk: &NumberDesk,
    request: Uuid,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<Applied, FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.carrier_order_id.as_deref() != Some(order.id.as_str()) {
        return Ok(Applied::Doubt(format!(
            "order {} is not the request's current order",
            order.id
        )));
    }
    let mut provision = Vec::new();
    let mut failures: BTreeMap<String, Vec<PhoneNumber>> = BTreeMap::new();
    for number in &order.phone_numbers {
        let text = number.phone_number.as_str().to_owned();
        if !view.ordered_numbers.contains(&text) {
            return Ok(Applied::Doubt(format!(
                "{text} is not in the request's order"
            )));
        }
        let live = view.provisioned_numbers.contains(&text);
        let failed = view.failed_numbers.contains(&text);
        match number.status {
            CarrierOrderStatus::Pending => {}
            CarrierOrderStatus::Success if live => {}
            CarrierOrderStatus::Failure if failed => {}
            CarrierOrderStatus::Success | CarrierOrderStatus::Failure if live || failed => {
                return Ok(Applied::Doubt(format!(
                    "{text} is already {}",
                    if live { "provisioned" } else { "failed" }
                )));
            }
            CarrierOrderStatus::Success => provision.push(number.phone_number.clone()),
            CarrierOrderStatus::Failure => failures
                .entry(failure_reason(number.reason.as_deref()))
                .or_default()
                .push(number.phone_number.clone()),
        }
    }
    for command in outcome_commands(provision, failures)? {
        execute_now(desk, request, command, meta).await?;
    }
    Ok(Applied::Consistent)
}

/// What a failed number's reason is recorded as: the carrier's, or a
/// general one when it gave none (or none the domain takes).
fn failure_reason(reason: Option<&str>) -> String {
    reason
        .filter(|r| Reason::parse(r).is_ok())
        .unwrap_or(UNKNOWN_FAILURE)
        .to_owned()
}

/// The commands recording settled numbers: `RecordProvisioned` for each
/// success, one `RecordOrderFailure` per failure reason.
fn outcome_commands(
    provision: Vec<PhoneNumber>,
    failures: BTreeMap<String, Vec<PhoneNumber>>,
) -> Result<Vec<NumberRequestCommand>, FulfilmentError> {
    let mut commands: Vec<NumberRequestCommand> = provision
        .into_iter()
        .map(|phone_number| NumberRequestCommand::RecordProvisioned { phone_number })
        .collect();
    for (reason, phone_numbers) in failures {
        commands.push(NumberRequestCommand::RecordOrderFailure {
            reason: stored("reason", Reason::parse(&reason).map_err(|e| e.reason))?,
            phone_numbers,
        });
    }
    Ok(commands)
}

/// The commands recording what the carrier settled at once in an order
/// nothing of which is recorded yet (its successes and failures; pending
/// numbers wait for polls and webhooks).
pub(super) fn settled_at_once(
    order: &CarrierOrder,
) -> Result<Vec<NumberRequestCommand>, FulfilmentError> {
    let mut provision = Vec::new();
    let mut failures: BTreeMap<String, Vec<PhoneNumber>> = BTreeMap::new();
    for number in &order.phone_numbers {
        match number.status {
            CarrierOrderStatus::Pending => {}
            CarrierOrderStatus::Success => provision.push(number.phone_number.clone()),
            CarrierOrderStatus::Failure => failures
                .entry(failure_reason(number.reason.as_deref()))
                .or_default()
                .push(number.phone_number.clone()),
        }
    }
    outcome_commands(provision, failures)
}

/// Reads a pending order from the carrier and applies it. `true` when the
/// request no longer waits for this attempt's order.
pub(in crate::fulfilment) async fn run_poll(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    attempt: u32,
    meta: &CommandMetadata,
) -> Result<bool, FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.status != RequestStatus::Ordered || view.attempt != i64::from(attempt) {
        return Ok(true);
    }
    let Some(order_id) = view.carrier_order_id.clone() else {
        return Ok(true);
    };
    if order_id.starts_with("manual:") {
        return Ok(true);
    }
    let order = provider.order_status(&order_id).await?;
    if let Applied::Doubt(why) = record_outcome(desk, request, &order, meta).await? {
        tracing::warn!(%request, %why, "polled order does not fit the request");
    }
    Ok(view_of(desk, request).await?.status != RequestStatus::Ordered)
}

/// Applies a webhook's order report. An order-level outcome that names no
/// numbers (`number_order.complete` with status `success` and no
/// `phone_numbers`) makes it read the order from the carrier at once. A
/// report for an order not recorded yet
/// (the webhook overtook our `Ordered`) is retried; one that contradicts
/// what is recorded (late, duplicate, out of order) is reconciled by reading
/// the order from the carrier.
pub(in crate::fulfilment) async fn apply_webhook(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.carrier_order_id.as_deref() != Some(order.id.as_str()) {
        return not_current(desk, provider, request, &view, order, meta).await;
    }
    if view.status != RequestStatus::Ordered {
        // Settled already: a late or duplicate report changes nothing.
        return Ok(());
    }
    if order.status != CarrierOrderStatus::Pending && order.phone_numbers.is_empty() {
        // An order-level outcome without per-number detail: read the order
        // now rather than leaving the request ORDERED until the next poll.
        tracing::info!(%request, order = %order.id, "order-level webhook without numbers; reading the order");
        let current = provider.order_status(&order.id).await?;
        if let Applied::Doubt(why) = record_outcome(desk, request, &current, meta).await? {
            tracing::warn!(%request, %why, "carrier order contradicts the record; left as recorded");
        }
        return Ok(());
    }
    if let Applied::Doubt(why) = record_outcome(desk, request, order, meta).await? {
        tracing::info!(%request, %why, "webhook contradicts the record; reading the order");
        let current = provider.order_status(&order.id).await?;
        if let Applied::Doubt(why) = record_outcome(desk, request, &current, meta).await? {
            tracing::warn!(%request, %why, "carrier order contradicts the record; left as recorded");
        }
    }
    Ok(())
}

/// A webhook for an order that is not the request's current one. While the
/// request waits for exactly this attempt's order, it is applied later (the
/// webhook overtook our `Ordered`), unless the request refuses its numbers;
/// otherwise (cancelled, settled, another attempt meanwhile) an order that
/// bought anything is recorded as `OrderLandedLate`, so an accepted order is
/// never lost. An order the carrier failed entirely bought nothing.
async fn not_current(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    view: &NumberRequestView,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let attempt = order
        .customer_reference
        .as_deref()
        .and_then(attempt_of_reference)
        .or_else(|| u32::try_from(view.attempt).ok())
        .unwrap_or(1);
    let waits = view.status == RequestStatus::Assigned && view.attempt == i64::from(attempt);
    let later = || {
        FulfilmentError::JobNotFinished(format!(
            "order {} is not recorded yet; applying the webhook later",
            order.id
        ))
    };
    let bought_nothing = order.status == CarrierOrderStatus::Failure
        && order
            .phone_numbers
            .iter()
            .all(|n| n.status == CarrierOrderStatus::Failure);
    if bought_nothing {
        if waits {
            return Err(later());
        }
        tracing::info!(%request, order = %order.id, "webhook for another attempt's order that bought nothing; ignored");
        return Ok(());
    }
    if waits && order.phone_numbers.is_empty() {
        // Nothing to judge the numbers by: the order job records it.
        return Err(later());
    }
    // Per-number detail is needed to record what was bought.
    let order = if order.phone_numbers.is_empty() {
        provider.order_status(&order.id).await?
    } else {
        order.clone()
    };
    let recorded = execute_now(
        desk,
        request,
        NumberRequestCommand::RecordLateOrder {
            carrier_order_id: stored(
                "carrier order id",
                CarrierOrderId::parse(&order.id).map_err(|e| e.reason),
            )?,
            phone_numbers: order
                .phone_numbers
                .iter()
                .map(|n| n.phone_number.clone())
                .collect(),
            attempt,
        },
        meta,
    )
    .await;
    match recorded {
        Ok(_) => {
            tracing::warn!(%request, order = %order.id, "webhook for an order the request cannot take; recorded as needing attention");
            Ok(())
        }
        // The request waits for exactly this order and takes its numbers.
        Err(crate::CommandError::Domain(NumberRequestError::InvalidTransition { .. })) if waits => {
            Err(later())
        }
        Err(error) => Err(error.into()),
    }
}
