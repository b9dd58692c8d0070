use serde::{Deserialize, Serialize};

/// Schemas `PhoneNumberDetailed` / `PhoneNumberDeletedDetailed`: a number
/// the account holds, as `GET /phone_numbers` lists it and
/// `DELETE /phone_numbers/{id}` returns it. Only the fields numberdesk
/// reads; the rest of the object is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberRecord {
    /// Telnyx id of the number (a numeric string), for `/phone_numbers/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `phone_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// The number in E.164 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `active`, `deleted`, `purchase-pending`, ... (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The reference set on the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
}

impl PhoneNumberRecord {
    /// Whether Telnyx says the number is already deleted (released).
    pub fn is_deleted(&self) -> bool {
        self.status.as_deref() == Some("deleted")
    }
}
