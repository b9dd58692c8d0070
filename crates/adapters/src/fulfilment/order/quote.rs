//! A quote: the numbers an order of the request would buy now, with the
//! carrier's prices. Nothing is bought or held.

use super::super::{Fulfilment, FulfilmentError};
use super::fit::fitting;
use super::support::{search_for, with_headroom};
use crate::NumberRequestView;
use numberdesk_domain::ports::AvailableNumber;

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
        let offered = self.provider().search(&with_headroom(&search)).await?;
        let (fit, _refused) = fitting(&search, offered);
        Ok(fit.into_iter().take(usize::from(search.limit)).collect())
    }
}
