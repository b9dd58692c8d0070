//! The carrier side of fulfilment: ordering an attempt (never twice),
//! applying carrier outcomes, polling pending orders, applying webhooks.

use super::job_store::JobStore;
use super::jobs::{from_millis, millis, Job, JobKind, JobStatus};
use super::{FulfilmentError, SYSTEM_ACTOR};
use crate::{NumberDesk, NumberRequestView};
use chrono::{DateTime, Utc};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{
    CarrierOrder, CarrierOrderStatus, NumberProvider, NumberSearch, OrderRequest, ProviderError,
};
use numberdesk_domain::request::number_mismatch;
use numberdesk_domain::values::{
    AreaCode, Assignee, CarrierOrderId, City, CountryCode, PhoneNumber, Quantity, RangeSize,
    Reason, Region,
};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use serde_json::json;
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

/// The order job running an attempt: where its unknown-outcome marker
/// (`posted_at` in the payload) is kept.
pub(super) struct OrderJob<'a> {
    /// The jobs table.
    pub jobs: &'a JobStore,
    /// The leased job.
    pub job: &'a Job,
    /// Its lease owner.
    pub owner: &'a str,
    /// How long an unknown outcome is only looked up.
    pub window: std::time::Duration,
    /// Runs before it gives up (checked when absence is established).
    pub max_attempts: Option<i64>,
}

/// `payload.posted_at` key: epoch ms of the last post whose outcome is not
/// known yet. Written (durably) before every post, removed when the carrier
/// certainly did nothing.
const POSTED_AT: &str = "posted_at";

/// When an unfinished order job posted an order whose outcome is still
/// unknown (it is being reconciled by reference); `None` for other jobs.
pub fn order_outcome_unknown_since(job: &Job) -> Option<DateTime<Utc>> {
    if job.kind != JobKind::Order || job.status == JobStatus::Done {
        return None;
    }
    posted_at(job)
}

fn posted_at(job: &Job) -> Option<DateTime<Utc>> {
    job.payload
        .get(POSTED_AT)
        .and_then(serde_json::Value::as_i64)
        .map(from_millis)
}

impl OrderJob<'_> {
    /// When the last post with an unknown outcome was sent.
    pub fn posted_at(&self) -> Option<DateTime<Utc>> {
        posted_at(self.job)
    }

    async fn mark(&self, posted_at: Option<DateTime<Utc>>) -> Result<(), FulfilmentError> {
        let mut payload = self.job.payload.clone();
        if let Some(object) = payload.as_object_mut() {
            match posted_at {
                Some(at) => object.insert(POSTED_AT.to_owned(), json!(millis(at))),
                None => object.remove(POSTED_AT),
            };
        }
        if self
            .jobs
            .set_payload(self.job.id, self.owner, &payload)
            .await?
        {
            Ok(())
        } else {
            Err(FulfilmentError::JobNotFinished(
                "lost the order job's lease before ordering; another worker has it".into(),
            ))
        }
    }

    fn unknown(&self, since: DateTime<Utc>, why: String) -> FulfilmentError {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        FulfilmentError::OrderOutcomeUnknown {
            since,
            until: since.checked_add_signed(window).unwrap_or(since),
            why,
        }
    }
}

