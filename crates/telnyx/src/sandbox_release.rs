//! Releasing a number in the sandbox: a number an order of this sandbox
//! took is given back (it can be offered again); any other number is not
//! held, which is what a release run again after a lost answer sees.

use super::State;
use numberdesk_domain::ports::ReleaseOutcome;
use numberdesk_domain::values::PhoneNumber;

/// Releases `phone_number`: [`ReleaseOutcome::Released`] when an order
/// took it, [`ReleaseOutcome::NotHeld`] otherwise (already released, or
/// never bought here).
pub(super) fn release(state: &mut State, phone_number: &PhoneNumber) -> ReleaseOutcome {
    if state.taken.remove(phone_number) {
        ReleaseOutcome::Released
    } else {
        ReleaseOutcome::NotHeld
    }
}

#[cfg(test)]
mod tests {
    use crate::{SandboxConfig, SandboxProvider};
    use numberdesk_domain::ports::{NumberProvider, NumberSearch, OrderRequest, ReleaseOutcome};
    use numberdesk_domain::values::{CountryCode, NumberType};

    #[tokio::test]
    async fn an_ordered_number_is_released_once() {
        let sandbox = SandboxProvider::new(SandboxConfig {
            seed: Some(7),
            ..SandboxConfig::default()
        });
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
        sandbox
            .place_order(&OrderRequest {
                customer_reference: "r-1".into(),
                phone_numbers: vec![number.clone()],
                country: us,
                number_type: NumberType::Local,
            })
            .await
            .expect("order");
        assert_eq!(
            sandbox.release_number(&number).await,
            Ok(ReleaseOutcome::Released)
        );
        assert_eq!(
            sandbox.release_number(&number).await,
            Ok(ReleaseOutcome::NotHeld),
            "a second release finds nothing to release"
        );
    }
}
