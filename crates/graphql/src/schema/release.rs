//! Releasing a number a request holds (`releaseNumber`): a live number, or
//! one of an order that landed late (bought for a cancelled request, say,
//! and listed in `needsAttention`). Ops, and a partner key for its own
//! organisation's requests; another organisation's request is NOT_FOUND.
//!
//! The mutation records the intent (`ReleaseRequested`, with the caller as
//! actor and the reason); fulfilment releases the number at the carrier
//! and records `NumberReleased`, durably and retried like orders. The
//! phone number's `status` reads `releasing`, then `released`.

use super::context::Scope;
use super::types::NumberRequestObject;
use async_graphql::{Context, Object, Result, ID};
use numberdesk_application::{use_cases, ApiError};
use numberdesk_domain::values::{PhoneNumber, Reason};
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;

/// The release mutation, merged into the root `Mutation`.
#[derive(Default)]
pub struct ReleaseMutation;

#[Object]
impl ReleaseMutation {
    /// Releases `phoneNumber` of request `requestId` at the carrier, for
    /// `reason`. Refused (BAD_USER_INPUT on `phoneNumber`) for a number the
    /// request does not hold, and (CONFLICT) for one already released;
    /// asking again while the release runs changes nothing. Returns the
    /// request.
    #[instrument(skip_all, fields(request = %request_id.as_str()), err(Debug, level = "info"))]
    async fn release_number(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request holding the number (its UUID).")] request_id: ID,
        #[graphql(desc = "The number, E.164.")] phone_number: String,
        #[graphql(desc = "Why it is released (kept in the history).")] reason: String,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let phone_number = PhoneNumber::parse(&phone_number)
            .map_err(|e| ApiError::bad_field("phoneNumber", e.reason))?;
        let reason = Reason::parse(&reason).map_err(|e| ApiError::bad_field("reason", e.reason))?;
        let view = scope.target(&request_id, "requestId").await?;
        let meta = scope.metadata();
        let command = NumberRequestCommand::RequestRelease {
            phone_number,
            reason,
            requested_by: meta.actor.clone(),
        };
        // The domain's `phone_number` reaches the client as `phoneNumber`
        // (the GraphQL error conversion's camelCase step); fulfilment is
        // woken by the store's "log moved" signal.
        let view = use_cases::execute(scope.state, view.uuid, command, &meta).await?;
        Ok(view.into())
    }
}
