//! [`TelnyxProvider`]: the domain's [`NumberProvider`] port on Telnyx.

use crate::client::TelnyxClient;
use crate::config::TelnyxConfig;
use crate::error::TelnyxError;
use crate::mapping::carrier_order_from_telnyx;
use crate::range::pick_consecutive;
use crate::types::{
    AvailablePhoneNumber, AvailablePhoneNumbersQuery, CreateNumberOrderRequest, NewOrderPhoneNumber,
};
use async_trait::async_trait;
use numberdesk_domain::ports::{
    AvailableNumber, CarrierOrder, NumberPlace, NumberProvider, NumberSearch, OrderRequest,
    ProviderError, ReleaseOutcome,
};
use numberdesk_domain::values::{CountryCode, PhoneNumber, Price};
use std::collections::BTreeMap;

/// Largest `filter[limit]` asked for when searching for ranges, which need
/// more results than numbers wanted to find consecutive runs.
const MAX_RANGE_SEARCH: u32 = 1000;

/// What every order is placed with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct OrderSettings {
    connection_id: Option<String>,
    messaging_profile_id: Option<String>,
    billing_group_id: Option<String>,
    requirement_groups: BTreeMap<CountryCode, String>,
    bundles: BTreeMap<CountryCode, String>,
}

/// Orders numbers from Telnyx for the domain.
///
/// - `search` asks `GET /available_phone_numbers` with country, type, area
///   code (`national_destination_code`), city (`locality`) and region
///   (`administrative_area`); best-effort (near-match) results and numbers
///   that are not valid E.164 are dropped. With a `range_size` it asks for
///   more results and keeps only blocks of consecutive numbers.
/// - `place_order` posts the order with the configured connection,
///   messaging profile, billing group and the country's requirement group /
///   bundle. It does not look the reference up itself: the caller (the
///   fulfilment order job) does that once per attempt, and it alone knows
///   how long an unknown outcome has been reconciled. A post that fails
///   ambiguously (timeout, 5xx) is [`ProviderError::Unavailable`]: the order
///   may exist, so the caller must not post again until a lookup by
///   reference has established its absence.
#[derive(Debug, Clone)]
pub struct TelnyxProvider {
    client: TelnyxClient,
    settings: OrderSettings,
}

impl TelnyxProvider {
    /// Builds the provider and its HTTP client.
    pub fn new(config: &TelnyxConfig) -> Result<Self, TelnyxError> {
        Ok(Self {
            client: TelnyxClient::new(&config.client)?,
            settings: OrderSettings {
                connection_id: config.connection_id.clone(),
                messaging_profile_id: config.messaging_profile_id.clone(),
                billing_group_id: config.billing_group_id.clone(),
                requirement_groups: config.requirement_groups.clone(),
                bundles: config.bundles.clone(),
            },
        })
    }

    /// The underlying API client.
    pub fn client(&self) -> &TelnyxClient {
        &self.client
    }

    fn search_query(search: &NumberSearch) -> AvailablePhoneNumbersQuery {
        let wanted = u32::from(search.limit.max(1));
        let limit = if search.range_size.is_some() {
            wanted
                .saturating_mul(4)
                .clamp(wanted, MAX_RANGE_SEARCH.max(wanted))
        } else {
            wanted
        };
        AvailablePhoneNumbersQuery {
            country_code: Some(search.country.as_str().to_owned()),
            phone_number_type: Some(search.number_type.into()),
            locality: search.city.as_ref().map(|c| c.as_str().to_owned()),
            administrative_area: search.region.as_ref().map(|r| r.as_str().to_owned()),
            national_destination_code: search.area_code.as_ref().map(|a| a.as_str().to_owned()),
            features: Vec::new(),
            limit: Some(limit),
            best_effort: None,
        }
    }

    fn order_body(&self, order: &OrderRequest) -> CreateNumberOrderRequest {
        let requirement_group_id = self
            .settings
            .requirement_groups
            .get(&order.country)
            .cloned();
        let bundle_id = self.settings.bundles.get(&order.country).cloned();
        CreateNumberOrderRequest {
            phone_numbers: order
                .phone_numbers
                .iter()
                .map(|n| NewOrderPhoneNumber {
                    phone_number: n.as_str().to_owned(),
                    bundle_id: bundle_id.clone(),
                    requirement_group_id: requirement_group_id.clone(),
                })
                .collect(),
            connection_id: self.settings.connection_id.clone(),
            messaging_profile_id: self.settings.messaging_profile_id.clone(),
            billing_group_id: self.settings.billing_group_id.clone(),
            customer_reference: Some(order.customer_reference.clone()),
        }
    }
}

