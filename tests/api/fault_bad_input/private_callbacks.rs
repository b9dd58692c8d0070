//! `ALLOW_PRIVATE_CALLBACKS=true` (a test or on-premises setup) lets the
//! private callback URLs the default refuses at create through, on REST and
//! GraphQL alike, and stores them as given.

use super::corpus::{submit, with};
use crate::helpers::{spawn_configured, Backend};
use serde_json::{json, Value};

const PRIVATE: [&str; 7] = [
    "http://127.0.0.1/cb",
    "http://localhost/cb",
    "http://[::1]/cb",
    "http://10.0.0.7/cb",
    "http://169.254.169.254/latest/meta-data",
    "http://0x7f000001/cb",
    "http://2130706433/cb",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_private_callbacks_lets_private_callback_urls_through_at_create() {
    let app = spawn_configured(
        Backend::Sqlite,
        "fault_bad_input_private_callbacks",
        |config| config.fulfilment.allow_private_callbacks = true,
    )
    .await
    .expect("sqlite");
    for url in PRIVATE {
        let response = app
            .rest_create(
                &app.tenant,
                &String::from_utf8_lossy(&with("callback_url", json!(url))),
            )
            .await;
        let status = response.status().as_u16();
        assert_eq!(
            status,
            201,
            "REST {url}: {}",
            response.text().await.unwrap_or_default()
        );
        let answer: Value = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&app.tenant.ops_key)
            .header("Content-Type", "application/json")
            .body(submit(app.tenant.org.id, "callbackUrl", json!(url)))
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("json");
        assert!(answer.get("errors").is_none(), "GraphQL {url}: {answer}");
    }
    let stored = app
        .graphql_ok(
            &app.tenant.ops_key,
            "{ numberRequests(first: 100) { nodes { callbackUrl } } }",
            json!({}),
        )
        .await;
    for url in PRIVATE {
        let count = stored["numberRequests"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .filter(|n| n["callbackUrl"] == url)
            .count();
        assert_eq!(count, 2, "{url} stored by REST and GraphQL: {stored}");
    }
}
