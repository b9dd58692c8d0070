//! Ordering numbers for an assigned request.
//!
//! The `orderNumbers` mutation does not order by itself: it runs the
//! request's durable order job ([`Fulfilment::order_now`]), claiming the
//! job's lease first, so it never races a fulfilment worker and never places
//! a second paid order (the job looks the order up by `customer_reference`
//! before placing one). If a worker is already running the job, the mutation
//! waits for that run and returns its result.
//!
//! [`Fulfilment::order_now`]: numberdesk_adapters::fulfilment::Fulfilment::order_now

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use uuid::Uuid;

/// Orders the request's numbers now through its order job; see the module
/// docs. Returns the request as it stands afterwards.
pub async fn order_numbers(
    state: &AppState,
    id: Uuid,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    Ok(state.fulfilment.order_now(id, meta).await?)
}
