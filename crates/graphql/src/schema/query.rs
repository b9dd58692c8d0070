//! Read operations.

use super::context::{request_id, Scope};
use super::inputs::{AuditFilter, NumberRequestFilter, PhoneNumberFilter};
use super::paging::{connection, KeysetConnection, PageArgs};
use super::types::{
    EventObject, NumberRequestObject, PhoneNumberObject, Stats, StatusCount, TotalCount,
};
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};
use numberdesk_adapters as adapters;
use numberdesk_application::ApiError;
use numberdesk_domain::values::CountryCode;
use numberdesk_domain::RequestStatus;
use tracing::instrument;

/// The root of every read.
///
/// Complexity: each field that queries the database costs 25 (stats 50) plus
/// its selection, so `GRAPHQL_MAX_COMPLEXITY` (1000) bounds the database work
/// one request can cause, however many aliases it uses.
#[derive(Default)]
pub struct Query;

#[Object(name = "RequestQuery")] // merged into the root `Query` (schema/mod.rs)
impl Query {
    /// One request by its UUID; null when it does not exist or is not yours.
    #[graphql(complexity = "5 + child_complexity")]
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<NumberRequestObject>> {
        Ok(Scope::of(ctx)?.request(&id, "id").await?.map(Into::into))
    }

    /// Requests, newest first.
    #[graphql(complexity = "25 + child_complexity")]
    #[instrument(skip_all, fields(first = ?first, last = ?last), err(Debug, level = "info"))]
    async fn number_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<NumberRequestFilter>,
        #[graphql(desc = "Page forwards: at most this many items after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items after it.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many items before `before`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items before it.")] before: Option<String>,
    ) -> Result<KeysetConnection<NumberRequestObject>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let filter = filter.unwrap_or_default();
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let country = filter
            .country
            .as_deref()
            .map(CountryCode::parse)
            .transpose()
            .map_err(|e| ApiError::bad_field("filter.country", e.reason))?;
        let query = adapters::RequestFilter {
            organization_ids: scope
                .organizations(filter.organization.map(i64::from))
                .await?,
            statuses: filter
                .status
                .unwrap_or_default()
                .into_iter()
                .map(RequestStatus::from)
                .collect(),
            country,
            assigned_to: filter.assigned_to,
            created_after: filter.created_after,
            created_before: filter.created_before,
        };
        let items = state
            .desk
            .list_requests(&query, &page)
            .await
            .map_err(ApiError::from)?;
        let total = TotalCount::Requests(state.clone(), query);
        Ok(connection(
            items,
            total,
            |v| v.id,
            NumberRequestObject::from,
        ))
    }

    /// Provisioned phone numbers, by id.
    #[graphql(complexity = "25 + child_complexity")]
    #[instrument(skip_all, fields(first = ?first, last = ?last), err(Debug, level = "info"))]
    async fn phone_numbers(
        &self,
        ctx: &Context<'_>,
        filter: Option<PhoneNumberFilter>,
        #[graphql(desc = "Page forwards: at most this many items after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items after it.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many items before `before`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items before it.")] before: Option<String>,
    ) -> Result<KeysetConnection<PhoneNumberObject>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let filter = filter.unwrap_or_default();
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let query = adapters::PhoneNumberFilter {
            organization_ids: scope
                .organizations(filter.organization.map(i64::from))
                .await?,
            account_id: None,
            request_id: filter
                .request_id
                .as_ref()
                .map(|id| request_id(id, "filter.requestId"))
                .transpose()?,
        };
        let items = state
            .desk
            .list_phone_numbers(&query, &page)
            .await
            .map_err(ApiError::from)?;
        let total = TotalCount::PhoneNumbers(state.clone(), query);
        Ok(connection(items, total, |v| v.id, PhoneNumberObject::from))
    }

    /// Every event of one request, in order, with who did it and when.
    #[graphql(complexity = "25 + child_complexity")]
    #[instrument(skip_all, fields(request_id = %request_id.as_str()), err(Debug, level = "info"))]
    async fn history(&self, ctx: &Context<'_>, request_id: ID) -> Result<Vec<EventObject>> {
        let scope = Scope::of(ctx)?;
        let view = scope.target(&request_id, "id").await?;
        let events = scope
            .state
            .desk
            .history(view.uuid)
            .await
            .map_err(ApiError::from)?;
        Ok(events.into_iter().map(Into::into).collect())
    }

    /// The global audit feed, oldest first, filterable, paged by position.
    #[graphql(complexity = "25 + child_complexity")]
    #[instrument(skip_all, fields(first = ?first, last = ?last), err(Debug, level = "info"))]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        #[graphql(desc = "Page forwards: at most this many items after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items after it.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many items before `before`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "A cursor: only items before it.")] before: Option<String>,
    ) -> Result<KeysetConnection<EventObject>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let filter = filter.unwrap_or_default();
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .page_request(state)?;
        let event_types = filter.event_types.unwrap_or_default();
        if let Some(bad) = event_types
            .iter()
            .find(|t| !numberdesk_domain::NumberRequestEvent::TYPES.contains(&t.as_str()))
        {
            return Err(ApiError::bad_field(
                "filter.eventTypes",
                format!(
                    "{bad:?} is not one of {}",
                    numberdesk_domain::NumberRequestEvent::TYPES.join(", ")
                ),
            )
            .into());
        }
        let query = adapters::AuditFilter {
            organization_ids: scope
                .organizations(filter.organization.map(i64::from))
                .await?,
            actor: filter.actor,
            event_types,
            from: filter.from,
            to: filter.to,
        };
        let items = state
            .desk
            .audit_log(&query, &page)
            .await
            .map_err(ApiError::from)?;
        let total = TotalCount::Audit(state.clone(), query);
        Ok(connection(items, total, |e| e.position, EventObject::from))
    }

    /// The request as it stood at an instant (its events folded up to then).
    #[graphql(complexity = "25 + child_complexity")]
    #[instrument(skip_all, fields(id = %id.as_str(), at = %at), err(Debug, level = "info"))]
    async fn number_request_as_of(
        &self,
        ctx: &Context<'_>,
        id: ID,
        at: DateTime<Utc>,
    ) -> Result<Option<NumberRequestObject>> {
        let scope = Scope::of(ctx)?;
        let Some(view) = scope.request(&id, "id").await? else {
            return Ok(None);
        };
        let past = scope
            .state
            .desk
            .request_as_of(view.uuid, at)
            .await
            .map_err(ApiError::from)?;
        Ok(past.map(Into::into))
    }

    /// Requests per status, for dashboards.
    #[graphql(complexity = 50)]
    #[instrument(skip_all, fields(organization = ?organization), err(Debug, level = "info"))]
    async fn stats(&self, ctx: &Context<'_>, organization: Option<i32>) -> Result<Stats> {
        let scope = Scope::of(ctx)?;
        let organizations = scope.organizations(organization.map(i64::from)).await?;
        let counts = scope
            .state
            .desk
            .stats(organizations.as_deref())
            .await
            .map_err(ApiError::from)?;
        let by_status: Vec<StatusCount> = RequestStatus::ALL
            .into_iter()
            .map(|status| StatusCount {
                status: status.into(),
                count: counts.get(&status).copied().unwrap_or(0),
            })
            .collect();
        let total = by_status.iter().map(|s| s.count).sum();
        Ok(Stats { by_status, total })
    }
}
