//! Contract proof of releasing a number: `GET /phone_numbers` with
//! `filter[phone_number]` and `DELETE /phone_numbers/{id}`, by the client and
//! by the provider, through a Prism mock of Telnyx's full published spec,
//! once with the spec's examples and three times with generated responses
//! (`--dynamic`, seeds 1–3). A request Prism finds against the spec (422 with
//! `sl-violations`) fails the test; every response must parse. Skipped
//! without Prism unless `NUMBERDESK_REQUIRE_PRISM=1`.

mod prism_harness;

use axum::http::Method;
use numberdesk_domain::ports::{NumberProvider, ProviderError, ReleaseOutcome};
use numberdesk_domain::values::PhoneNumber;
use numberdesk_telnyx::{ApiKey, RetryPolicy, TelnyxClient, TelnyxConfig, TelnyxProvider};
use prism_harness::{Mode, Prism};
use std::time::Duration;

#[tokio::test]
async fn release_requests_satisfy_the_telnyx_spec() {
    contract(Mode::Static).await;
}

#[tokio::test]
async fn generated_release_responses_parse_seed_1() {
    contract(Mode::Dynamic(1)).await;
}

#[tokio::test]
async fn generated_release_responses_parse_seed_2() {
    contract(Mode::Dynamic(2)).await;
}

#[tokio::test]
async fn generated_release_responses_parse_seed_3() {
    contract(Mode::Dynamic(3)).await;
}

async fn contract(mode: Mode) {
    let Some(prism) = Prism::start(mode).await else {
        return;
    };
    let fixed = matches!(mode, Mode::Static);
    let mut config = TelnyxConfig::new(ApiKey::new("KEY-prism-contract").expect("key"));
    config.client.base_url = prism.base_url.clone();
    config.client.retry = RetryPolicy::never();
    config.client.request_timeout = Duration::from_secs(20);
    let client = TelnyxClient::new(&config.client).expect("client");

    // --- The client. ---
    let listed = client
        .find_phone_numbers("+19705555098")
        .await
        .expect("list phone numbers");
    let first = listed.data.first().cloned();
    if fixed {
        let first = first.clone().expect("the spec's example number");
        assert_eq!(first.phone_number.as_deref(), Some("+19705555098"));
        assert_eq!(first.id.as_deref(), Some("1293384261075731499"));
        assert!(!first.is_deleted(), "the example is active");
    }
    let id = first
        .and_then(|n| n.id)
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| "1293384261075731499".to_owned());
    let deleted = client
        .delete_phone_number(&id)
        .await
        .expect("delete phone number");
    if fixed {
        assert!(deleted.is_deleted(), "the example answers status deleted");
    }
    let missing = client
        .delete_phone_number("prefer-404")
        .await
        .expect_err("a 404");
    assert_eq!(missing.status(), Some(404));

    // --- The provider: lookup, exact match, DELETE. ---
    let provider = TelnyxProvider::new(&config).expect("provider");
    let number = PhoneNumber::parse("+19705555098").expect("number");
    match provider.release_number(&number).await {
        Ok(ReleaseOutcome::Released) => {}
        // Generated listings hold other numbers (or none): nothing to delete.
        Ok(ReleaseOutcome::NotHeld) if !fixed => {}
        Err(ProviderError::Rejected { code, .. }) if !fixed && code == "missing_id" => {}
        other => panic!("provider release: {other:?}"),
    }

    // --- Verdict. ---
    let exchanges = prism.exchanges();
    for exchange in &exchanges {
        assert!(
            exchange.violations.is_none(),
            "{} {} broke the spec: {:?}",
            exchange.method,
            exchange.path,
            exchange.violations
        );
        let expected_error = exchange.path.contains("prefer-");
        assert!(
            expected_error || (200..300).contains(&exchange.status),
            "{} {} got HTTP {}",
            exchange.method,
            exchange.path,
            exchange.status
        );
    }
    let lists = exchanges
        .iter()
        .filter(|e| e.method == Method::GET && e.path == "/phone_numbers")
        .count();
    let deletes = exchanges
        .iter()
        .filter(|e| {
            e.method == Method::DELETE
                && e.path.starts_with("/phone_numbers/")
                && !e.path.contains("prefer-")
        })
        .count();
    assert!(lists >= 2, "the client and the provider listed numbers");
    assert!(deletes >= 1, "a DELETE /phone_numbers/{{id}} went out");
    if fixed {
        assert_eq!(deletes, 2, "the client's DELETE and the provider's");
    }
    println!(
        "prism release contract ({mode:?}): {} requests, all valid",
        exchanges.len()
    );
    prism.stop().await;
}
