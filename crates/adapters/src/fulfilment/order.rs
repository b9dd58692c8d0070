//! The carrier side of fulfilment: ordering an attempt (never twice),
//! applying carrier outcomes, polling pending orders, applying webhooks.

use super::{FulfilmentError, SYSTEM_ACTOR};
use crate::{NumberDesk, NumberRequestView};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{
    CarrierOrder, CarrierOrderStatus, NumberProvider, NumberSearch, OrderRequest,
};
use numberdesk_domain::values::{
    AreaCode, Assignee, CarrierOrderId, City, CountryCode, PhoneNumber, Quantity, RangeSize,
    Reason, Region,
};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The reason recorded when the carrier fails a number without saying why.
const UNKNOWN_FAILURE: &str = "the carrier could not deliver this number";

/// The carrier `customer_reference` of a request's fulfilment attempt: the
/// request's id for the first attempt, `"{id}:attempt-{n}"` for later ones
/// (a failed attempt's order must not be found again by the next attempt).
pub fn customer_reference(request: Uuid, attempt: u32) -> String {
    if attempt <= 1 {
        request.to_string()
    } else {
        format!("{request}:attempt-{attempt}")
    }
}

/// The request a `customer_reference` belongs to.
pub fn request_of_reference(reference: &str) -> Option<Uuid> {
    let id = reference.split(':').next()?;
    Uuid::parse_str(id.trim()).ok()
}

fn stored<T, E: std::fmt::Display>(
    field: &str,
    result: Result<T, E>,
) -> Result<T, FulfilmentError> {
    result.map_err(|e| FulfilmentError::Invalid(format!("stored {field}: {e}")))
}

fn search_for(view: &NumberRequestView) -> Result<NumberSearch, FulfilmentError> {
    let quantity = stored(
        "quantity",
        Quantity::new(view.quantity).map_err(|e| e.reason),
    )?;
    Ok(NumberSearch {
        country: stored(
            "country",
            CountryCode::parse(&view.country).map_err(|e| e.reason),
        )?,
        number_type: stored(
            "number_type",
            view.number_type
                .parse()
                .map_err(|e: numberdesk_domain::values::InvalidValue| e.reason),
        )?,
        area_code: stored(
            "area_code",
            view.area_code
                .as_deref()
                .map(AreaCode::parse)
                .transpose()
                .map_err(|e| e.reason),
        )?,
        city: stored(
            "city",
            view.city
                .as_deref()
                .map(City::parse)
                .transpose()
                .map_err(|e| e.reason),
        )?,
        region: stored(
            "region",
            view.region
                .as_deref()
                .map(Region::parse)
                .transpose()
                .map_err(|e| e.reason),
        )?,
        limit: quantity.get(),
        range_size: stored(
            "range_size",
            view.range_size
                .map(RangeSize::new)
                .transpose()
                .map_err(|e| e.reason),
        )?,
    })
}

async fn view_of(desk: &NumberDesk, request: Uuid) -> Result<NumberRequestView, FulfilmentError> {
    desk.request(request)
        .await?
        .ok_or(FulfilmentError::Command(crate::CommandError::Domain(
            numberdesk_domain::NumberRequestError::NotFound,
        )))
}

/// Auto-fulfilment: assigns a still-submitted request to `system`.
pub(super) async fn auto_assign(
    desk: &NumberDesk,
    request: Uuid,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.status != RequestStatus::Submitted {
        return Ok(());
    }
    let assignee = stored(
        "assignee",
        Assignee::parse(SYSTEM_ACTOR).map_err(|e| e.reason),
    )?;
    desk.execute(
        request,
        NumberRequestCommand::Assign {
            assignee,
            notes: None,
        },
        meta,
    )
    .await?;
    Ok(())
}

