use crate::values::{
    AreaCode, City, CountryCode, NumberType, PhoneNumber, Price, RangeSize, Region,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to search the carrier's inventory for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberSearch {
    /// Country of the numbers.
    pub country: CountryCode,
    /// Kind of number.
    pub number_type: NumberType,
    /// Area code (national destination code).
    pub area_code: Option<AreaCode>,
    /// City (locality).
    pub city: Option<City>,
    /// Region (administrative area).
    pub region: Option<Region>,
    /// How many numbers are wanted.
    pub limit: u16,
    /// Block size when consecutive numbers are wanted.
    pub range_size: Option<RangeSize>,
}

/// A number the carrier offers and can be ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailableNumber {
    /// The number.
    pub phone_number: PhoneNumber,
    /// What the carrier quotes for it, when it said (and said it well).
    #[serde(default)]
    pub price: Option<Price>,
    /// Where the carrier says the number is, as far as it said.
    #[serde(default)]
    pub place: NumberPlace,
}

/// Where a carrier places a number (Telnyx's `region_information`): names
/// as the carrier spells them. Empty lists mean the carrier did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberPlace {
    /// Cities or localities (Telnyx `rate_center` and `location`).
    #[serde(default)]
    pub localities: Vec<String>,
    /// Regions or states (Telnyx `state`).
    #[serde(default)]
    pub regions: Vec<String>,
}

impl AvailableNumber {
    /// A number offered without a price.
    pub fn unpriced(phone_number: PhoneNumber) -> Self {
        AvailableNumber {
            phone_number,
            price: None,
            place: NumberPlace::default(),
        }
    }
}

/// An order to place. `customer_reference` is our idempotency reference: the
/// request's id, so a crashed attempt can find its order instead of paying twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// Our reference for the order.
    pub customer_reference: String,
    /// The numbers, each taken from a search result.
    pub phone_numbers: Vec<PhoneNumber>,
    /// Country of the numbers (selects carrier requirement groups / bundles).
    pub country: CountryCode,
    /// Kind of the numbers.
    pub number_type: NumberType,
}

/// Where an order or one of its numbers stands at the carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierOrderStatus {
    /// Still being worked (e.g. regulatory review).
    Pending,
    /// Done.
    Success,
    /// Refused.
    Failure,
}

/// One number of a carrier order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierNumber {
    /// The number.
    pub phone_number: PhoneNumber,
    /// Its own status; numbers of one order can end differently.
    pub status: CarrierOrderStatus,
    /// The carrier's reason when it failed.
    pub reason: Option<String>,
}

/// A carrier order as the carrier reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierOrder {
    /// The carrier's id.
    pub id: String,
    /// Overall status.
    pub status: CarrierOrderStatus,
    /// Our reference, echoed back.
    pub customer_reference: Option<String>,
    /// The numbers and their statuses.
    pub phone_numbers: Vec<CarrierNumber>,
}

/// Why a carrier call failed, sorted by what the caller should do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Slow down; retry after the given delay if the carrier said one.
    #[error("carrier rate limit hit")]
    RateLimited {
        /// How long the carrier asked us to wait.
        retry_after: Option<Duration>,
    },
    /// The carrier is unreachable or failed (5xx, connection, timeout). The
    /// outcome of an order call is unknown: look it up before retrying.
    #[error("carrier unavailable: {0}")]
    Unavailable(String),
    /// The carrier refused the request; retrying the same call will not help.
    #[error("carrier refused the request ({code}): {detail}")]
    Rejected {
        /// The carrier's error code.
        code: String,
        /// The carrier's explanation.
        detail: String,
    },
    /// No such order.
    #[error("carrier order not found")]
    NotFound,
}

impl ProviderError {
    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. } | ProviderError::Unavailable(_)
        )
    }
}

/// The carrier, seen from the domain: search, order with a reference, read an
/// order, and find an order by our reference (for crash recovery).
#[async_trait]
pub trait NumberProvider: Send + Sync {
    /// Numbers the carrier can sell now.
    async fn search(&self, search: &NumberSearch) -> Result<Vec<AvailableNumber>, ProviderError>;
    /// Places an order. Not idempotent at the carrier: call
    /// [`NumberProvider::find_order_by_reference`] first.
    async fn place_order(&self, order: &OrderRequest) -> Result<CarrierOrder, ProviderError>;
    /// Reads an order's current state.
    async fn order_status(&self, carrier_order_id: &str) -> Result<CarrierOrder, ProviderError>;
    /// The order placed with this reference, if any.
    async fn find_order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<CarrierOrder>, ProviderError>;
}
