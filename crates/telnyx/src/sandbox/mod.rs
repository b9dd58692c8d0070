//! [`SandboxProvider`]: a stand-in for the carrier, for running numberdesk
//! without a Telnyx account. Nothing is bought and nothing leaves the
//! process. Its orders are kept in a [`SandboxOrderStore`]: in memory
//! ([`MemorySandboxOrders`], [`SandboxProvider::new`]) or, in the numberdesk
//! server, in the service's own database, so an order pending across a
//! restart is still found and completes ([`SandboxProvider::with_store`]).
//!
//! **Numbers.** A search returns numbers that pass the domain's
//! `PhoneNumber::parse` for the requested country and type: libphonenumber's
//! example number for that country and type (from the `phonenumber` crate's
//! metadata) with its last digits varied per request. Every country with
//! metadata works; a country or type without an example number gets no
//! numbers. With a `range_size`, numbers come in blocks of consecutive
//! numbers. Numbers already ordered are not offered again. With an area
//! code of digits, every number is in it (its national number starts with
//! the area code's digits, trunk prefix dropped: `020` in NL gives `+3120…`),
//! so the default mode never offers a number outside the requested area; a
//! country without valid numbers in that area code (e.g. `555` in the US)
//! gets no numbers. City and region are not simulated (the sandbox gives no
//! region information).
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
//! The area codes `555` and `666` only give numbers where the country has
//! numbers starting with them (NL, for instance; not the US): the cities
//! `pending` and `fail` work everywhere.
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
//!
//! **Modules.** One concern per file:
//!
//! * `behaviour`: what an order of a number will do, decided by its search's area;
//! * `numbers`: generating plausible numbers from libphonenumber's examples, and prices;
//! * `orders`: how a placed order reads (its status now);
//! * `memory`: the in-memory order store;
//! * this file: the provider and its [`NumberProvider`] implementation.
//!
//! Further carrier operations of the sandbox (releasing a number, …) go in
//! a file of their own here, as `impl SandboxProvider` blocks.

use async_trait::async_trait;
use numberdesk_domain::ports::{
    AvailableNumber, CarrierOrder, NumberPlace, NumberProvider, NumberSearch, OrderRequest,
    ProviderError, SandboxOrder, SandboxOrderNumber, SandboxOrderStore, SandboxOutcome,
    SandboxPlacement, SandboxStoreError,
};
use numberdesk_domain::request::area_code_digits;
use numberdesk_domain::values::PhoneNumber;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

mod behaviour;
mod memory;
mod numbers;
mod orders;
#[cfg(test)]
mod tests;

use behaviour::behaviour_of;
pub use memory::MemorySandboxOrders;
use numbers::{generate, sandbox_price};
use orders::view;

/// The reason a number of a failing sandbox order carries.
pub const SANDBOX_FAILURE_REASON: &str = "sandbox: regulatory requirements not met";

/// Most numbers remembered from searches before the memory is reset.
const MAX_OFFERED: usize = 100_000;

/// How many times a search generates numbers again when the store says
/// some it offered are taken.
const SEARCH_ROUNDS: usize = 3;

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

/// What the sandbox remembers between calls in this process: its number
/// generator, what each offered number will do, and numbers known to be
/// taken (the store has the full list).
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) rng: StdRng,
    pub(crate) offered: HashMap<PhoneNumber, SandboxOutcome>,
    pub(crate) taken: HashSet<PhoneNumber>,
}

/// The sandbox carrier; see the [module documentation](self).
#[derive(Debug)]
pub struct SandboxProvider {
    config: SandboxConfig,
    state: Mutex<State>,
    orders: Arc<dyn SandboxOrderStore>,
}

impl Default for SandboxProvider {
    fn default() -> Self {
        Self::new(SandboxConfig::default())
    }
}

fn unavailable(error: SandboxStoreError) -> ProviderError {
    ProviderError::Unavailable(error.to_string())
}

impl SandboxProvider {
    /// A sandbox with the given behaviour, keeping its orders in memory.
    pub fn new(config: SandboxConfig) -> Self {
        Self::with_store(config, Arc::new(MemorySandboxOrders::default()))
    }

