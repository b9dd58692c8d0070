//! What needs the operations team's attention: carrier orders that landed
//! on a request that could no longer take them (bought numbers nobody
//! tracks otherwise), and recorded orders the carrier says do not exist.
//! Read from the event log (`OrderLandedLate`, `OrderMissing`), ops only.

use super::context::caller;
use super::paging::{connection, KeysetConnection, PageArgs};
use super::types::TotalCount;
use crate::auth::{require_ops, scoped_organizations};
use crate::error::ApiError;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters::{self as adapters, Page};
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
    #[graphql(complexity = "25 + child_complexity")]
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
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "see what needs attention")?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let filter = adapters::AuditFilter {
            organization_ids: scoped_organizations(state, principal, None).await?,
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
}

async fn item_of(
    state: &crate::state::AppState,
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
