//! The client's calls on numbers the account holds: finding one by its
//! number (`GET /phone_numbers?filter[phone_number]=…`) and releasing it
//! (`DELETE /phone_numbers/{id}`), as Telnyx's OpenAPI description defines
//! them.

use crate::client::{non_empty, TelnyxClient};
use crate::error::TelnyxError;
use crate::retry::Idempotency;
use crate::types::{DataEnvelope, ListEnvelope, PhoneNumberRecord};
use reqwest::Method;

impl TelnyxClient {
    /// `GET /phone_numbers?filter[phone_number]=…`: the account's numbers
    /// matching `phone_number` (Telnyx matches on digits, possibly partly:
    /// callers filter the result exactly). First page of up to 250.
    pub async fn find_phone_numbers(
        &self,
        phone_number: &str,
    ) -> Result<ListEnvelope<PhoneNumberRecord>, TelnyxError> {
        let pairs = [
            (
                "filter[phone_number]".to_owned(),
                non_empty(phone_number)?.to_owned(),
            ),
            ("page[number]".to_owned(), "1".to_owned()),
            ("page[size]".to_owned(), "250".to_owned()),
        ];
        let url = self.url(&["phone_numbers"], &pairs)?;
        self.get(url).await
    }

    /// `DELETE /phone_numbers/{id}`: releases the number. Re-sent only when
    /// Telnyx certainly did nothing (429, no connection); after a timeout or
    /// a 5xx the number may be released already: look it up again (a 404 on
    /// a later DELETE also means it is gone).
    pub async fn delete_phone_number(&self, id: &str) -> Result<PhoneNumberRecord, TelnyxError> {
        let url = self.url(&["phone_numbers", non_empty(id)?], &[])?;
        let envelope: DataEnvelope<PhoneNumberRecord> = self
            .retry
            .run(Idempotency::NonIdempotent, || {
                self.send_once(Method::DELETE, url.clone(), None)
            })
            .await?;
        Ok(envelope.data)
    }
}
