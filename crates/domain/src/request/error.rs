use super::RequestStatus;

/// Why a command was refused. Every variant emits nothing; API layers map
/// them once: `Invalid` → 400, `NotFound` → 404, the rest → 409.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberRequestError {
    /// A command other than submit reached a request that does not exist.
    #[error("number request not found")]
    NotFound,
    /// Submit reached a request that already exists.
    #[error("number request already submitted")]
    AlreadySubmitted,
    /// The request's status does not allow the command.
    #[error("cannot {command} a request that is {status}")]
    InvalidTransition {
        /// The refused command.
        command: &'static str,
        /// The status that refused it.
        status: RequestStatus,
    },
    /// The number was released already.
    #[error("{phone_number} is already released")]
    AlreadyReleased {
        /// The number.
        phone_number: String,
    },
    /// The command's data breaks a rule of the request.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (or rule) at fault.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl NumberRequestError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
