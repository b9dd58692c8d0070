//! Why fulfilment work failed, and whether running it again may succeed.

use crate::{CommandError, StoreError};
use chrono::Utc;
use numberdesk_domain::ports::ProviderError;
use numberdesk_domain::{NumberRequestError, RequestStatus};
use std::time::Duration;

/// Why fulfilment work failed.
#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command was refused or failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The carrier failed or refused.
    #[error(transparent)]
    Carrier(#[from] ProviderError),
    /// The carrier offers fewer numbers that fit the request than wanted.
    #[error("the carrier offers {offered} of the {wanted} numbers asked for{}; change the area or quantity", refused_text(.refused))]
    NotEnoughNumbers {
        /// Offered and fitting the request.
        offered: usize,
        /// Wanted.
        wanted: usize,
        /// Why the offered numbers that do not fit the request were not
        /// ordered (the first few).
        refused: Vec<String>,
    },
    /// Stored data is not what the domain accepts (a bug).
    #[error("invalid stored data: {0}")]
    Invalid(String),
    /// The request is not in a state this work applies to.
    #[error("cannot order a request that is {0}")]
    NotAssigned(RequestStatus),
    /// Another worker holds the job and did not finish in time, or its last
    /// run failed.
    #[error("{0}")]
    JobNotFinished(String),
    /// Retried until attempts ran out; nothing was bought.
    #[error("{0}")]
    GaveUp(String),
    /// An order was posted and its outcome is unknown (timeout, 5xx, reset,
    /// or the carrier cannot be asked): it is only looked up by reference,
    /// never posted again, until it is found or `until` has passed.
    #[error("order outcome unknown since {since}: {why}; looking it up by reference until {until} before ordering again")]
    OrderOutcomeUnknown {
        /// When the order was posted.
        since: chrono::DateTime<Utc>,
        /// Until when only lookups are made.
        until: chrono::DateTime<Utc>,
        /// What is known.
        why: String,
    },
}

/// How many refusals a [`FulfilmentError::NotEnoughNumbers`] names.
const REFUSALS_SHOWN: usize = 3;

fn refused_text(refused: &[String]) -> String {
    if refused.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = refused
        .iter()
        .take(REFUSALS_SHOWN)
        .map(String::as_str)
        .collect();
    let more = refused.len().saturating_sub(REFUSALS_SHOWN);
    format!(
        " that fit the request ({} more offered did not: {}{})",
        refused.len(),
        shown.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    )
}

impl FulfilmentError {
    /// Whether running the same job later may succeed.
    pub(super) fn is_retryable(&self) -> bool {
        match self {
            FulfilmentError::Store(_) | FulfilmentError::NotEnoughNumbers { .. } => true,
            FulfilmentError::Command(CommandError::Store(_)) => true,
            FulfilmentError::Command(CommandError::Domain(_)) => false,
            FulfilmentError::Carrier(e) => e.is_retryable() || *e == ProviderError::NotFound,
            FulfilmentError::Invalid(_)
            | FulfilmentError::NotAssigned(_)
            | FulfilmentError::GaveUp(_) => false,
            FulfilmentError::JobNotFinished(_) | FulfilmentError::OrderOutcomeUnknown { .. } => {
                true
            }
        }
    }

    pub(super) fn retry_after(&self) -> Option<Duration> {
        match self {
            FulfilmentError::Carrier(ProviderError::RateLimited { retry_after }) => *retry_after,
            _ => None,
        }
    }
}

impl From<NumberRequestError> for FulfilmentError {
    fn from(error: NumberRequestError) -> Self {
        FulfilmentError::Command(CommandError::Domain(error))
    }
}
