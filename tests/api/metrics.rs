//! `GET /metrics`: Prometheus text with request counts and latency
//! histograms by route template and status, and the database pool.

use crate::helpers::{spawn, submit, Backend};
use reqwest::StatusCode;

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn(Backend::Sqlite, "metrics").await.expect("sqlite");
    let path = format!("/api/v1/org/{}/number-requests", app.tenant.org.slug);
    let listed = app.rest_get(&app.tenant, &path).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let missing = app.rest_get(&app.tenant, &format!("{path}/999999")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap_or("");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.expect("text");

    // Route templates, never the org slug or the id, are the labels.
    let list = r#"method="GET",route="/api/v1/org/{orgSlug}/number-requests",status="200""#;
    let one = r#"method="GET",route="/api/v1/org/{orgSlug}/number-requests/{id}",status="404""#;
    for labels in [list, one] {
        assert!(
            text.lines()
                .any(|line| line.starts_with("http_requests_total{") && line.contains(labels)),
            "no http_requests_total{{{labels}}} in:\n{text}"
        );
        assert!(
            text.lines().any(
                |line| line.starts_with("http_request_duration_seconds_bucket{")
                    && line.contains(labels)
            ),
            "no latency histogram for {labels} in:\n{text}"
        );
    }
    assert!(
        !text.contains(&app.tenant.org.slug),
        "a slug became a label"
    );
    assert!(
        text.contains(r#"db_pool_connections{state="idle"}"#),
        "no pool gauge in:\n{text}"
    );
}

/// The value of the first series whose line starts with `name{` and holds
/// every label in `labels`; 0 when absent.
fn series(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_commands_by_outcome_and_sample_the_job_queue() {
    let app = spawn(Backend::Sqlite, "metrics_commands")
        .await
        .expect("sqlite");
    let scrape = || async {
        app.client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .expect("scrape")
            .text()
            .await
            .expect("text")
    };
    let ok = [r#"command="submit""#, r#"outcome="ok""#];
    let refused = [r#"command="reject""#, r#"outcome="refused""#];
    // Commands the fulfilment side runs on the desk itself (not through
    // the API's use cases) are counted too.
    let ordered = [r#"command="record_order""#, r#"outcome="ok""#];
    let provisioned = [r#"command="record_provisioned""#, r#"outcome="ok""#];
    // The recorder is process-wide: other tests count too, so only growth
    // is asserted.
    let before = scrape().await;
    let id = submit(&app, &app.tenant, 1, None).await;
    let rejected = app
        .graphql(
            &app.tenant.ops_key,
            "mutation($id: ID!) { a: rejectNumberRequest(id: $id, reason: \"no\") { id } }",
            serde_json::json!({"id": id}),
        )
        .await;
    assert!(rejected["errors"].is_null(), "{rejected}");
    let again = app
        .graphql(
            &app.tenant.ops_key,
            "mutation($id: ID!) { rejectNumberRequest(id: $id, reason: \"no\") { id } }",
            serde_json::json!({"id": id}),
        )
        .await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again}"
    );
    let fulfilled = submit(&app, &app.tenant, 1, None).await;
    app.assign(&fulfilled).await;
    let order = app
        .graphql(
            &app.tenant.ops_key,
            "mutation($id: ID!) { orderNumbers(id: $id) { status } }",
            serde_json::json!({"id": fulfilled}),
        )
        .await;
    assert_eq!(
        order["data"]["orderNumbers"]["status"], "PROVISIONED",
        "{order}"
    );
    let after = scrape().await;
    for labels in [&ok[..], &refused[..], &ordered[..], &provisioned[..]] {
        let (was, is) = (
            series(&before, "numberdesk_commands_total", labels),
            series(&after, "numberdesk_commands_total", labels),
        );
        assert!(is >= was + 1.0, "{labels:?}: {was} -> {is} in:\n{after}");
    }
    assert!(
        after.contains(r#"numberdesk_jobs{kind="callback",status="pending"}"#),
        "no job queue gauge in:\n{after}"
    );
    for consumer in ["views", "fulfilment"] {
        assert!(
            after.contains(&format!(
                r#"numberdesk_consumer_lag_events{{consumer="{consumer}"}}"#
            )),
            "no lag gauge for {consumer} in:\n{after}"
        );
    }
}
