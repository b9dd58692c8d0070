use std::collections::BTreeMap;

/// Why one value was refused; the caller knows which field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct InvalidValue {
    /// A sentence a client can show to a person.
    pub reason: String,
}

impl InvalidValue {
    /// Builds the error from any printable reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Every refused field of one input at once, so a client can fix them all in
/// one round trip instead of one per request.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", self.summary())]
pub struct ValidationErrors {
    fields: BTreeMap<String, String>,
}

impl ValidationErrors {
    /// An empty set, to be filled with [`ValidationErrors::add`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Records why `field` was refused; the first reason per field wins.
    pub fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.fields
            .entry(field.into())
            .or_insert_with(|| reason.into());
    }

    /// Keeps the value when valid, records the reason under `field` otherwise.
    pub fn check<T>(&mut self, field: &str, result: Result<T, InvalidValue>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, err.reason);
                None
            }
        }
    }

    /// True when nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field name → reason, in field-name order, for API error bodies.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    fn summary(&self) -> String {
        self.fields
            .iter()
            .map(|(field, reason)| format!("{field}: {reason}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}
