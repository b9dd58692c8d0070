//! Who did what, when, and why: the metadata every event carries.
//!
//! cqrs-es stores metadata as a string map; these keys and this builder keep
//! every adapter and API writing the same names, so the audit feed can filter
//! on them.

use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Key of the acting principal (`partner:<key id>`, `ops:<key id>`, `system`).
pub const ACTOR: &str = "actor";
/// Key of the id shared by every event caused by one user action.
pub const CORRELATION_ID: &str = "correlation_id";
/// Key of the id of the event or job that caused this one, if any.
pub const CAUSATION_ID: &str = "causation_id";
/// Key of the HTTP request id the command arrived with.
pub const REQUEST_ID: &str = "request_id";
/// Key of the instant the command was accepted (RFC 3339, UTC, milliseconds).
pub const OCCURRED_AT: &str = "occurred_at";

/// The metadata of one command, turned into the map cqrs-es persists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandMetadata {
    /// Who acted.
    pub actor: String,
    /// Groups the events of one user action.
    pub correlation_id: Uuid,
    /// What caused it, if not a user.
    pub causation_id: Option<String>,
    /// The HTTP request id, if any.
    pub request_id: Option<String>,
    /// When it was accepted.
    pub occurred_at: DateTime<Utc>,
}

impl CommandMetadata {
    /// Metadata for an action by `actor` now, with a fresh correlation id.
    pub fn new(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            correlation_id: Uuid::new_v4(),
            causation_id: None,
            request_id: None,
            occurred_at: Utc::now(),
        }
    }

    /// The string map cqrs-es stores with every event of the command.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        map.insert(ACTOR.to_owned(), self.actor.clone());
        map.insert(CORRELATION_ID.to_owned(), self.correlation_id.to_string());
        map.insert(
            OCCURRED_AT.to_owned(),
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        );
        if let Some(causation) = &self.causation_id {
            map.insert(CAUSATION_ID.to_owned(), causation.clone());
        }
        if let Some(request) = &self.request_id {
            map.insert(REQUEST_ID.to_owned(), request.clone());
        }
        map
    }

    /// Reads the instant back from a stored map; `None` when absent or bad.
    pub fn occurred_at_of(map: &HashMap<String, String>) -> Option<DateTime<Utc>> {
        map.get(OCCURRED_AT)
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|t| t.with_timezone(&Utc))
    }
}
