//! [`SandboxProvider`]: an in-memory stand-in for the carrier, for running
//! numberdesk without a Telnyx account. Nothing is bought and nothing
//! leaves the process.
//!
//! **Numbers.** A search returns numbers that pass the domain's
//! `PhoneNumber::parse` for the requested country and type: libphonenumber's
//! example number for that country and type (from the `phonenumber` crate's
//! metadata) with its last digits varied per request. Every country with
//! metadata works; a country or type without an example number gets no
//! numbers. With a `range_size`, numbers come in blocks of consecutive
//! numbers. Numbers already ordered are not offered again.
//!
//! **Behaviour by area.** The search's area code or city decides what
//! happens to orders of the numbers it returned:
//!
//! | area code or city | order |
//! | --- | --- |
//! | `555` or `pending` | stays `pending`, then succeeds once [`SandboxConfig::pending_delay`] (default 5 s) has passed; checked when the order is read (`order_status`, `find_order_by_reference`) |
//! | `666` or `fail` | fails; each number's reason is `sandbox: regulatory requirements not met` |
//! | anything else, or none | succeeds at once |
//!
//! An order's status is `pending` while any number is pending, `failure`
//! when every number failed, `success` otherwise (each number still carries
//! its own status). Orders are found again by their `customer_reference`,
//! and placing an order with a reference already used returns that order
//! instead of a second one, as the Telnyx provider does.
//!
//! **Switching to Telnyx.** Set `TELNYX_API_KEY` (see
//! [`crate::TelnyxConfig::from_env`] for the other settings); the server then
//! uses [`crate::TelnyxProvider`] instead.

#[path = "sandbox_release.rs"]
mod release;

use async_trait::async_trait;
use numberdesk_domain::ports::{
    AvailableNumber, CarrierNumber, CarrierOrder, CarrierOrderStatus, NumberProvider, NumberSearch,
    OrderRequest, ProviderError, ReleaseOutcome,
};
use numberdesk_domain::values::{CountryCode, NumberType, PhoneNumber, Price};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The reason a number of a failing sandbox order carries.
pub const SANDBOX_FAILURE_REASON: &str = "sandbox: regulatory requirements not met";

/// Most numbers remembered from searches before the memory is reset.
const MAX_OFFERED: usize = 100_000;

/// How the sandbox behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxConfig {
    /// How long orders from the pending areas (`555`, `pending`) stay pending.
    pub pending_delay: Duration,
    /// Seed for the number generator; `None` for a random one.
    pub seed: Option<u64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            pending_delay: Duration::from_secs(5),
            seed: None,
        }
    }
}

/// What an order of a number will do, decided by the search that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Immediate,
    Pending,
    Fail,
}

impl Behaviour {
    fn of(search: &NumberSearch) -> Self {
        let areas = [
            search.area_code.as_ref().map(|a| a.as_str()),
            search.city.as_ref().map(|c| c.as_str()),
        ];
        let is = |words: [&str; 2]| {
            areas
                .iter()
                .flatten()
                .any(|area| words.iter().any(|w| area.trim().eq_ignore_ascii_case(w)))
        };
        if is(["666", "fail"]) {
            Behaviour::Fail
        } else if is(["555", "pending"]) {
            Behaviour::Pending
        } else {
            Behaviour::Immediate
        }
    }
}

#[derive(Debug, Clone)]
struct SandboxOrder {
    id: String,
    customer_reference: String,
    numbers: Vec<(PhoneNumber, Behaviour)>,
    placed_at: Instant,
}

#[derive(Debug)]
struct State {
    rng: StdRng,
    offered: HashMap<PhoneNumber, Behaviour>,
    taken: HashSet<PhoneNumber>,
    orders: HashMap<String, SandboxOrder>,
    by_reference: HashMap<String, String>,
}

/// The in-memory sandbox carrier; see the [module documentation](self).
#[derive(Debug)]
pub struct SandboxProvider {
    config: SandboxConfig,
    state: Mutex<State>,
}

