//! Helpers of the carrier side: reading the request, turning stored values
//! back into domain values, and running commands stamped now.

use super::super::FulfilmentError;
use crate::{NumberDesk, NumberRequestView};
use chrono::Utc;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::NumberSearch;
use numberdesk_domain::values::{AreaCode, City, CountryCode, Quantity, RangeSize, Region};
use numberdesk_domain::NumberRequestCommand;
use uuid::Uuid;

/// Runs a command with its metadata stamped now: a worker event's
/// `occurred_at` is when it is recorded, not when its job started, so
/// within a request times never go backwards and as-of reads match history.
pub(super) async fn execute_now(
    desk: &NumberDesk,
    request: Uuid,
    command: NumberRequestCommand,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, crate::CommandError> {
    let mut meta = meta.clone();
    meta.occurred_at = Utc::now();
    desk.execute(request, command, &meta).await
}

/// [`NumberDesk::execute_all`] stamped now.
pub(super) async fn execute_all_now(
    desk: &NumberDesk,
    request: Uuid,
    commands: Vec<NumberRequestCommand>,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, crate::CommandError> {
    let mut meta = meta.clone();
    meta.occurred_at = Utc::now();
    desk.execute_all(request, commands, &meta).await
}

pub(super) fn stored<T, E: std::fmt::Display>(
    field: &str,
    result: Result<T, E>,
) -> Result<T, FulfilmentError> {
    result.map_err(|e| FulfilmentError::Invalid(format!("stored {field}: {e}")))
}

pub(super) fn search_for(view: &NumberRequestView) -> Result<NumberSearch, FulfilmentError> {
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

/// How many numbers to ask the carrier for, for `wanted`: more than
/// wanted, since offered numbers that do not fit the request are dropped
/// (a carrier's search may answer near matches or other areas).
pub(super) fn with_headroom(search: &NumberSearch) -> NumberSearch {
    const MAX_SEARCH: u16 = 1000;
    let wanted = search.limit;
    let limit = wanted
        .saturating_mul(2)
        .saturating_add(5)
        .min(MAX_SEARCH)
        .max(wanted);
    NumberSearch {
        limit,
        ..search.clone()
    }
}

pub(super) async fn view_of(
    desk: &NumberDesk,
    request: Uuid,
) -> Result<NumberRequestView, FulfilmentError> {
    desk.request(request)
        .await?
        .ok_or(FulfilmentError::Command(crate::CommandError::Domain(
            numberdesk_domain::NumberRequestError::NotFound,
        )))
}
