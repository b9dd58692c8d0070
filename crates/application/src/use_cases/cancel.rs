//! Withdrawing a request, never under an order in flight.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::Reason;
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;
use uuid::Uuid;

/// Cancels request `id`, for `reason`. Refused (CONFLICT, nothing
/// recorded) while an order of the request is being placed or its outcome
/// at the carrier is unknown: its numbers would be bought and tracked
/// nowhere.
#[instrument(skip_all, fields(request = %id, request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn cancel(
    state: &AppState,
    id: Uuid,
    reason: Option<Reason>,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    if let Some(why) = state.fulfilment.order_in_flight(id).await? {
        return Err(ApiError::Conflict(why));
    }
    super::execute(state, id, NumberRequestCommand::Cancel { reason }, meta).await
}
