//! Manual provisioning: numbers obtained outside the carrier API recorded
//! as live in one step.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::{CarrierOrderId, PhoneNumber};
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;
use uuid::Uuid;

/// What an operator reports as live.
#[derive(Debug, Clone)]
pub struct ManualProvisioning {
    /// The numbers (at least one).
    pub phone_numbers: Vec<PhoneNumber>,
    /// The order id recorded if the request is still assigned.
    pub carrier_order_id: CarrierOrderId,
}

/// Records the numbers as live with one `ProvisionManually` command: on an
/// assigned request `Ordered` and `Provisioned`×N, on an ordered one the
/// pending numbers' `Provisioned`; one commit, all or nothing.
#[instrument(skip_all, fields(request = %id, numbers = input.phone_numbers.len(), request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn provision_manually(
    state: &AppState,
    id: Uuid,
    input: ManualProvisioning,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    super::execute(
        state,
        id,
        NumberRequestCommand::ProvisionManually {
            carrier_order_id: input.carrier_order_id,
            phone_numbers: input.phone_numbers,
        },
        meta,
    )
    .await
}
