//! [`NumberDesk`]'s read side: views, history, the audit feed, time travel.

use super::NumberDesk;
use crate::fold::fold;
use crate::model::{
    AuditFilter, NumberRequestView, Page, PageRequest, PhoneNumberFilter, PhoneNumberView,
    RecordedEvent, RequestFilter,
};
use crate::store::Sql;
use crate::{lists, reads, StoreError};
use chrono::{DateTime, Utc};
use numberdesk_domain::RequestStatus;
use std::collections::BTreeMap;
use uuid::Uuid;

impl NumberDesk {
    /// One request's view by aggregate id.
    pub async fn request(&self, id: Uuid) -> Result<Option<NumberRequestView>, StoreError> {
        reads::request(&self.inner.db, id).await
    }

    /// One request's view by its integer number (the REST `id`).
    pub async fn request_by_number(
        &self,
        number: i64,
    ) -> Result<Option<NumberRequestView>, StoreError> {
        reads::request_by_number(&self.inner.db, number).await
    }

    /// Requests matching `filter`, newest first; `page.after` is the last
    /// number seen.
    pub async fn list_requests(
        &self,
        filter: &RequestFilter,
        page: &PageRequest,
    ) -> Result<Page<NumberRequestView>, StoreError> {
        lists::list_requests(&self.inner.db, filter, page).await
    }

    /// Provisioned numbers matching `filter`, ascending id; `page.after` is
    /// the last id seen.
    pub async fn list_phone_numbers(
        &self,
        filter: &PhoneNumberFilter,
        page: &PageRequest,
    ) -> Result<Page<PhoneNumberView>, StoreError> {
        lists::list_phone_numbers(&self.inner.db, filter, page).await
    }

    /// Every event of one request, in sequence order, with metadata.
    pub async fn history(&self, id: Uuid) -> Result<Vec<RecordedEvent>, StoreError> {
        self.settle().await?;
        reads::history(&self.inner.db, id).await
    }

    /// The global audit feed: ascending position, filtered; `page.after` is
    /// the last position seen (keyset, no OFFSET).
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<RecordedEvent>, StoreError> {
        self.settle().await?;
        lists::audit_log(&self.inner.db, filter, page, &self.inner.checkpoint_seen).await
    }

    /// Up to `limit` committed events with a position above `position`,
    /// ascending. Positions become visible in commit order on both backends,
    /// so polling with the last position seen never skips an event.
    pub async fn events_after(
        &self,
        position: i64,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.settle().await?;
        reads::events_after(&self.inner.db, position, limit.max(0)).await
    }

    /// The request as it stood at `at`: its events with `occurred_at <= at`,
    /// folded. `None` if it did not exist yet.
    pub async fn request_as_of(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<NumberRequestView>, StoreError> {
        let history = self.history(id).await?;
        let until: Vec<RecordedEvent> = history
            .into_iter()
            .take_while(|e| e.occurred_at <= at)
            .collect();
        Ok(fold(&until)?.map(|p| p.request))
    }

    /// How many requests are in each status (every status is present, zeros
    /// included), over every organisation or only the given ones.
    pub async fn stats(
        &self,
        organization_ids: Option<&[i64]>,
    ) -> Result<BTreeMap<RequestStatus, i64>, StoreError> {
        reads::stats(&self.inner.db, organization_ids).await
    }

    /// How far each consumer of the log is behind its head, in events:
    /// `("views", n)` for the projector, `("fulfilment", n)` for the
    /// fulfilment consumer (the metrics endpoint samples it at each scrape).
    pub async fn consumer_lag(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let head = reads::head(&self.inner.db).await?;
        let checkpoints: Vec<(String, i64)> = self
            .inner
            .db
            .fetch_all(Sql::new(
                "SELECT name, position FROM projection_checkpoints ORDER BY name",
            ))
            .await?;
        Ok(checkpoints
            .into_iter()
            .map(|(name, position)| (name, (head - position).max(0)))
            .collect())
    }

    /// The projector's checkpoint and the log's highest position: equal when
    /// the views are up to date.
    pub async fn projection_status(&self) -> Result<(i64, i64), StoreError> {
        self.settle().await?;
        Ok((
            reads::checkpoint(&self.inner.db).await?,
            reads::head(&self.inner.db).await?,
        ))
    }

    /// Every row of both views, ordered by id (for comparisons and exports).
    pub async fn dump_views(
        &self,
    ) -> Result<(Vec<NumberRequestView>, Vec<PhoneNumberView>), StoreError> {
        reads::dump_views(&self.inner.db).await
    }
}
