//! Releasing a number on Telnyx: find its id by number, then delete it.
//!
//! `GET /phone_numbers?filter[phone_number]=…` (filtered exactly here: the
//! server-side filter matches digits), then `DELETE /phone_numbers/{id}`.
//! A number that is not listed, or listed as `deleted`, is not held any
//! more; so is one whose DELETE answers 404 (deleted between the two
//! calls, or by an earlier run whose answer was lost). The lookup comes
//! first on every run, so a run after a lost answer sends no second DELETE.

use crate::client::TelnyxClient;
use crate::error::TelnyxError;
use numberdesk_domain::ports::{ProviderError, ReleaseOutcome};
use numberdesk_domain::values::PhoneNumber;

/// Releases `phone_number` at Telnyx; see the [module documentation](self).
pub(crate) async fn release(
    client: &TelnyxClient,
    phone_number: &PhoneNumber,
) -> Result<ReleaseOutcome, ProviderError> {
    let listed = client.find_phone_numbers(phone_number.as_str()).await?;
    let held = listed
        .data
        .iter()
        .filter(|n| n.phone_number.as_deref() == Some(phone_number.as_str()))
        .find(|n| !n.is_deleted());
    let Some(held) = held else {
        return Ok(ReleaseOutcome::NotHeld);
    };
    let Some(id) = held.id.as_deref().filter(|id| !id.trim().is_empty()) else {
        return Err(ProviderError::Rejected {
            code: "missing_id".to_owned(),
            detail: format!("Telnyx listed {phone_number} without an id"),
        });
    };
    match client.delete_phone_number(id).await {
        Ok(_) => Ok(ReleaseOutcome::Released),
        Err(TelnyxError::Api { status: 404, .. }) => Ok(ReleaseOutcome::NotHeld),
        Err(err) if err.is_ambiguous() => Err(ProviderError::Unavailable(format!(
            "release outcome unknown ({err}); the number is looked up again before any other DELETE"
        ))),
        Err(err) => Err(err.into()),
    }
}
