//! `GET /metrics`: Prometheus text with request counts and latency
//! histograms by route template and status, and the database pool.

use crate::helpers::{spawn, Backend};
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
