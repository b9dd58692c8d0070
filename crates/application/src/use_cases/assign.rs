//! Assigning a request to an operator, with notes, as one command.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::{Assignee, OpsNotes};
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;
use uuid::Uuid;

/// Gives request `id` to `assignee` and sets `notes` in the same event
/// (one command, one commit): a reader never sees the assignee without
/// the notes.
#[instrument(skip_all, fields(request = %id, request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id), err(Debug))]
pub async fn assign_with_notes(
    state: &AppState,
    id: Uuid,
    assignee: Assignee,
    notes: Option<OpsNotes>,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    super::execute(
        state,
        id,
        NumberRequestCommand::Assign { assignee, notes },
        meta,
    )
    .await
}