impl Default for SandboxProvider {
    fn default() -> Self {
        Self::new(SandboxConfig::default())
    }
}

impl SandboxProvider {
    /// A sandbox with the given behaviour.
    pub fn new(config: SandboxConfig) -> Self {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        Self {
            config,
            state: Mutex::new(State {
                rng,
                offered: HashMap::new(),
                taken: HashSet::new(),
                orders: HashMap::new(),
                by_reference: HashMap::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code path panics while holding the lock; if one ever did, the
        // state is still consistent enough for a sandbox.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn view(&self, order: &SandboxOrder) -> CarrierOrder {
        let done = order.placed_at.elapsed() >= self.config.pending_delay;
        let phone_numbers: Vec<CarrierNumber> = order
            .numbers
            .iter()
            .map(|(phone_number, behaviour)| {
                let (status, reason) = match behaviour {
                    Behaviour::Immediate => (CarrierOrderStatus::Success, None),
                    Behaviour::Pending if done => (CarrierOrderStatus::Success, None),
                    Behaviour::Pending => (CarrierOrderStatus::Pending, None),
                    Behaviour::Fail => (
                        CarrierOrderStatus::Failure,
                        Some(SANDBOX_FAILURE_REASON.to_owned()),
                    ),
                };
                CarrierNumber {
                    phone_number: phone_number.clone(),
                    status,
                    reason,
                }
            })
            .collect();
        let status = if phone_numbers
            .iter()
            .any(|n| n.status == CarrierOrderStatus::Pending)
        {
            CarrierOrderStatus::Pending
        } else if phone_numbers
            .iter()
            .all(|n| n.status == CarrierOrderStatus::Failure)
        {
            CarrierOrderStatus::Failure
        } else {
            CarrierOrderStatus::Success
        };
        CarrierOrder {
            id: order.id.clone(),
            status,
            customer_reference: Some(order.customer_reference.clone()),
            phone_numbers,
        }
    }
}

/// libphonenumber's example number for a country and type: (country calling
/// code, national significant number).
fn example_number(country: CountryCode, number_type: NumberType) -> Option<(u16, String)> {
    let metadata = phonenumber::metadata::DATABASE.by_id(country.as_str())?;
    let descriptors = metadata.descriptors();
    let descriptor = match number_type {
        NumberType::Local => descriptors.fixed_line(),
        NumberType::Mobile => descriptors.mobile(),
        NumberType::TollFree => descriptors.toll_free(),
        NumberType::SharedCost => descriptors.shared_cost(),
        NumberType::National => descriptors
            .uan()
            .or_else(|| descriptors.voip())
            .or_else(|| descriptors.personal_number())
            .or_else(|| descriptors.fixed_line()),
    }?;
    let example = descriptor.example()?;
    Some((metadata.country_code(), example.to_owned()))
}

/// `count` numbers derived from the example by varying its last digits; in
/// blocks of `block` consecutive numbers when asked.
fn generate(
    state: &mut State,
    country: CountryCode,
    number_type: NumberType,
    count: usize,
    block: usize,
) -> Vec<PhoneNumber> {
    let Some((calling_code, example)) = example_number(country, number_type) else {
        return Vec::new();
    };
    // Vary up to 4 trailing digits, keeping at least 3 digits of the example.
    let varied = example.len().saturating_sub(3).min(4);
    let prefix = &example[..example.len() - varied];
    let space: u32 = 10u32.pow(u32::try_from(varied).unwrap_or(0));
    let build = |suffix: u32| -> Option<PhoneNumber> {
        let national = if varied == 0 {
            prefix.to_owned()
        } else {
            format!("{prefix}{suffix:0width$}", width = varied)
        };
        PhoneNumber::parse(&format!("+{calling_code}{national}"))
            .ok()
            .filter(|n| PhoneNumber::parse(n.as_str()).is_ok())
    };
    let block = block.max(1);
    let mut picked: Vec<PhoneNumber> = Vec::new();
    let mut seen: HashSet<PhoneNumber> = HashSet::new();
    let mut attempts = 0usize;
    while picked.len() < count && attempts < count.saturating_mul(20).max(50) {
        attempts += 1;
        let size = block.min(count - picked.len());
        let Ok(size_u32) = u32::try_from(size) else {
            break;
        };
        if size_u32 > space {
            break;
        }
        let start = state.rng.gen_range(0..=space - size_u32);
        let candidate: Option<Vec<PhoneNumber>> = (start..start + size_u32).map(build).collect();
        let Some(candidate) = candidate else {
            continue;
        };
        if candidate
            .iter()
            .any(|n| state.taken.contains(n) || seen.contains(n))
        {
            continue;
        }
        seen.extend(candidate.iter().cloned());
        picked.extend(candidate);
    }
    if picked.is_empty() && block == 1 && count > 0 {
        // Digits could not be varied: offer the example itself.
        if let Ok(number) = PhoneNumber::parse(&format!("+{calling_code}{example}")) {
            if !state.taken.contains(&number) {
                picked.push(number);
            }
        }
    }
    picked
}

/// A plausible, fixed price per number type (USD, as Telnyx quotes it):
/// `(monthly, upfront)`.
fn sandbox_price(number_type: NumberType) -> Option<Price> {
    let (monthly, upfront) = match number_type {
        NumberType::Local => ("1.00", "1.00"),
        NumberType::Mobile => ("1.50", "1.00"),
        NumberType::National => ("2.00", "1.00"),
        NumberType::TollFree => ("2.50", "2.00"),
        NumberType::SharedCost => ("3.00", "2.00"),
    };
    Price::from_parts(Some(monthly), Some(upfront), Some("USD"))
}

#[async_trait]
impl NumberProvider for SandboxProvider {
    async fn search(&self, search: &NumberSearch) -> Result<Vec<AvailableNumber>, ProviderError> {
        let behaviour = Behaviour::of(search);
        let block = search.range_size.map_or(1, |r| usize::from(r.get()));
        let mut state = self.state();
        let numbers = generate(
            &mut state,
            search.country,
            search.number_type,
            usize::from(search.limit),
            block,
        );
        if state.offered.len() + numbers.len() > MAX_OFFERED {
            state.offered.clear();
        }
        for number in &numbers {
            state.offered.insert(number.clone(), behaviour);
        }
        let price = sandbox_price(search.number_type);
        Ok(numbers
            .into_iter()
            .map(|phone_number| AvailableNumber {
                phone_number,
                price: price.clone(),
            })
            .collect())
    }

    async fn place_order(&self, order: &OrderRequest) -> Result<CarrierOrder, ProviderError> {
        if order.phone_numbers.is_empty() {
            return Err(ProviderError::Rejected {
                code: "empty_order".to_owned(),
                detail: "an order needs at least one number".to_owned(),
            });
        }
        let mut state = self.state();
        if let Some(existing) = state
            .by_reference
            .get(&order.customer_reference)
            .and_then(|id| state.orders.get(id))
        {
            return Ok(self.view(existing));
        }
        if let Some(taken) = order
            .phone_numbers
            .iter()
            .find(|n| state.taken.contains(*n))
        {
            return Err(ProviderError::Rejected {
                code: "sandbox_number_unavailable".to_owned(),
                detail: format!("sandbox: {taken} is no longer available"),
            });
        }
        let numbers: Vec<(PhoneNumber, Behaviour)> = order
            .phone_numbers
            .iter()
            .map(|n| {
                let behaviour = state
                    .offered
                    .get(n)
                    .copied()
                    .unwrap_or(Behaviour::Immediate);
                (n.clone(), behaviour)
            })
            .collect();
        for (number, behaviour) in &numbers {
            if *behaviour != Behaviour::Fail {
                state.taken.insert(number.clone());
            }
            state.offered.remove(number);
        }
        let placed = SandboxOrder {
            id: format!("sandbox-{}", uuid::Uuid::new_v4()),
            customer_reference: order.customer_reference.clone(),
            numbers,
            placed_at: Instant::now(),
        };
        let view = self.view(&placed);
        state
            .by_reference
            .insert(placed.customer_reference.clone(), placed.id.clone());
        state.orders.insert(placed.id.clone(), placed);
        Ok(view)
    }

    async fn order_status(&self, carrier_order_id: &str) -> Result<CarrierOrder, ProviderError> {
        let state = self.state();
        state
            .orders
            .get(carrier_order_id)
            .map(|o| self.view(o))
            .ok_or(ProviderError::NotFound)
    }

    async fn find_order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<CarrierOrder>, ProviderError> {
        let state = self.state();
        Ok(state
            .by_reference
            .get(customer_reference)
            .and_then(|id| state.orders.get(id))
            .map(|o| self.view(o)))
    }

    async fn release_number(
        &self,
        phone_number: &PhoneNumber,
    ) -> Result<ReleaseOutcome, ProviderError> {
        Ok(release::release(&mut self.state(), phone_number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numberdesk_domain::values::{AreaCode, City, RangeSize};

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
    }

    fn search(code: &str, number_type: NumberType, limit: u16) -> NumberSearch {
        NumberSearch {
            country: country(code),
            number_type,
            area_code: None,
            city: None,
            region: None,
            limit,
            range_size: None,
        }
    }

    fn sandbox(delay: Duration) -> SandboxProvider {
        SandboxProvider::new(SandboxConfig {
            pending_delay: delay,
            seed: Some(42),
        })
    }

    fn order(reference: &str, numbers: &[AvailableNumber], code: &str) -> OrderRequest {
        OrderRequest {
            customer_reference: reference.to_owned(),
            phone_numbers: numbers.iter().map(|n| n.phone_number.clone()).collect(),
            country: country(code),
            number_type: NumberType::Local,
        }
    }

    #[tokio::test]
    async fn generates_valid_varied_numbers_for_many_countries() {
        let provider = sandbox(Duration::ZERO);
        for code in ["US", "NL", "DE", "IT", "GB", "FR", "JP", "BR", "AU", "ZA"] {
            let first = provider.search(&search(code, NumberType::Local, 5)).await;
            let second = provider.search(&search(code, NumberType::Local, 5)).await;
            let (Ok(first), Ok(second)) = (first, second) else {
                panic!("{code}: search failed");
            };
            assert_eq!(first.len(), 5, "{code}: {first:?}");
            for number in first.iter().chain(&second) {
                assert!(PhoneNumber::parse(number.phone_number.as_str()).is_ok());
            }
            assert_ne!(first, second, "{code}: numbers vary per request");
        }
        let mobile = provider.search(&search("NL", NumberType::Mobile, 3)).await;
        assert!(mobile.is_ok_and(|m| m.len() == 3
            && m.iter()
                .all(|n| n.phone_number.as_str().starts_with("+316"))));
    }

    #[tokio::test]
    async fn countries_without_examples_get_no_numbers() {
        let provider = sandbox(Duration::ZERO);
        // Antarctica is an ISO country without numbering metadata.
        let result = provider.search(&search("AQ", NumberType::Local, 3)).await;
        assert_eq!(result, Ok(Vec::new()));
    }

    #[tokio::test]
    async fn ranges_are_consecutive() {
        let provider = sandbox(Duration::ZERO);
        let mut wanted = search("NL", NumberType::Local, 6);
        wanted.range_size = RangeSize::new(3).ok();
        let Ok(numbers) = provider.search(&wanted).await else {
            panic!("search failed");
        };
        assert_eq!(numbers.len(), 6);
        for block in numbers.chunks(3) {
            let values: Vec<u64> = block
                .iter()
                .filter_map(|n| n.phone_number.as_str()[1..].parse().ok())
                .collect();
            assert_eq!(values.len(), 3);
            assert_eq!(values[1], values[0] + 1);
            assert_eq!(values[2], values[1] + 1);
        }
    }

    #[tokio::test]
    async fn ordinary_areas_succeed_at_once_and_are_found_by_reference() {
        let provider = sandbox(Duration::from_secs(60));
        let mut wanted = search("US", NumberType::Local, 2);
        wanted.area_code = AreaCode::parse("212").ok();
        let Ok(numbers) = provider.search(&wanted).await else {
            panic!("search failed");
        };
        let placed = provider.place_order(&order("req-1", &numbers, "US")).await;
        let Ok(placed) = placed else {
            panic!("order failed: {placed:?}");
        };
        assert_eq!(placed.status, CarrierOrderStatus::Success);
        assert_eq!(placed.phone_numbers.len(), 2);
        let found = provider.find_order_by_reference("req-1").await;
        assert_eq!(found, Ok(Some(placed.clone())));
        assert_eq!(provider.find_order_by_reference("other").await, Ok(None));
        // The same reference never makes a second order.
        let again = provider.place_order(&order("req-1", &numbers, "US")).await;
        assert_eq!(again.map(|o| o.id), Ok(placed.id.clone()));
        // Ordered numbers are gone.
        let stolen = provider.place_order(&order("req-2", &numbers, "US")).await;
        assert!(matches!(stolen, Err(ProviderError::Rejected { .. })));
        assert_eq!(
            provider.order_status("nope").await,
            Err(ProviderError::NotFound)
        );
    }

    #[tokio::test]
    async fn pending_areas_succeed_after_the_delay() {
        let provider = sandbox(Duration::from_millis(150));
        for area in ["555", "pending"] {
            let mut wanted = search("US", NumberType::Local, 1);
            wanted.city = City::parse(area).ok();
            let Ok(numbers) = provider.search(&wanted).await else {
                panic!("search failed");
            };
            let reference = format!("req-{area}");
            let Ok(placed) = provider
                .place_order(&order(&reference, &numbers, "US"))
                .await
            else {
                panic!("order failed");
            };
            assert_eq!(placed.status, CarrierOrderStatus::Pending);
            let status = provider.order_status(&placed.id).await.map(|o| o.status);
            assert_eq!(status, Ok(CarrierOrderStatus::Pending));
            tokio::time::sleep(Duration::from_millis(200)).await;
            let done = provider.order_status(&placed.id).await;
            assert!(done.is_ok_and(|o| o.status == CarrierOrderStatus::Success
                && o.phone_numbers
                    .iter()
                    .all(|n| n.status == CarrierOrderStatus::Success)));
        }
    }

    #[tokio::test]
    async fn failing_areas_fail_with_a_reason() {
        let provider = sandbox(Duration::ZERO);
        for (area, city) in [(Some("666"), None), (None, Some("fail"))] {
            let mut wanted = search("IT", NumberType::Local, 2);
            wanted.area_code = area.and_then(|a| AreaCode::parse(a).ok());
            wanted.city = city.and_then(|c| City::parse(c).ok());
            let Ok(numbers) = provider.search(&wanted).await else {
                panic!("search failed");
            };
            let reference = format!("req-{area:?}-{city:?}");
            let placed = provider
                .place_order(&order(&reference, &numbers, "IT"))
                .await;
            let Ok(placed) = placed else {
                panic!("order failed: {placed:?}");
            };
            assert_eq!(placed.status, CarrierOrderStatus::Failure);
            for number in &placed.phone_numbers {
                assert_eq!(number.status, CarrierOrderStatus::Failure);
                assert_eq!(number.reason.as_deref(), Some(SANDBOX_FAILURE_REASON));
            }
        }
    }
}
