//! Ordering numbers for an assigned request through the `NumberProvider` port.
//!
//! Never a second paid order: before placing one, the carrier is asked for an
//! order already carrying this request's id as `customer_reference` (a crash
//! between "carrier accepted" and "event stored" leaves exactly that), and an
//! order found there is recorded instead of placing a new one.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{
    CarrierOrder, CarrierOrderStatus, NumberSearch, OrderRequest, ProviderError,
};
use numberdesk_domain::values::{
    AreaCode, CarrierOrderId, City, CountryCode, Quantity, RangeSize, Reason, Region,
};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use uuid::Uuid;

impl From<ProviderError> for ApiError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::RateLimited { .. } | ProviderError::Unavailable(_) => {
                ApiError::Unavailable(format!("carrier: {error}"))
            }
            ProviderError::Rejected { .. } => ApiError::Conflict(error.to_string()),
            ProviderError::NotFound => ApiError::Internal("carrier lost an order".into()),
        }
    }
}

fn stored<T, E: std::fmt::Display>(field: &str, result: Result<T, E>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::Internal(format!("stored {field} is invalid: {e}")))
}

fn search_for(view: &NumberRequestView) -> Result<NumberSearch, ApiError> {
    let quantity = stored("quantity", Quantity::new(view.quantity))?;
    Ok(NumberSearch {
        country: stored("country", CountryCode::parse(&view.country))?,
        number_type: stored("number_type", view.number_type.parse())?,
        area_code: view
            .area_code
            .as_deref()
            .map(AreaCode::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.reason))?,
        city: view
            .city
            .as_deref()
            .map(City::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.reason))?,
        region: view
            .region
            .as_deref()
            .map(Region::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.reason))?,
        limit: quantity.get(),
        range_size: view
            .range_size
            .map(RangeSize::new)
            .transpose()
            .map_err(|e| ApiError::Internal(e.reason))?,
    })
}

async fn existing_order(state: &AppState, id: Uuid) -> Result<Option<CarrierOrder>, ApiError> {
    let found = state
        .provider
        .find_order_by_reference(&id.to_string())
        .await?;
    Ok(found.filter(|order| order.status != CarrierOrderStatus::Failure))
}

/// Searches, orders (or finds the order a crash left behind), records
/// `Ordered`, and records at once what the carrier already settled.
pub async fn order_numbers(
    state: &AppState,
    id: Uuid,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    let view = state
        .desk
        .request(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("number request not found".into()))?;
    if view.status != RequestStatus::Assigned {
        return Err(ApiError::Conflict(format!(
            "cannot order a request that is {}",
            view.status
        )));
    }
    let order = match existing_order(state, id).await? {
        Some(order) => order,
        None => {
            let search = search_for(&view)?;
            let available = state.provider.search(&search).await?;
            let wanted = usize::from(search.limit);
            if available.len() < wanted {
                return Err(ApiError::Conflict(format!(
                    "the carrier offers {} of the {wanted} numbers asked for; change the area or quantity",
                    available.len()
                )));
            }
            state
                .provider
                .place_order(&OrderRequest {
                    customer_reference: id.to_string(),
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
    let mut view = state
        .desk
        .execute(
            id,
            NumberRequestCommand::RecordOrder {
                carrier_order_id: stored("carrier order id", CarrierOrderId::parse(&order.id))?,
                phone_numbers: order
                    .phone_numbers
                    .iter()
                    .map(|n| n.phone_number.clone())
                    .collect(),
            },
            meta,
        )
        .await?;
    state.notify_committed();
    if let Some(settled) = record_outcome(state, id, &order, meta).await? {
        view = settled;
    }
    Ok(view)
}

/// Applies a carrier order's per-number outcome to the request: successes
/// become `Provisioned`, failures `OrderFailed`. Repeating it changes nothing.
pub async fn record_outcome(
    state: &AppState,
    id: Uuid,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<Option<NumberRequestView>, ApiError> {
    let mut latest = None;
    for number in &order.phone_numbers {
        let command = match number.status {
            CarrierOrderStatus::Pending => continue,
            CarrierOrderStatus::Success => NumberRequestCommand::RecordProvisioned {
                phone_number: number.phone_number.clone(),
            },
            CarrierOrderStatus::Failure => NumberRequestCommand::RecordOrderFailure {
                reason: Reason::parse(
                    number
                        .reason
                        .as_deref()
                        .unwrap_or("the carrier could not deliver this number"),
                )
                .or_else(|_| Reason::parse("the carrier could not deliver this number"))
                .map_err(|e| ApiError::Internal(e.reason))?,
                phone_numbers: vec![number.phone_number.clone()],
            },
        };
        latest = Some(state.desk.execute(id, command, meta).await?);
        state.notify_committed();
    }
    Ok(latest)
}
