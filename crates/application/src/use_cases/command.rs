//! Running one command on an existing request.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::NumberRequestView;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;
use uuid::Uuid;

/// The counter of commands by `command` and `outcome`, kept by the desk
/// for every command (see [`numberdesk_adapters::COMMANDS_TOTAL`]).
pub use numberdesk_adapters::COMMANDS_TOTAL;

/// Runs `command` on request `id` in one decision and one commit.
#[instrument(
    skip_all,
    fields(request = %id, command = command.name(), request_id = meta.request_id.as_deref(), correlation_id = %meta.correlation_id),
    err(Debug)
)]
pub async fn execute(
    state: &AppState,
    id: Uuid,
    command: NumberRequestCommand,
    meta: &CommandMetadata,
) -> Result<NumberRequestView, ApiError> {
    Ok(state.desk.execute(id, command, meta).await?)
}
