//! Releasing a number in the sandbox: a number an order of this sandbox
//! holds is given back in the order store (it can be offered and sold
//! again); any other number is not held, which is also what a release run
//! again after a lost answer sees.

use super::{unavailable, SandboxProvider};
use numberdesk_domain::ports::{ProviderError, ReleaseOutcome};
use numberdesk_domain::values::PhoneNumber;

impl SandboxProvider {
    /// Releases `phone_number`: [`ReleaseOutcome::Released`] when an order
    /// held it, [`ReleaseOutcome::NotHeld`] otherwise (already released,
    /// failed, or never bought here).
    pub(super) async fn release(
        &self,
        phone_number: &PhoneNumber,
    ) -> Result<ReleaseOutcome, ProviderError> {
        let held = self
            .orders
            .release(phone_number)
            .await
            .map_err(unavailable)?;
        // This process's memory of taken numbers forgets it as well, so
        // searches may offer it again.
        self.state().taken.remove(phone_number);
        Ok(if held {
            ReleaseOutcome::Released
        } else {
            ReleaseOutcome::NotHeld
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{MemorySandboxOrders, SandboxConfig, SandboxProvider};
    use numberdesk_domain::ports::{
        NumberProvider, NumberSearch, OrderRequest, ReleaseOutcome, SandboxOrderStore,
    };
    use numberdesk_domain::values::{CountryCode, NumberType};
    use std::sync::Arc;

    #[tokio::test]
    async fn an_ordered_number_is_released_once_and_can_be_sold_again() {
        let store = Arc::new(MemorySandboxOrders::default());
        let sandbox = SandboxProvider::with_store(
            SandboxConfig {
                seed: Some(7),
                ..SandboxConfig::default()
            },
            store.clone(),
        );
        let us = CountryCode::parse("US").expect("US");
        let found = sandbox
            .search(&NumberSearch {
                country: us,
                number_type: NumberType::Local,
                area_code: None,
                city: None,
                region: None,
                limit: 1,
                range_size: None,
            })
            .await
            .expect("search");
        let number = found[0].phone_number.clone();
        assert_eq!(
            sandbox.release_number(&number).await,
            Ok(ReleaseOutcome::NotHeld),
            "not bought yet"
        );
        let order = |reference: &str| OrderRequest {
            customer_reference: reference.into(),
            phone_numbers: vec![number.clone()],
            country: us,
            number_type: NumberType::Local,
        };
        sandbox.place_order(&order("r-1")).await.expect("order");
        assert_eq!(
            store.taken(std::slice::from_ref(&number)).await,
            Ok(vec![number.clone()])
        );
        assert_eq!(
            sandbox.release_number(&number).await,
            Ok(ReleaseOutcome::Released)
        );
        assert_eq!(
            store.taken(std::slice::from_ref(&number)).await,
            Ok(vec![]),
            "the store no longer holds it"
        );
        assert_eq!(
            sandbox.release_number(&number).await,
            Ok(ReleaseOutcome::NotHeld),
            "a second release finds nothing to release"
        );
        // Released, it can be bought again by another request.
        sandbox
            .place_order(&order("r-2"))
            .await
            .expect("ordered again after its release");
        assert_eq!(
            store.taken(std::slice::from_ref(&number)).await,
            Ok(vec![number])
        );
    }
}
