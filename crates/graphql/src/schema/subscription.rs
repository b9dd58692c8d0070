//! Live events for dashboards.
//!
//! Each subscriber reads the committed log from a position onwards, so an
//! event is delivered once, only after it is committed, and in log order.
//! The store's "log moved" signal (`NumberDesk::log_moved`: every projector
//! pass here, other processes' passes as heard) wakes subscribers; a poll is
//! the fallback.
//!
//! A stream re-checks the key it was opened with every key-cache period
//! (`KEY_CACHE_SECONDS`): once the key is revoked the stream sends one error
//! (UNAUTHENTICATED) and completes.

use super::context::Scope;
use super::types::EventObject;
use async_graphql::{Context, Result, Subscription, ID};
use futures::Stream;
use numberdesk_adapters::RecordedEvent;
use numberdesk_application::ApiError;
use numberdesk_application::AppState;
use std::collections::VecDeque;
use uuid::Uuid;

/// The root of every subscription.
#[derive(Default)]
pub struct SubscriptionRoot;

/// The `Authorization` value a websocket was opened with, kept in the
/// connection's data so that its streams can re-check the key.
#[derive(Clone, Debug)]
pub struct SubscriberKey(pub String);

struct Cursor {
    state: AppState,
    position: i64,
    buffer: VecDeque<RecordedEvent>,
    organizations: Option<Vec<i64>>,
    request: Option<Uuid>,
    wake: tokio::sync::watch::Receiver<u64>,
    key: Option<SubscriberKey>,
    next_check: tokio::time::Instant,
    ended: bool,
}

impl Cursor {
    fn wants(&self, event: &RecordedEvent) -> bool {
        self.request.is_none_or(|id| id == event.request_id)
            && self
                .organizations
                .as_ref()
                .is_none_or(|orgs| orgs.contains(&event.organization_id))
    }

    /// Whether the key the stream was opened with still holds, checked at
    /// most once per key-cache period.
    async fn key_still_valid(&mut self) -> Result<(), ApiError> {
        let Some(SubscriberKey(authorization)) = &self.key else {
            return Ok(());
        };
        let now = tokio::time::Instant::now();
        if now < self.next_check {
            return Ok(());
        }
        self.next_check = now + self.check_every();
        match numberdesk_application::auth::authenticate_value(&self.state, Some(authorization))
            .await
        {
            Err(ApiError::Unauthenticated(why)) => Err(ApiError::Unauthenticated(format!(
                "{why}: the subscription ended"
            ))),
            // A store hiccup does not end a stream; the next check retries.
            Err(error) => {
                tracing::warn!(error = ?error, "subscription could not re-check its key");
                Ok(())
            }
            Ok(_) => Ok(()),
        }
    }

    fn check_every(&self) -> std::time::Duration {
        self.state
            .settings
            .key_cache
            .max(std::time::Duration::from_millis(200))
    }

    async fn next(mut self) -> Option<(Result<EventObject>, Self)> {
        loop {
            if self.ended {
                return None;
            }
            if let Err(error) = self.key_still_valid().await {
                self.ended = true;
                return Some((Err(error.into()), self));
            }
            if let Some(event) = self.buffer.pop_front() {
                return Some((Ok(event.into()), self));
            }
            match self.state.desk.events_after(self.position, 100).await {
                Ok(events) if !events.is_empty() => {
                    if let Some(last) = events.last() {
                        self.position = last.position;
                    }
                    let wanted: Vec<RecordedEvent> =
                        events.into_iter().filter(|e| self.wants(e)).collect();
                    self.buffer.extend(wanted);
                    continue;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "subscription could not read the log; retrying")
                }
            }
            let poll = self.state.settings.subscription_poll;
            let until_check = self
                .next_check
                .saturating_duration_since(tokio::time::Instant::now());
            let poll = if self.key.is_some() {
                poll.min(until_check)
            } else {
                poll
            };
            tokio::select! {
                changed = self.wake.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(poll).await;
                    }
                }
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// Events as they are committed, optionally for one organisation or one
    /// request, starting after `afterPosition` (default: now).
    async fn number_request_events(
        &self,
        ctx: &Context<'_>,
        organization: Option<i32>,
        request_id: Option<ID>,
        after_position: Option<i64>,
    ) -> Result<impl Stream<Item = Result<EventObject>>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let request = match &request_id {
            Some(id) => Some(scope.target(id, "requestId").await?.uuid),
            None => None,
        };
        let organizations = scope.organizations(organization.map(i64::from)).await?;
        let position = match after_position {
            Some(position) => position,
            None => {
                state
                    .desk
                    .projection_status()
                    .await
                    .map_err(ApiError::from)?
                    .1
            }
        };
        let cursor = Cursor {
            state: state.clone(),
            position,
            buffer: VecDeque::new(),
            organizations,
            request,
            wake: state.desk.log_moved(),
            key: ctx.data_opt::<SubscriberKey>().cloned(),
            next_check: tokio::time::Instant::now() + state.settings.key_cache,
            ended: false,
        };
        Ok(futures::stream::unfold(cursor, Cursor::next))
    }
}
