//! Tests of webhook verification and parsing (`webhook.rs`).

use super::*;
use crate::types::OrderStatus;
use ed25519_dalek::{Signer, SigningKey};
use proptest::prelude::*;

const BODY: &str = r#"{"data":{"event_type":"number_order.complete","id":"d578b093-a0e7-4b64-b0d3-6b689a6ff170","occurred_at":"2025-08-22T16:23:54.496464Z","record_type":"event","payload":{"id":"12ade33a-21c0-473b-b055-b3c836e1c292","record_type":"number_order","status":"success","customer_reference":"req-1","phone_numbers":[{"id":"dc8e4d67-33a0-4cbb-af74-7b58f05bd494","phone_number":"+19705555098","status":"success","requirements_met":true}]}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks/telnyx"}}"#;

fn signing_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public_key(key: &SigningKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes())
}

fn sign(key: &SigningKey, timestamp: &str, separator: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}{separator}").into_bytes();
    message.extend_from_slice(body);
    base64::engine::general_purpose::STANDARD.encode(key.sign(&message).to_bytes())
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_755_879_834, 0).unwrap_or_default()
}

fn ts(offset: i64) -> String {
    (now().timestamp() + offset).to_string()
}

#[test]
fn accepts_a_valid_signature() {
    let key = signing_key(1);
    let signature = sign(&key, &ts(-10), "|", BODY.as_bytes());
    let result = verify_webhook(
        &public_key(&key),
        &signature,
        &ts(-10),
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    let Ok(webhook) = result else {
        panic!("expected success, got {result:?}");
    };
    assert_eq!(webhook.event_id, "d578b093-a0e7-4b64-b0d3-6b689a6ff170");
    assert_eq!(webhook.event_type, NUMBER_ORDER_COMPLETE);
    assert!(!webhook.is_ignorable());
    let order = webhook.number_order().cloned().unwrap_or_default();
    assert_eq!(order.status, Some(OrderStatus::Success));
    assert_eq!(order.customer_reference.as_deref(), Some("req-1"));
    assert_eq!(webhook.delivery.and_then(|d| d.attempt), Some(1));
}

#[test]
fn refuses_a_tampered_body() {
    let key = signing_key(1);
    let signature = sign(&key, &ts(0), "|", BODY.as_bytes());
    let tampered = BODY.replace("success", "failure");
    let result = verify_webhook(
        &public_key(&key),
        &signature,
        &ts(0),
        tampered.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert_eq!(result, Err(WebhookError::BadSignature));
}

#[test]
fn refuses_a_signature_from_another_key() {
    let signature = sign(&signing_key(2), &ts(0), "|", BODY.as_bytes());
    let result = verify_webhook(
        &public_key(&signing_key(1)),
        &signature,
        &ts(0),
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert_eq!(result, Err(WebhookError::BadSignature));
}

#[test]
fn refuses_stale_and_future_timestamps() {
    let key = signing_key(1);
    let old = ts(-301);
    let result = verify_webhook(
        &public_key(&key),
        &sign(&key, &old, "|", BODY.as_bytes()),
        &old,
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert!(matches!(
        result,
        Err(WebhookError::Stale { age_secs: 301, .. })
    ));
    let edge = ts(-300);
    let result = verify_webhook(
        &public_key(&key),
        &sign(&key, &edge, "|", BODY.as_bytes()),
        &edge,
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert!(result.is_ok(), "{result:?}");
    let ahead = ts(301);
    let result = verify_webhook(
        &public_key(&key),
        &sign(&key, &ahead, "|", BODY.as_bytes()),
        &ahead,
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert!(matches!(result, Err(WebhookError::FromTheFuture { .. })));
}

#[test]
fn refuses_a_dot_separator() {
    let key = signing_key(1);
    let signature = sign(&key, &ts(0), ".", BODY.as_bytes());
    let result = verify_webhook(
        &public_key(&key),
        &signature,
        &ts(0),
        BODY.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert_eq!(result, Err(WebhookError::BadSignature));
}

#[test]
fn refuses_malformed_headers_and_keys() {
    let key = signing_key(1);
    let public = public_key(&key);
    let good = sign(&key, &ts(0), "|", BODY.as_bytes());
    let check = |public: &str, signature: &str, timestamp: &str| {
        verify_webhook(
            public,
            signature,
            timestamp,
            BODY.as_bytes(),
            now(),
            DEFAULT_TOLERANCE,
        )
    };
    assert!(matches!(
        check(&public, "!!not base64!!", &ts(0)),
        Err(WebhookError::MalformedSignature(_))
    ));
    assert!(matches!(
        check(&public, "AAAA", &ts(0)),
        Err(WebhookError::MalformedSignature(_))
    ));
    assert!(matches!(
        check(&public, "", &ts(0)),
        Err(WebhookError::MalformedSignature(_))
    ));
    for bad in ["", "abc", "-5", "1.5", "99999999999999999999"] {
        assert_eq!(
            check(&public, &good, bad),
            Err(WebhookError::MalformedTimestamp),
            "{bad}"
        );
    }
    assert!(matches!(
        check("garbage***", &good, &ts(0)),
        Err(WebhookError::InvalidPublicKey(_))
    ));
    assert!(matches!(
        check("AAAA", &good, &ts(0)),
        Err(WebhookError::InvalidPublicKey(_))
    ));
    assert!(WebhookError::BadSignature.is_unauthenticated());
    assert!(!WebhookError::InvalidPublicKey(String::new()).is_unauthenticated());
}

#[test]
fn unknown_event_types_are_ignorable() {
    let body = r#"{"data":{"event_type":"call.initiated","id":"e1","occurred_at":"2025-08-22T16:23:54Z","record_type":"event","payload":{"call_control_id":"x"}},"meta":{"attempt":2,"delivered_to":"https://x"}}"#;
    let key = signing_key(3);
    let result = verify_webhook(
        &public_key(&key),
        &sign(&key, &ts(0), "|", body.as_bytes()),
        &ts(0),
        body.as_bytes(),
        now(),
        DEFAULT_TOLERANCE,
    );
    assert!(
        result.as_ref().is_ok_and(NumberOrderWebhook::is_ignorable),
        "{result:?}"
    );
}

#[test]
fn a_signed_non_event_is_a_malformed_body() {
    let key = signing_key(3);
    let body = b"{\"hello\":1}";
    let result = verify_webhook(
        &public_key(&key),
        &sign(&key, &ts(0), "|", body),
        &ts(0),
        body,
        now(),
        DEFAULT_TOLERANCE,
    );
    assert!(matches!(result, Err(WebhookError::MalformedBody(_))));
}

proptest! {
    #[test]
    fn random_input_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        signature in ".{0,120}",
        timestamp in ".{0,20}",
        key in ".{0,60}",
        sign_it in any::<bool>(),
    ) {
        let signing = signing_key(9);
        let public = if sign_it { public_key(&signing) } else { key };
        let signature = if sign_it { sign(&signing, &timestamp, "|", &body) } else { signature };
        let _ = verify_webhook(&public, &signature, &timestamp, &body, now(), DEFAULT_TOLERANCE);
        let _ = parse_webhook(&body);
    }
}
