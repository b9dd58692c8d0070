//! Ports: the traits the domain needs from the outside world. Adapters
//! implement them; the domain never names a carrier, database or HTTP client.

mod number_provider;

pub use number_provider::{
    AvailableNumber, CarrierNumber, CarrierOrder, CarrierOrderStatus, NumberPlace, NumberProvider,
    NumberSearch, OrderRequest, ProviderError,
};
