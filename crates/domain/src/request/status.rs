use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a request stands, spelled as the REST contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Received from the customer; nobody works it yet.
    Submitted,
    /// An operator (or the system, with auto-fulfilment) owns it.
    Assigned,
    /// An order was placed at the carrier and awaits its outcome.
    Ordered,
    /// Numbers are live for the customer. Terminal.
    Provisioned,
    /// The carrier order failed; ops may assign it again for a new attempt.
    Failed,
    /// Ops refused the request. Terminal.
    Rejected,
    /// The customer or ops withdrew it. Terminal.
    Cancelled,
}

impl RequestStatus {
    /// Every status, for filters and schemas.
    pub const ALL: [RequestStatus; 7] = [
        RequestStatus::Submitted,
        RequestStatus::Assigned,
        RequestStatus::Ordered,
        RequestStatus::Provisioned,
        RequestStatus::Failed,
        RequestStatus::Rejected,
        RequestStatus::Cancelled,
    ];

    /// Terminal statuses accept no further command.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RequestStatus::Provisioned | RequestStatus::Rejected | RequestStatus::Cancelled
        )
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Submitted => "submitted",
            RequestStatus::Assigned => "assigned",
            RequestStatus::Ordered => "ordered",
            RequestStatus::Provisioned => "provisioned",
            RequestStatus::Failed => "failed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }
}

impl FromStr for RequestStatus {
    type Err = crate::values::InvalidValue;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == input.trim())
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                crate::values::InvalidValue::new(format!("must be one of: {}", allowed.join(", ")))
            })
    }
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
