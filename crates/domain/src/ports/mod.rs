//! Ports: the traits the domain needs from the outside world. Adapters
//! implement them; the domain never names a carrier, database or HTTP client.

mod number_provider;
mod sandbox_orders;

pub use number_provider::{
    AvailableNumber, CarrierNumber, CarrierOrder, CarrierOrderStatus, NumberPlace, NumberProvider,
    NumberSearch, OrderRequest, ProviderError,
};
pub use sandbox_orders::{
    SandboxOrder, SandboxOrderNumber, SandboxOrderStore, SandboxOutcome, SandboxPlacement,
    SandboxStoreError,
};
