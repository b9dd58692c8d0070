//! Releasing numbers against the stateful fake Telnyx: the provider looks
//! the number up and deletes it once; a release whose answer was lost is run again without a
//! second DELETE; a number not held is `NotHeld`.

mod support;

use axum::http::Method;
use numberdesk_domain::ports::{NumberProvider, OrderRequest, ProviderError, ReleaseOutcome};
use numberdesk_domain::values::{CountryCode, NumberType, PhoneNumber};
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxConfig, TelnyxProvider};
use std::time::Duration;
use support::fake_telnyx::{FakeState, FakeTelnyx, Fault, FaultKind, API_KEY};

const US1: &str = "+12015550123";
const US2: &str = "+12015550124";

fn provider(fake: &FakeTelnyx) -> TelnyxProvider {
    let mut config = TelnyxConfig::new(ApiKey::new(API_KEY).expect("key"));
    config.client.base_url = fake.base_url.clone();
    config.client.request_timeout = Duration::from_millis(400);
    config.client.retry = RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    };
    TelnyxProvider::new(&config).expect("provider")
}

fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("phone number")
}

/// A fake holding US1 and US2 (one successful order).
async fn holding() -> (FakeTelnyx, TelnyxProvider) {
    let fake = FakeTelnyx::start().await;
    let provider = provider(&fake);
    provider
        .place_order(&OrderRequest {
            customer_reference: "ref-1".into(),
            phone_numbers: vec![phone(US1), phone(US2)],
            country: CountryCode::parse("US").expect("US"),
            number_type: NumberType::Local,
        })
        .await
        .expect("order");
    (fake, provider)
}

#[tokio::test]
async fn a_held_number_is_looked_up_and_deleted_once() {
    let (fake, provider) = holding().await;
    assert_eq!(
        provider.release_number(&phone(US1)).await,
        Ok(ReleaseOutcome::Released)
    );
    {
        let state = fake.state();
        assert!(state.is_released(US1));
        assert!(!state.is_released(US2), "only the asked number");
        assert_eq!(state.release_deletes(), 1);
        let lookup = state
            .requests
            .iter()
            .find(|r| r.method == Method::GET && r.path == "/phone_numbers")
            .expect("a lookup");
        assert!(lookup
            .query
            .contains(&("filter[phone_number]".into(), US1.into())));
        assert_eq!(
            state.count(
                &Method::DELETE,
                &format!("/phone_numbers/{}", FakeState::phone_number_id(US1))
            ),
            1
        );
    }
    // Again: nothing held, no second DELETE.
    assert_eq!(
        provider.release_number(&phone(US1)).await,
        Ok(ReleaseOutcome::NotHeld)
    );
    assert_eq!(fake.state().release_deletes(), 1);
}

#[tokio::test]
async fn a_lost_answer_is_unavailable_and_the_rerun_sends_no_second_delete() {
    let (fake, provider) = holding().await;
    fake.state().faults.push(Fault {
        method: Method::DELETE,
        path: "/phone_numbers/",
        times: Some(1),
        after_processing: true,
        kind: FaultKind::Status {
            status: 500,
            headers: vec![],
            code: "10007",
        },
    });
    let lost = provider.release_number(&phone(US1)).await;
    assert!(
        matches!(lost, Err(ProviderError::Unavailable(_))),
        "{lost:?}"
    );
    assert!(fake.state().is_released(US1), "the carrier did release it");
    assert_eq!(
        provider.release_number(&phone(US1)).await,
        Ok(ReleaseOutcome::NotHeld)
    );
    assert_eq!(
        fake.state().release_deletes(),
        1,
        "a 5xx DELETE is never re-sent by the client, and the rerun looks up first"
    );
}
