//! What needs the operations team's attention: carrier orders that landed
//! on a request that could no longer take them (bought numbers nobody
//! tracks otherwise), and recorded orders the carrier says do not exist.
//! Read from the event log (`OrderLandedLate`, `OrderMissing`), ops only.

use super::context::{OpsOnly, Scope};
use super::paging::parse_cursor;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters::{self as adapters, PageRequest};
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
    /// The event's position: the cursor for `after`.
    pub cursor: String,
}

/// Attention reads, merged into the root `Query`.
#[derive(Default)]
pub struct AttentionQuery;

#[Object]
impl AttentionQuery {
    /// Requests whose numbers or orders need attention, oldest first,
    /// paged by `cursor`. Ops only.
    #[graphql(guard = "OpsOnly(\"see what needs attention\")")]
    #[tracing::instrument(skip_all, fields(first = ?first), err(Debug, level = "info"))]
    async fn needs_attention(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Vec<AttentionItem>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let first = state.page_size(first)?;
        let after = after.map(|c| parse_cursor("after", &c)).transpose()?;
        let filter = adapters::AuditFilter {
            organization_ids: scope.organizations(None).await?,
            actor: None,
            event_types: vec!["OrderLandedLate".into(), "OrderMissing".into()],
            from: None,
            to: None,
        };
        let page = state
            .desk
            .audit_log(
                &filter,
                &PageRequest {
                    first,
                    after,
                    with_total: false,
                    ..PageRequest::default()
                },
            )
            .await
            .map_err(ApiError::from)?;
        let mut out = Vec::new();
        for event in page.items {
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
                    _ => continue,
                };
            let status = state
                .desk
                .request(event.request_id)
                .await
                .map_err(ApiError::from)?
                .map(|v| v.status.as_str().to_owned())
                .unwrap_or_default();
            out.push(AttentionItem {
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
            });
        }
        Ok(out)
    }
}
