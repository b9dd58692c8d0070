//! The body of status callbacks: the REST contract's request envelope.

use super::contract::NumberRequestEnvelope;
use numberdesk_adapters::fulfilment::CallbackRenderer;
use numberdesk_adapters::NumberRequestView;
use std::sync::Arc;

/// Renders the body of a status callback: the REST contract's
/// `{"success": true, "numberRequest": {…}}`, exactly as `GET` returns it.
pub fn callback_renderer() -> CallbackRenderer {
    Arc::new(|view: &NumberRequestView| {
        serde_json::to_string(&NumberRequestEnvelope::from(view.clone())).map_err(|e| e.to_string())
    })
}
