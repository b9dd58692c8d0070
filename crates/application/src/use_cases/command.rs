//! Running one command on an existing request, counted by outcome.

use crate::error::ApiError;
use crate::state::AppState;
use numberdesk_adapters::{CommandError, NumberRequestView};
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;
use uuid::Uuid;

/// The counter of commands by `command` and `outcome` (`ok`, `refused`
/// by the domain, `error` of the store), served at `/metrics`.
pub const COMMANDS_TOTAL: &str = "numberdesk_commands_total";

/// Counts one command's outcome.
pub(crate) fn count(command: &'static str, result: &Result<NumberRequestView, CommandError>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(CommandError::Domain(_)) => "refused",
        Err(CommandError::Store(_)) => "error",
    };
    metrics::counter!(COMMANDS_TOTAL, "command" => command, "outcome" => outcome).increment(1);
}

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
    let name = command.name();
    let result = state.desk.execute(id, command, meta).await;
    count(name, &result);
    Ok(result?)
}
