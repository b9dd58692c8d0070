//! [`MemorySandboxOrders`]: the sandbox's orders in this process's memory
//! (gone with it); the numberdesk server uses its database instead.

use async_trait::async_trait;
use numberdesk_domain::ports::{
    SandboxOrder, SandboxOrderStore, SandboxOutcome, SandboxPlacement, SandboxStoreError,
};
use numberdesk_domain::values::PhoneNumber;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Sandbox orders in memory; see [`SandboxOrderStore`].
#[derive(Debug, Default)]
pub struct MemorySandboxOrders {
    inner: Mutex<Orders>,
}

#[derive(Debug, Default)]
struct Orders {
    by_id: HashMap<String, SandboxOrder>,
    by_reference: HashMap<String, String>,
    taken: HashMap<PhoneNumber, String>,
}

impl MemorySandboxOrders {
    fn lock(&self) -> MutexGuard<'_, Orders> {
        // Nothing panics while holding the lock; if it ever did, the maps
        // are still consistent enough for a sandbox.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl SandboxOrderStore for MemorySandboxOrders {
    async fn place(&self, order: &SandboxOrder) -> Result<SandboxPlacement, SandboxStoreError> {
        let mut orders = self.lock();
        if let Some(existing) = orders
            .by_reference
            .get(&order.customer_reference)
            .and_then(|id| orders.by_id.get(id))
        {
            return Ok(SandboxPlacement::Existing(existing.clone()));
        }
        let held: Vec<&PhoneNumber> = order
            .numbers
            .iter()
            .filter(|n| n.outcome != SandboxOutcome::Fail)
            .map(|n| &n.phone_number)
            .collect();
        if let Some(taken) = held.iter().find(|n| orders.taken.contains_key(**n)) {
            return Ok(SandboxPlacement::Taken((*taken).clone()));
        }
        for number in held {
            orders.taken.insert(number.clone(), order.id.clone());
        }
        orders
            .by_reference
            .insert(order.customer_reference.clone(), order.id.clone());
        orders.by_id.insert(order.id.clone(), order.clone());
        Ok(SandboxPlacement::Placed)
    }

    async fn order(&self, id: &str) -> Result<Option<SandboxOrder>, SandboxStoreError> {
        Ok(self.lock().by_id.get(id).cloned())
    }

    async fn order_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Option<SandboxOrder>, SandboxStoreError> {
        let orders = self.lock();
        Ok(orders
            .by_reference
            .get(customer_reference)
            .and_then(|id| orders.by_id.get(id))
            .cloned())
    }

    async fn taken(&self, numbers: &[PhoneNumber]) -> Result<Vec<PhoneNumber>, SandboxStoreError> {
        let orders = self.lock();
        Ok(numbers
            .iter()
            .filter(|n| orders.taken.contains_key(*n))
            .cloned()
            .collect())
    }
}