/// Orders attempt `attempt` of a request: finds the order a crashed run left
/// at the carrier (by `customer_reference`) or searches and places one, then
/// records `Ordered` and whatever the carrier already settled. Nothing to do
/// when the request moved on.
pub(super) async fn run_order(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    attempt: u32,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.attempt != i64::from(attempt) {
        return Ok(());
    }
    match view.status {
        RequestStatus::Assigned => {}
        RequestStatus::Submitted => return Err(FulfilmentError::NotAssigned(view.status)),
        // Ordered, settled, rejected or cancelled: this attempt is past ordering.
        _ => return Ok(()),
    }
    let reference = customer_reference(request, attempt);
    let order = match provider.find_order_by_reference(&reference).await? {
        Some(order) => {
            tracing::info!(%request, order = %order.id, "found the order of an earlier run; not ordering again");
            order
        }
        None => {
            let search = search_for(&view)?;
            let available = provider.search(&search).await?;
            let wanted = usize::from(search.limit);
            if available.len() < wanted {
                return Err(FulfilmentError::NotEnoughNumbers {
                    offered: available.len(),
                    wanted,
                });
            }
            provider
                .place_order(&OrderRequest {
                    customer_reference: reference,
                    phone_numbers: available
                        .into_iter()
                        .take(wanted)
                        .map(|n| n.phone_number)
                        .collect(),
                    country: search.country,
                    number_type: search.number_type,
                })
                .await?
        }
    };
    desk.execute(
        request,
        NumberRequestCommand::RecordOrder {
            carrier_order_id: stored(
                "carrier order id",
                CarrierOrderId::parse(&order.id).map_err(|e| e.reason),
            )?,
            phone_numbers: order
                .phone_numbers
                .iter()
                .map(|n| n.phone_number.clone())
                .collect(),
        },
        meta,
    )
    .await?;
    if let Applied::Doubt(why) = record_outcome(desk, request, &order, meta).await? {
        tracing::warn!(%request, %why, "carrier outcome does not fit the request");
    }
    Ok(())
}

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
                .entry(
                    number
                        .reason
                        .clone()
                        .filter(|r| Reason::parse(r).is_ok())
                        .unwrap_or_else(|| UNKNOWN_FAILURE.to_owned()),
                )
                .or_default()
                .push(number.phone_number.clone()),
        }
    }
    for phone_number in provision {
        desk.execute(
            request,
            NumberRequestCommand::RecordProvisioned { phone_number },
            meta,
        )
        .await?;
    }
    for (reason, phone_numbers) in failures {
        desk.execute(
            request,
            NumberRequestCommand::RecordOrderFailure {
                reason: stored("reason", Reason::parse(&reason).map_err(|e| e.reason))?,
                phone_numbers,
            },
            meta,
        )
        .await?;
    }
    Ok(Applied::Consistent)
}

/// Reads a pending order from the carrier and applies it. `true` when the
/// request no longer waits for this attempt's order.
pub(super) async fn run_poll(
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

/// Applies a webhook's order report. A report for an order not recorded yet
/// (the webhook overtook our `Ordered`) is retried; one that contradicts
/// what is recorded (late, duplicate, out of order) is reconciled by reading
/// the order from the carrier.
pub(super) async fn apply_webhook(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    request: Uuid,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.carrier_order_id.as_deref() != Some(order.id.as_str()) {
        if view.status == RequestStatus::Assigned {
            return Err(FulfilmentError::JobNotFinished(format!(
                "order {} is not recorded yet; applying the webhook later",
                order.id
            )));
        }
        tracing::info!(%request, order = %order.id, "webhook for another attempt's order; ignored");
        return Ok(());
    }
    if view.status != RequestStatus::Ordered {
        // Settled already: a late or duplicate report changes nothing.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_the_request_and_later_attempts() {
        let id = Uuid::new_v4();
        assert_eq!(customer_reference(id, 1), id.to_string());
        assert_eq!(customer_reference(id, 3), format!("{id}:attempt-3"));
        assert_eq!(request_of_reference(&customer_reference(id, 1)), Some(id));
        assert_eq!(request_of_reference(&customer_reference(id, 3)), Some(id));
        assert_eq!(request_of_reference("not-a-request"), None);
    }
}
