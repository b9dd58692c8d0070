//! Manual provisioning: numbers obtained outside the carrier API recorded
//! as live in one step.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::request::number_mismatch;
use numberdesk_domain::values::{CarrierOrderId, CountryCode, NumberType, PhoneNumber};
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;

/// What an operator reports as live.
#[derive(Debug, Clone)]
pub struct ManualProvisioning {
    /// The numbers (at least one).
    pub phone_numbers: Vec<PhoneNumber>,
    /// The order id recorded if the request is still assigned.
    pub carrier_order_id: CarrierOrderId,
}

/// BAD_USER_INPUT on `phone_numbers[i]` for the first number of another
/// country or type than the request's. The domain refuses them too (on
/// `phone_numbers`); this names the very number.
fn check_numbers(request: &NumberRequestView, numbers: &[PhoneNumber]) -> Result<(), ApiError> {
    let (Ok(country), Ok(number_type)) = (
        CountryCode::parse(&request.country),
        request.number_type.parse::<NumberType>(),
    ) else {
        return Ok(());
    };
    for (i, number) in numbers.iter().enumerate() {
        if let Some(why) = number_mismatch(country, number_type, number) {
            return Err(ApiError::bad_field(&format!("phone_numbers[{i}]"), why));
        }
    }
    Ok(())
}

/// Records the numbers as live on `request` with one `ProvisionManually`
/// command: on an assigned request `Ordered` and `Provisioned`×N, on an
/// ordered one the pending numbers' `Provisioned`; one commit, all or
/// nothing. Numbers of another country or type never reach the log.
#[instrument(skip_all, fields(request = %request.uuid, numbers = input.phone_numbers.len(), request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn provision_manually(
    state: &AppState,
    request: &NumberRequestView,
    input: ManualProvisioning,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    check_numbers(request, &input.phone_numbers)?;
    super::execute(
        state,
        request.uuid,
        NumberRequestCommand::ProvisionManually {
            carrier_order_id: input.carrier_order_id,
            phone_numbers: input.phone_numbers,
        },
        meta,
    )
    .await
}
