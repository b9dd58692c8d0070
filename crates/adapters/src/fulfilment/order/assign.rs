//! Auto-fulfilment: assigning a submitted request to `system`.

use super::super::{FulfilmentError, SYSTEM_ACTOR};
use super::support::{execute_now, stored, view_of};
use crate::NumberDesk;
use numberdesk_domain::metadata::CommandMetadata;
use numberdesk_domain::values::Assignee;
use numberdesk_domain::{NumberRequestCommand, RequestStatus};
use uuid::Uuid;

/// Auto-fulfilment: assigns a still-submitted request to `system`.
pub(in crate::fulfilment) async fn auto_assign(
    desk: &NumberDesk,
    request: Uuid,
    meta: &CommandMetadata,
) -> Result<(), FulfilmentError> {
    let view = view_of(desk, request).await?;
    if view.status != RequestStatus::Submitted {
        return Ok(());
    }
    let assignee = stored(
        "assignee",
        Assignee::parse(SYSTEM_ACTOR).map_err(|e| e.reason),
    )?;
    execute_now(
        desk,
        request,
        NumberRequestCommand::Assign {
            assignee,
            notes: None,
        },
        meta,
    )
    .await?;
    Ok(())
}
