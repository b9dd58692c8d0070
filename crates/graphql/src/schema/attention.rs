//! What needs the operations team's attention: carrier orders that landed
//! on a request that could no longer take them (bought numbers nobody
//! tracks otherwise), and recorded orders the carrier says do not exist.
//! Read from the event log (`OrderLandedLate`, `OrderMissing`), ops only.
//! And signed carrier webhooks that matched no request
//! (`unmatchedCarrierWebhooks`).

use super::context::{OpsOnly, Scope};
use super::paging::{connection, KeysetConnection, PageArgs};
use super::types::TotalCount;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters::{self as adapters, Page};
use numberdesk_application::ApiError;
use numberdesk_domain::NumberRequestEvent;

/// One thing about a request that needs attention.
#[derive(SimpleObject, Clone, Debug)]
pub struct AttentionItem {
    /// `ORDER_LANDED_LATE` (numbers bought for a request that could not take
    /// them: release or reuse them) or `ORDER_MISSING` (the carrier does not
    /// know the recorded order).
    pub kind: String,
    /// The request (its UUID).
    pub request_id: ID,
    /// The request's status now.
    pub request_status: String,
    /// The carrier order concerned.
    pub carrier_order_id: String,
    /// The numbers in that order (late orders).
    pub phone_numbers: Vec<String>,
    /// What the carrier answered (missing orders).
    pub reason: Option<String>,
    /// When it was recorded.
    pub occurred_at: DateTime<Utc>,
    /// The event's position (the edge's cursor too).
    pub cursor: String,
    #[graphql(skip)]
    position: i64,
}

/// Attention reads, merged into the root `Query`.
#[derive(Default)]
pub struct AttentionQuery;

#[Object]
impl AttentionQuery {
    /// Requests whose numbers or orders need attention, oldest first, as a
    /// Relay connection paged by event position (`first`/`after` forwards,
    /// `last`/`before` backwards). Ops only.
    #[graphql(
        complexity = "25 + child_complexity",
        guard = "OpsOnly(\"see what needs attention\")"
    )]
    #[tracing::instrument(skip_all, fields(first = ?first, last = ?last), err(Debug, level = "info"))]
    async fn needs_attention(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many items after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items after it.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many items before `before`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items before it.")] before: Option<String>,
    ) -> Result<KeysetConnection<AttentionItem>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let filter = adapters::AuditFilter {
            organization_ids: scope.organizations(None).await?,
            actor: None,
            event_types: vec!["OrderLandedLate".into(), "OrderMissing".into()],
            from: None,
            to: None,
        };
        let page = state
            .desk
            .audit_log(&filter, &request)
            .await
            .map_err(ApiError::from)?;
        let mut items = Vec::with_capacity(page.items.len());
        for event in page.items {
            if let Some(item) = item_of(state, event).await? {
                items.push(item);
            }
        }
        let page = Page {
            items,
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            total_count: page.total_count,
        };
        let total = TotalCount::Audit(state.clone(), filter);
        Ok(connection(page, total, |i| i.position, |i| i))
    }

    /// Signed carrier webhooks that matched no order or request of ours
    /// (stored, acknowledged, and not applied), oldest first, as a Relay
    /// connection. Ops only.
    #[graphql(
        guard = "OpsOnly(\"see unmatched carrier webhooks\")",
        complexity = "25 + child_complexity"
    )]
    #[tracing::instrument(skip_all, fields(first = ?first, last = ?last), err(Debug, level = "info"))]
    async fn unmatched_carrier_webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many items after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items after it.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many items before `before`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items before it.")] before: Option<String>,
    ) -> Result<KeysetConnection<UnmatchedCarrierWebhook>> {
        let state = Scope::of(ctx)?.state;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let page = state
            .fulfilment
            .unmatched_webhooks(&request)
            .await
            .map_err(ApiError::from)?;
        let total = TotalCount::UnmatchedWebhooks(state.clone());
        Ok(connection(
            page,
            total,
            |w| w.id,
            |w| UnmatchedCarrierWebhook {
                event_id: w.event_id,
                event_type: w.event_type,
                occurred_at: w.occurred_at,
                received_at: DateTime::from_timestamp_millis(w.received_at).unwrap_or_default(),
                carrier_order_id: w.carrier_order_id,
                customer_reference: w.customer_reference,
                reason: w.reason,
                body: w.body,
            },
        ))
    }
}

/// A signed carrier webhook that matched no order or request.
#[derive(SimpleObject, Clone, Debug)]
pub struct UnmatchedCarrierWebhook {
    /// The carrier's event id.
    pub event_id: String,
    /// The carrier's event type, e.g. `number_order.complete`.
    pub event_type: String,
    /// When the carrier says it happened (RFC 3339, as sent).
    pub occurred_at: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The carrier order it reports.
    pub carrier_order_id: Option<String>,
    /// The `customer_reference` it carries.
    pub customer_reference: Option<String>,
    /// Why it matched nothing.
    pub reason: String,
    /// The raw body, as signed.
    pub body: String,
}

/// Whether the late order still holds a number nobody released, as the
/// request's aggregate (its whole history) says.
async fn late_order_unreleased(
    state: &numberdesk_application::AppState,
    event: &adapters::RecordedEvent,
    carrier_order_id: &numberdesk_domain::values::CarrierOrderId,
) -> Result<bool> {
    let history = state
        .desk
        .history(event.request_id)
        .await
        .map_err(ApiError::from)?;
    let events = history
        .iter()
        .map(adapters::RecordedEvent::decode)
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::from)?;
    let request = numberdesk_domain::NumberRequest::from_events(events);
    let unreleased = request
        .attention()
        .unreleased_late_orders()
        .any(|o| &o.carrier_order_id == carrier_order_id);
    Ok(unreleased)
}

async fn item_of(
    state: &numberdesk_application::AppState,
    event: adapters::RecordedEvent,
) -> Result<Option<AttentionItem>> {
    let (kind, carrier_order_id, phone_numbers, reason) =
        match event.decode().map_err(ApiError::from)? {
            NumberRequestEvent::OrderLandedLate {
                carrier_order_id,
                phone_numbers,
                ..
            } => ("ORDER_LANDED_LATE", carrier_order_id, phone_numbers, None),
            NumberRequestEvent::OrderMissing {
                carrier_order_id,
                reason,
            } => ("ORDER_MISSING", carrier_order_id, Vec::new(), Some(reason)),
            // The filter asks for the two types above only.
            _ => return Ok(None),
        };
    if kind == "ORDER_LANDED_LATE"
        && !late_order_unreleased(state, &event, &carrier_order_id).await?
    {
        // Every number of it was released: nothing needs attention.
        return Ok(None);
    }
    let status = state
        .desk
        .request(event.request_id)
        .await
        .map_err(ApiError::from)?
        .map(|v| v.status.as_str().to_owned())
        .unwrap_or_default();
    Ok(Some(AttentionItem {
        kind: kind.into(),
        request_id: ID(event.request_id.to_string()),
        request_status: status,
        carrier_order_id: carrier_order_id.as_str().to_owned(),
        phone_numbers: phone_numbers
            .iter()
            .map(|n| n.as_str().to_owned())
            .collect(),
        reason: reason.map(|r| r.as_str().to_owned()),
        occurred_at: event.occurred_at,
        cursor: event.position.to_string(),
        position: event.position,
    }))
}