/// A search result as the domain sees it: the number and, when Telnyx sent
/// a well-formed `cost_information`, its price. `None` for an unusable number.
fn available_number(found: &AvailablePhoneNumber) -> Option<AvailableNumber> {
    let phone_number = PhoneNumber::parse(&found.phone_number).ok()?;
    let price = found.cost_information.as_ref().and_then(|cost| {
        Price::from_parts(
            cost.monthly_cost.as_deref(),
            cost.upfront_cost.as_deref(),
            cost.currency.as_deref(),
        )
    });
    Some(AvailableNumber {
        phone_number,
        price,
        place: place_of(found),
    })
}

/// Where Telnyx's `region_information` places a number: `rate_center` and
/// `location` are localities, `state` a region (`country_code` is checked
/// from the number itself).
fn place_of(found: &AvailablePhoneNumber) -> NumberPlace {
    let mut place = NumberPlace::default();
    for info in &found.region_information {
        let Some(name) = info
            .region_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        match info.region_type.as_deref() {
            Some("rate_center") | Some("location") => place.localities.push(name.to_owned()),
            Some("state") => place.regions.push(name.to_owned()),
            _ => {}
        }
    }
    place
}

#[async_trait]
impl NumberProvider for TelnyxProvider {
    async fn search(&self, search: &NumberSearch) -> Result<Vec<AvailableNumber>, ProviderError> {
        let response = self
            .client
            .list_available_phone_numbers(&Self::search_query(search))
            .await?;
        let numbers: Vec<AvailableNumber> = response
            .data
            .iter()
            .filter(|n| n.best_effort != Some(true))
            .filter_map(available_number)
            .collect();
        let wanted = usize::from(search.limit);
        let picked = match search.range_size {
            Some(block) => {
                let phones: Vec<PhoneNumber> =
                    numbers.iter().map(|n| n.phone_number.clone()).collect();
                pick_consecutive(&phones, usize::from(block.get()), wanted)
                    .into_iter()
                    .filter_map(|p| numbers.iter().find(|n| n.phone_number == p).cloned())
                    .collect()
            }
            None => numbers.into_iter().take(wanted).collect(),
        };
        Ok(picked)
    }

    async fn place_order(&self, order: &OrderRequest) -> Result<CarrierOrder, ProviderError> {
        if order.phone_numbers.is_empty() {
            return Err(ProviderError::Rejected {
                code: "empty_order".to_owned(),
                detail: "an order needs at least one number".to_owned(),
            });
        }
        match self
            .client
            .create_number_order(&self.order_body(order))
            .await
        {
            // A 2xx: the carrier created an order. One we cannot read is
            // never "nothing created" (that would allow a second POST): its
            // outcome is unknown and it is reconciled by reference.
            Ok(created) => carrier_order_from_telnyx(&created).map_err(|error| {
                ProviderError::Unavailable(format!(
                    "telnyx created order {:?} but its answer cannot be used ({error}); its outcome is unknown: look it up by reference before ordering again",
                    created.id
                ))
            }),
            Err(err) if err.is_ambiguous() => Err(ProviderError::Unavailable(format!(
                "order outcome unknown ({err}); look it up by reference before ordering again"
            ))),
            Err(err) => Err(err.into()),
        }
    }

    async fn order_status(&self, carrier_order_id: &str) -> Result<CarrierOrder, ProviderError> {
        let order = self.client.get_number_order(carrier_order_id).await?;
        carrier_order_from_telnyx(&order)
    }

    async fn find_order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<CarrierOrder>, ProviderError> {
        let orders = self
            .client
            .find_number_orders_by_reference(customer_reference)
            .await?;
        // Filter exactly: never trust a server-side filter to be exact.
        let Some(first) = orders
            .iter()
            .filter(|o| o.customer_reference.as_deref() == Some(customer_reference))
            .min_by_key(|o| o.created_at)
        else {
            return Ok(None);
        };
        let full = self.client.get_number_order(&first.id).await?;
        carrier_order_from_telnyx(&full).map(Some)
    }

    async fn release_number(
        &self,
        phone_number: &PhoneNumber,
    ) -> Result<ReleaseOutcome, ProviderError> {
        crate::provider_release::release(&self.client, phone_number).await
    }
}
