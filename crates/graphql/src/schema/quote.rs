//! Prices before buying: the numbers an order of a request would buy now,
//! with the carrier's prices (`quote`). Ops, and a partner key for its own
//! organisation's requests; nothing is bought or held.

use super::context::Scope;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use numberdesk_application::ApiError;
use numberdesk_domain::ports::AvailableNumber;

/// A candidate number and what the carrier quotes for it.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuotedNumber {
    /// The number (E.164).
    pub phone_number: String,
    /// Charged every month (decimal string, e.g. `"1.00"`); null when the
    /// carrier quoted no price.
    pub monthly_cost: Option<String>,
    /// Charged once, when bought (decimal string).
    pub upfront_cost: Option<String>,
    /// ISO 4217 currency of both amounts.
    pub currency: Option<String>,
}

impl From<AvailableNumber> for QuotedNumber {
    fn from(n: AvailableNumber) -> Self {
        let price = n.price.as_ref();
        QuotedNumber {
            phone_number: n.phone_number.as_str().to_owned(),
            monthly_cost: price.map(|p| p.monthly_cost.as_str().to_owned()),
            upfront_cost: price.map(|p| p.upfront_cost.as_str().to_owned()),
            currency: price.map(|p| p.currency.as_str().to_owned()),
        }
    }
}

/// What an order of the request would buy now.
#[derive(SimpleObject, Clone, Debug)]
pub struct Quote {
    /// The request (its UUID).
    pub request_id: ID,
    /// How many numbers the request wants.
    pub quantity: i64,
    /// The candidates, at most `quantity`.
    pub numbers: Vec<QuotedNumber>,
    /// True when the carrier offers as many numbers as wanted.
    pub complete: bool,
}

/// The quote read, merged into the root `Query`.
#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
    /// The numbers an order of the request would buy now, with the
    /// carrier's prices; null when the request does not exist or is not
    /// yours. Asks the carrier each time: nothing is bought or held, and the
    /// numbers may be gone when the order runs.
    #[graphql(complexity = 50)]
    #[tracing::instrument(skip_all, fields(request_id = %request_id.as_str()), err(Debug, level = "info"))]
    async fn quote(&self, ctx: &Context<'_>, request_id: ID) -> Result<Option<Quote>> {
        let scope = Scope::of(ctx)?;
        let state = scope.state;
        let Some(view) = scope.request(&request_id, "requestId").await? else {
            return Ok(None);
        };
        let numbers = state
            .fulfilment
            .quote(&view)
            .await
            .map_err(ApiError::from)?;
        let complete = i64::try_from(numbers.len()).unwrap_or(i64::MAX) >= view.quantity;
        Ok(Some(Quote {
            request_id: ID(view.uuid.to_string()),
            quantity: view.quantity,
            numbers: numbers.into_iter().map(Into::into).collect(),
            complete,
        }))
    }
}
