//! A quote: the numbers an order of the request would buy now, with the
//! carrier's prices. Nothing is bought or held.

use super::super::{Fulfilment, FulfilmentError};
use super::support::search_for;
use crate::NumberRequestView;
use numberdesk_domain::ports::AvailableNumber;
use numberdesk_domain::request::number_mismatch;

impl Fulfilment {
    /// The candidate numbers for `view`: the search an order runs, filtered
    /// the same way (a number that does not fit the request is never
    /// offered), at most the request's quantity.
    #[tracing::instrument(skip_all, fields(request = %view.uuid), err)]
    pub async fn quote(
        &self,
        view: &NumberRequestView,
    ) -> Result<Vec<AvailableNumber>, FulfilmentError> {
        let search = search_for(view)?;
        let offered = self.provider().search(&search).await?;
        Ok(offered
            .into_iter()
            .filter(|n| {
                number_mismatch(search.country, search.number_type, &n.phone_number).is_none()
            })
            .take(usize::from(search.limit))
            .collect())
    }
}
