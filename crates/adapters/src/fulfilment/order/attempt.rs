//! Ordering an attempt of a request, never paying twice.

use super::super::FulfilmentError;
use super::fit::fitting;
use super::job::OrderJob;
use super::outcome::{record_outcome, settled_at_once, Applied};
use super::reference::customer_reference;
use super::support::{execute_all_now, execute_now, search_for, stored, view_of, with_headroom};
use crate::{NumberDesk, NumberRequestView};
use chrono::{DateTime, Utc};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::ports::{CarrierOrder, NumberProvider, OrderRequest, ProviderError};
use numberdesk_domain::values::{CarrierOrderId, NumberPrice, PhoneNumber};
use numberdesk_domain::NumberRequestError;
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use uuid::Uuid;

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
/// `posted_at` and the window are on the database's clock, so servers whose
/// clocks disagree never post again early.
///
/// Then records `Ordered` and whatever the carrier already settled — in one
/// transaction when the request takes all of it, and then returns the
/// request as that transaction left it (`None` otherwise). Nothing to do
/// when the request moved on. An accepted order the request refuses
/// (numbers of another country, type or area) is recorded as
/// `OrderLandedLate` (needing attention) and the job ends failed, saying so.
#[tracing::instrument(skip_all, fields(job = job.job.id, kind = "order", request = %request, attempt, correlation_id = %meta.correlation_id), err)]
pub(in crate::fulfilment) async fn run_order(
    desk: &NumberDesk,
    provider: &dyn NumberProvider,
    job: &OrderJob<'_>,
    request: Uuid,
    attempt: u32,
    meta: &CommandMetadata,
) -> Result<Option<NumberRequestView>, FulfilmentError> {
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
            Some(since) => settle_moved_on(desk, provider, job, request, attempt, since, meta)
                .await
                .map(|()| None),
            None => Ok(None),
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
    // The prices the search quoted for what is ordered (none when an earlier
    // run's order is found again: its quote is gone).
    let mut quoted: Vec<NumberPrice> = Vec::new();
    let order = match found {
        Some(order) => {
            tracing::info!(%request, order = %order.id, "found the order of an earlier run; not ordering again");
            order
        }
        None => {
            if let Some(since) = posted_at {
                if let Some(unknown) = job
                    .still_unknown(since, "not found by reference yet".into())
                    .await?
                {
                    return Err(unknown);
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
            let offered = provider.search(&with_headroom(&search)).await?;
            // A number that does not fit the request is never ordered.
            let (available, refused) = fitting(&search, offered);
            for why in &refused {
                tracing::warn!(%request, %why, "the carrier offered a number that does not fit the request; not ordering it");
            }
            let wanted = usize::from(search.limit);
            if available.len() < wanted {
                return Err(FulfilmentError::NotEnoughNumbers {
                    offered: available.len(),
                    wanted,
                    refused,
                });
            }
            let now = job.db_now().await?;
            job.mark(Some(now)).await?;
            let chosen: Vec<_> = available.into_iter().take(wanted).collect();
            quoted = chosen
                .iter()
                .filter_map(|n| {
                    n.price.clone().map(|price| NumberPrice {
                        phone_number: n.phone_number.clone(),
                        price,
                    })
                })
                .collect();
            let placed = provider
                .place_order(&OrderRequest {
                    customer_reference: reference,
                    phone_numbers: chosen.into_iter().map(|n| n.phone_number).collect(),
                    country: search.country,
                    number_type: search.number_type,
                })
                .await;
            match placed {
                Ok(order) => order,
                // Refused (a 4xx) or rate limited: the carrier created
                // nothing. (A 2xx the client cannot read is `Unavailable`:
                // the carrier did create an order.)
                Err(
                    error @ (ProviderError::Rejected { .. } | ProviderError::RateLimited { .. }),
                ) => {
                    job.mark(None).await?;
                    return Err(error.into());
                }
                // Anything else may have created an order: unknown outcome.
                Err(error) => return Err(job.unknown(now, error.to_string())),
            }
        }
    };
    match record_order(desk, request, attempt, &order, &quoted, meta).await? {
        Recorded::Ordered => {}
        Recorded::Settled(view) => return Ok(Some(*view)),
        Recorded::Late => return Ok(None),
        Recorded::Refused(why) => {
            // Recorded, so the "posted" mark has done its work: a cancel is
            // no longer refused for an order in flight.
            job.mark(None).await?;
            return Err(FulfilmentError::GaveUp(format!(
                "the carrier accepted order {} but the request refuses its numbers ({why}); recorded on the request as needing attention (OrderLandedLate)",
                order.id
            )));
        }
    }
    if let Applied::Doubt(why) = record_outcome(desk, request, &order, meta).await? {
        tracing::warn!(%request, %why, "carrier outcome does not fit the request");
    }
    Ok(None)
}

/// How an accepted order was recorded.
enum Recorded {
    /// As the request's order (`Ordered`).
    Ordered,
    /// As the request's order, with the outcome of every number the
    /// carrier settled at once, in one transaction (the request as that
    /// left it).
    Settled(Box<NumberRequestView>),
    /// As `OrderLandedLate`: the request had moved on.
    Late,
    /// As `OrderLandedLate`: the request waits for it but refuses its
    /// numbers (why).
    Refused(String),
}

/// Records an order the carrier accepted: as the request's order when it
/// still waits for it and takes its numbers, otherwise (cancelled,
/// rejected, settled or a later attempt meanwhile, or numbers the request
/// refuses) as `OrderLandedLate`, so it is never lost and ops see it.
/// The quoted prices of the numbers the carrier put in the order, one per
/// number (a search may list a number twice), so a price never makes the
/// domain refuse an order that was bought.
fn prices_of(ordered: &[PhoneNumber], quoted: &[NumberPrice]) -> Vec<NumberPrice> {
    let mut seen = std::collections::BTreeSet::new();
    quoted
        .iter()
        .filter(|p| ordered.contains(&p.phone_number))
        .filter(|p| seen.insert(p.phone_number.clone()))
        .cloned()
        .collect()
}

async fn record_order(
    desk: &NumberDesk,
    request: Uuid,
    attempt: u32,
    order: &CarrierOrder,
    quoted: &[NumberPrice],
    meta: &CommandMetadata,
) -> Result<Recorded, FulfilmentError> {
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
    let mut refused = None;
    if view.status == RequestStatus::Assigned && view.attempt == i64::from(attempt) {
        let record = NumberRequestCommand::RecordOrder {
            carrier_order_id: carrier_order_id.clone(),
            phone_numbers: phone_numbers.clone(),
            prices: prices_of(&phone_numbers, quoted),
        };
        // Numbers the carrier settled at once are recorded with the order,
        // in its transaction. If the request refuses any of it, nothing is
        // recorded and the steps run one by one below, as for any order.
        let settled = settled_at_once(order)?;
        if !settled.is_empty() {
            let mut commands = vec![record.clone()];
            commands.extend(settled);
            match execute_all_now(desk, request, commands, meta).await {
                Ok(view) => return Ok(Recorded::Settled(Box::new(view))),
                Err(crate::CommandError::Domain(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        match execute_now(desk, request, record, meta).await {
            Ok(_) => return Ok(Recorded::Ordered),
            // The request moved on between the read and the write.
            Err(crate::CommandError::Domain(NumberRequestError::InvalidTransition { .. })) => {}
            // The numbers do not fit the request (country, type, area): the
            // order exists all the same and must not be lost.
            Err(crate::CommandError::Domain(error @ NumberRequestError::Invalid { .. })) => {
                refused = Some(error.to_string());
            }
            Err(error) => return Err(error.into()),
        }
    }
    tracing::warn!(%request, order = %order.id, refused = refused.as_deref(), "the carrier accepted an order the request cannot take; recorded as needing attention");
    execute_now(
        desk,
        request,
        NumberRequestCommand::RecordLateOrder {
            carrier_order_id,
            phone_numbers,
            attempt,
        },
        meta,
    )
    .await?;
    Ok(match refused {
        Some(why) => Recorded::Refused(why),
        None => Recorded::Late,
    })
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
            record_order(desk, request, attempt, &order, &[], meta).await?;
            job.mark(None).await
        }
        Ok(None) => match job
            .still_unknown(since, "not found by reference yet".into())
            .await?
        {
            Some(unknown) => Err(unknown),
            None => job.mark(None).await,
        },
        Err(error) => Err(job.unknown(since, format!("the lookup failed ({error})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::prices_of;
    use numberdesk_domain::values::{NumberPrice, PhoneNumber, Price};

    fn price(number: &str, monthly: &str) -> NumberPrice {
        NumberPrice {
            phone_number: PhoneNumber::parse(number).expect("number"),
            price: Price::from_parts(Some(monthly), Some("0.00"), Some("USD")).expect("price"),
        }
    }

    #[test]
    fn an_order_records_one_price_per_ordered_number() {
        let ordered = [PhoneNumber::parse("+12125550100").expect("number")];
        let quoted = [
            price("+12125550100", "1.00"),
            price("+12125550100", "2.00"),
            price("+12125550199", "3.00"),
        ];
        let prices = prices_of(&ordered, &quoted);
        assert_eq!(prices, vec![quoted[0].clone()]);
    }
}
