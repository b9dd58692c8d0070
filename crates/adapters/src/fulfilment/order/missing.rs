//! A recorded order the carrier says does not exist: after a bounded number
//! of "not found" answers it is recorded as `OrderMissing`, so ops see it
//! in `needsAttention` instead of a poll that retries for ever.

use super::super::job_store::JobStore;
use super::super::jobs::Job;
use super::super::FulfilmentError;
use super::support::{execute_now, stored, view_of};
use crate::NumberDesk;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::{CarrierOrderId, Reason};
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use serde_json::json;
use uuid::Uuid;

/// How many "not found" answers for a recorded order establish that the
/// carrier does not have it (a carrier may briefly not see an order it
/// just created; a few answers apart by the retry backoff are enough).
pub const ORDER_MISSING_AFTER: u64 = 3;

/// `payload.not_found` key: how many reads of the order answered 404.
const NOT_FOUND: &str = "not_found";

/// What a "not found" answer led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::fulfilment) enum NotFound {
    /// Counted; read the order again later.
    Counted,
    /// Recorded as `OrderMissing` (or nothing waits for the order any more).
    Settled,
}

/// Counts a 404 on the request's recorded order (in the job's payload);
/// the [`ORDER_MISSING_AFTER`]th records `OrderMissing`.
pub(in crate::fulfilment) async fn order_not_found(
    desk: &NumberDesk,
    jobs: &JobStore,
    job: &Job,
    owner: &str,
    request: Uuid,
    meta: &CommandMetadata,
) -> Result<NotFound, FulfilmentError> {
    let seen = job
        .payload
        .get(NOT_FOUND)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
        + 1;
    let view = view_of(desk, request).await?;
    let Some(order_id) = view.carrier_order_id.clone() else {
        return Ok(NotFound::Settled);
    };
    if view.status != RequestStatus::Ordered {
        return Ok(NotFound::Settled);
    }
    if seen < ORDER_MISSING_AFTER {
        let mut payload = job.payload.clone();
        if let Some(object) = payload.as_object_mut() {
            object.insert(NOT_FOUND.to_owned(), json!(seen));
        }
        if !jobs.set_payload(job.id, owner, &payload).await? {
            return Err(FulfilmentError::JobNotFinished(
                "lost the poll job's lease; another worker has it".into(),
            ));
        }
        return Ok(NotFound::Counted);
    }
    tracing::warn!(%request, order = %order_id, seen, "the carrier does not know the recorded order; needs attention");
    execute_now(
        desk,
        request,
        NumberRequestCommand::RecordOrderMissing {
            carrier_order_id: stored(
                "carrier order id",
                CarrierOrderId::parse(&order_id).map_err(|e| e.reason),
            )?,
            reason: stored(
                "reason",
                Reason::parse(&format!(
                    "the carrier answered 404 (order not found) {seen} times in a row"
                ))
                .map_err(|e| e.reason),
            )?,
        },
        meta,
    )
    .await?;
    Ok(NotFound::Settled)
}
