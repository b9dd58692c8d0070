use serde::{Deserialize, Serialize};

/// Schema `numbers_Errors`: the body of every Telnyx error response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// The errors, most relevant first.
    #[serde(default)]
    pub errors: Vec<TelnyxApiError>,
}

/// Schema `numbers_Error`: one Telnyx error object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxApiError {
    /// Telnyx's error code, a string such as `"10015"`.
    #[serde(default)]
    pub code: String,
    /// Short title ("Bad Request").
    #[serde(default)]
    pub title: String,
    /// Human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What part of the request caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TelnyxErrorSource>,
    /// Link to the documentation of the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<TelnyxErrorMeta>,
}

/// `numbers_Error.source`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxErrorSource {
    /// JSON pointer (RFC 6901) into the request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The query parameter at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// `numbers_Error.meta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxErrorMeta {
    /// Documentation URL of the error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl std::fmt::Display for TelnyxApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(source) = &self.source {
            if let Some(pointer) = &source.pointer {
                write!(f, " (at {pointer})")?;
            }
            if let Some(parameter) = &source.parameter {
                write!(f, " (parameter {parameter})")?;
            }
        }
        Ok(())
    }
}