    /// A sandbox keeping its orders in `orders` (the server passes its
    /// database, so orders survive a restart).
    pub fn with_store(config: SandboxConfig, orders: Arc<dyn SandboxOrderStore>) -> Self {
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
            }),
            orders,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code path panics while holding the lock; if one ever did, the
        // state is still consistent enough for a sandbox.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn view(&self, order: &SandboxOrder) -> CarrierOrder {
        view(order, self.config.pending_delay)
    }
}

#[async_trait]
impl NumberProvider for SandboxProvider {
    async fn search(&self, search: &NumberSearch) -> Result<Vec<AvailableNumber>, ProviderError> {
        let behaviour = behaviour_of(search);
        let block = search.range_size.map_or(1, |r| usize::from(r.get())).max(1);
        let wanted = usize::from(search.limit);
        let area = search
            .area_code
            .as_ref()
            .and_then(|a| area_code_digits(search.country, a));
        let mut numbers: Vec<PhoneNumber> = Vec::new();
        for _ in 0..SEARCH_ROUNDS {
            if numbers.len() >= wanted {
                break;
            }
            let fresh = {
                let mut state = self.state();
                let mut fresh = generate(
                    &mut state,
                    search.country,
                    search.number_type,
                    area.as_deref(),
                    wanted - numbers.len(),
                    block,
                );
                fresh.retain(|n| !numbers.contains(n));
                fresh
            };
            // Numbers ordered before (by this process or another, before a
            // restart) are not offered again; a block loses them whole.
            let taken = self.orders.taken(&fresh).await.map_err(unavailable)?;
            if !taken.is_empty() {
                self.state().taken.extend(taken.iter().cloned());
            }
            for chunk in fresh.chunks(block) {
                if chunk.len() == block && !chunk.iter().any(|n| taken.contains(n)) {
                    numbers.extend(chunk.iter().cloned());
                }
            }
        }
        numbers.truncate(wanted);
        {
            let mut state = self.state();
            if state.offered.len() + numbers.len() > MAX_OFFERED {
                state.offered.clear();
            }
            for number in &numbers {
                state.offered.insert(number.clone(), behaviour);
            }
        }
        let price = sandbox_price(search.number_type);
        Ok(numbers
            .into_iter()
            .map(|phone_number| AvailableNumber {
                phone_number,
                price: price.clone(),
                place: NumberPlace::default(),
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
        let numbers: Vec<SandboxOrderNumber> = {
            let state = self.state();
            order
                .phone_numbers
                .iter()
                .map(|n| SandboxOrderNumber {
                    phone_number: n.clone(),
                    outcome: state
                        .offered
                        .get(n)
                        .copied()
                        .unwrap_or(SandboxOutcome::Immediate),
                })
                .collect()
        };
        let placed = SandboxOrder {
            id: format!("sandbox-{}", uuid::Uuid::new_v4()),
            customer_reference: order.customer_reference.clone(),
            placed_at: chrono::Utc::now(),
            numbers,
        };
        match self.orders.place(&placed).await.map_err(unavailable)? {
            SandboxPlacement::Placed => {
                let mut state = self.state();
                for number in &placed.numbers {
                    if number.outcome != SandboxOutcome::Fail {
                        state.taken.insert(number.phone_number.clone());
                    }
                    state.offered.remove(&number.phone_number);
                }
                Ok(self.view(&placed))
            }
            // The same reference never makes a second order.
            SandboxPlacement::Existing(existing) => Ok(self.view(&existing)),
            SandboxPlacement::Taken(taken) => Err(ProviderError::Rejected {
                code: "sandbox_number_unavailable".to_owned(),
                detail: format!("sandbox: {taken} is no longer available"),
            }),
        }
    }

    async fn order_status(&self, carrier_order_id: &str) -> Result<CarrierOrder, ProviderError> {
        self.orders
            .order(carrier_order_id)
            .await
            .map_err(unavailable)?
            .map(|o| self.view(&o))
            .ok_or(ProviderError::NotFound)
    }

    async fn find_order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<CarrierOrder>, ProviderError> {
        Ok(self
            .orders
            .order_by_reference(customer_reference)
            .await
            .map_err(unavailable)?
            .map(|o| self.view(&o)))
    }
}