/// Orders attempt `attempt` of a request, never paying twice:
///
/// 1. one lookup by `customer_reference` (an earlier run's order, whatever
///    became of that run) — found: record it;
/// 2. not found, but an earlier post's outcome is unknown (the job's
///    `posted_at`) and its reconcile window has not passed: do not post;
///    look again later ([`FulfilmentError::OrderOutcomeUnknown`]). A lookup
///    that fails then is unknown too, whatever the window;
/// 3. otherwise search, check, store `posted_at`, post once. A post that
///    fails ambiguously leaves `posted_at` (unknown outcome); one the
///    carrier certainly refused removes it.
///
/// Then records `Ordered` and whatever the carrier already settled. Nothing
/// to do when the request moved on.
pub(super) async fn run_order(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    job: &OrderJob<'_>,
    request: Uuid,
    attempt: u32,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    let reference = customer_reference(request, attempt);
    let posted_at = job.posted_at();
    let moved_on = view.attempt != i64::from(attempt)
        || !matches!(
            view.status,
            RequestStatus::Assigned | RequestStatus::Submitted
        );
    if moved_on {
        // Past ordering; but an earlier run's post may still land: settle it.
        return match posted_at {
            Some(since) => {
                settle_moved_on(desk, provider, job, request, attempt, since, meta).await
            }
            None => Ok(()),
        };
    }
    if view.status == RequestStatus::Submitted {
        return Err(FulfilmentError::NotAssigned(view.status));
    }
    let found = match provider.find_order_by_reference(&reference).await {
        Ok(found) => found,
        Err(error) => match posted_at {
            Some(since) => return Err(job.unknown(since, format!("the lookup failed ({error})"))),
            None => return Err(error.into()),
        },
    };
    let order = match found {
        Some(order) => {
            tracing::info!(%request, order = %order.id, "found the order of an earlier run; not ordering again");
            order
        }
        None => {
            if let Some(since) = posted_at {
                let unknown = job.unknown(since, "not found by reference yet".into());
                if let FulfilmentError::OrderOutcomeUnknown { until, .. } = &unknown {
                    if Utc::now() < *until {
                        return Err(unknown);
                    }
                }
                tracing::warn!(%request, %since, "no order found by reference over the reconcile window; its absence is established");
                if job.max_attempts.is_some_and(|max| job.job.attempts >= max) {
                    job.mark(None).await?;
                    return Err(FulfilmentError::GaveUp(format!(
                        "no order exists at the carrier for {reference} (looked it up until the reconcile window ended); gave up after {} attempts",
                        job.job.attempts
                    )));
                }
            }
            let search = search_for(&view)?;
            let offered = provider.search(&search).await?;
            // A number that does not fit the request is never ordered.
            let available: Vec<_> = offered
                .into_iter()
                .filter(|n| {
                    let mismatch =
                        number_mismatch(search.country, search.number_type, &n.phone_number);
                    if let Some(why) = &mismatch {
                        tracing::warn!(%request, %why, "the carrier offered a number that does not fit the request; not ordering it");
                    }
                    mismatch.is_none()
                })
                .collect();
            let wanted = usize::from(search.limit);
            if available.len() < wanted {
                return Err(FulfilmentError::NotEnoughNumbers {
                    offered: available.len(),
                    wanted,
                });
            }
            let now = Utc::now();
            job.mark(Some(now)).await?;
            let placed = provider
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
                .await;
            match placed {
                Ok(order) => order,
                Err(ProviderError::Unavailable(why)) => return Err(job.unknown(now, why)),
                Err(error) => {
                    // Refused or rate limited: the carrier created nothing.
                    job.mark(None).await?;
                    return Err(error.into());
                }
            }
        }
    };
    if !record_order(desk, request, attempt, &order, meta).await? {
        return Ok(());
    }
    if let Applied::Doubt(why) = record_outcome(desk, request, &order, meta).await? {
        tracing::warn!(%request, %why, "carrier outcome does not fit the request");
    }
    Ok(())
}

/// Records an order the carrier accepted: as the request's order when it
/// still waits for it, otherwise (cancelled, rejected, settled or a later
/// attempt meanwhile) as `OrderLandedLate`, so it is never lost and ops see
/// it. `false` when it was recorded as late.
async fn record_order(
    desk: &NumberDesk,
    request: Uuid,
    attempt: u32,
    order: &CarrierOrder,
    meta: &CommandMetadata,
) -> Result<bool, FulfilmentError> {
    let carrier_order_id = stored(
        "carrier order id",
        CarrierOrderId::parse(&order.id).map_err(|e| e.reason),
    )?;
    let phone_numbers: Vec<PhoneNumber> = order
        .phone_numbers
        .iter()
        .map(|n| n.phone_number.clone())
        .collect();
    let view = view_of(desk, request).await?;
    if view.status == RequestStatus::Assigned && view.attempt == i64::from(attempt) {
        let recorded = desk
            .execute(
                request,
                NumberRequestCommand::RecordOrder {
                    carrier_order_id: carrier_order_id.clone(),
                    phone_numbers: phone_numbers.clone(),
                },
                meta,
            )
            .await;
        match recorded {
            Ok(_) => return Ok(true),
            // The request moved on between the read and the write.
            Err(crate::CommandError::Domain(
                numberdesk_domain::NumberRequestError::InvalidTransition { .. },
            )) => {}
            Err(error) => return Err(error.into()),
        }
    }
    tracing::warn!(%request, order = %order.id, "the carrier accepted an order the request can no longer take; recorded as needing attention");
    desk.execute(
        request,
        NumberRequestCommand::RecordLateOrder {
            carrier_order_id,
            phone_numbers,
            attempt,
        },
        meta,
    )
    .await?;
    Ok(false)
}

/// The request moved past ordering after a post of this attempt whose
/// outcome is unknown: look the order up by reference until the reconcile
/// window ends; found, it is recorded (late); absent after the window, the
/// job ends with nothing bought.
async fn settle_moved_on(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    job: &OrderJob<'_>,
    request: Uuid,
    attempt: u32,
    since: DateTime<Utc>,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let reference = customer_reference(request, attempt);
    match provider.find_order_by_reference(&reference).await {
        Ok(Some(order)) => {
            record_order(desk, request, attempt, &order, meta).await?;
            job.mark(None).await
        }
        Ok(None) => {
            let unknown = job.unknown(since, "not found by reference yet".into());
            match &unknown {
                FulfilmentError::OrderOutcomeUnknown { until, .. } if Utc::now() < *until => {
                    Err(unknown)
                }
                _ => job.mark(None).await,
            }
        }
        Err(error) => Err(job.unknown(since, format!("the lookup failed ({error})"))),
    }
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
