//! A 2xx answer to `POST /number_orders` means the carrier created an
//! order. One the client cannot use (a number that is not E.164) must never
//! read as "the carrier created nothing" (`Rejected`), which lets the caller
//! clear its posted mark and post a second, paid order: it is an unknown
//! outcome (`Unavailable`), reconciled by reference.

use axum::routing::post;
use axum::Router;
use numberdesk_domain::ports::{NumberProvider, OrderRequest, ProviderError};
use numberdesk_domain::values::{CountryCode, NumberType, PhoneNumber};
use numberdesk_telnyx::{ApiKey, TelnyxConfig, TelnyxProvider};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn a_created_order_the_client_cannot_read_is_an_unknown_outcome() {
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    let app = Router::new().route(
        "/number_orders",
        post(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async {
                axum::Json(serde_json::json!({"data": {
                    "id": "12ade33a-21c0-473b-b055-b3c836e1c292",
                    "record_type": "number_order",
                    "status": "pending",
                    "customer_reference": "ref-unreadable",
                    "phone_numbers": [{"phone_number": "12345", "status": "pending"}],
                }}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut config = TelnyxConfig::new(ApiKey::new("KEY0123456789").expect("key"));
    config.client.base_url = format!("http://{addr}/").parse().expect("url");
    let provider = TelnyxProvider::new(&config).expect("provider");
    let result = provider
        .place_order(&OrderRequest {
            customer_reference: "ref-unreadable".into(),
            phone_numbers: vec![PhoneNumber::parse("+12015550123").expect("number")],
            country: CountryCode::parse("US").expect("country"),
            number_type: NumberType::Local,
        })
        .await;
    match &result {
        Err(ProviderError::Unavailable(why)) => {
            assert!(
                why.contains("12ade33a-21c0-473b-b055-b3c836e1c292"),
                "names the order: {why}"
            );
            assert!(why.contains("look it up by reference"), "{why}");
        }
        other => panic!("a created order must be an unknown outcome, got {other:?}"),
    }
    assert_eq!(posts.load(Ordering::SeqCst), 1, "never re-posted");
}
