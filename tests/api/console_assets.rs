//! The console's and GraphiQL's files over HTTP: served by the binary with
//! their content type, a strict Content-Security-Policy, revalidation by
//! ETag, and nothing referenced from another host.

use crate::helpers::{spawn, Backend};
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

#[tokio::test]
async fn pages_and_assets_are_served_embedded_with_strict_headers() {
    let app = spawn(Backend::Sqlite, "console_assets")
        .await
        .expect("sqlite always runs");
    let get = |path: &str| app.client.get(format!("{}{path}", app.base));

    let console = get("/").send().await.expect("console");
    assert_eq!(console.status(), StatusCode::OK);
    let csp = console.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self';"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'));
    assert_eq!(console.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let html = console.text().await.expect("html");

    let graphiql = get("/graphql")
        .header("Accept", "text/html")
        .send()
        .await
        .expect("graphiql");
    assert_eq!(graphiql.headers()[CONTENT_SECURITY_POLICY], csp.as_str());
    let graphiql_html = graphiql.text().await.expect("html");

    // Every file either page references is ours, and is served.
    for page in [&html, &graphiql_html] {
        assert!(!page.contains("//unpkg") && !page.contains("https://"));
        for reference in page
            .split(['"', '\''])
            .filter(|s| s.starts_with("/assets/"))
        {
            let response = get(reference).send().await.expect("asset");
            assert_eq!(response.status(), StatusCode::OK, "{reference}");
            let wanted = if reference.ends_with(".js") {
                "text/javascript; charset=utf-8"
            } else if reference.ends_with(".css") {
                "text/css; charset=utf-8"
            } else {
                "image/svg+xml"
            };
            assert_eq!(response.headers()[CONTENT_TYPE], wanted, "{reference}");
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        }
    }

    // Revalidation: the ETag answers 304 with no body; a changed one, 200.
    let app_js = get("/assets/console/app.js").send().await.expect("app.js");
    assert_eq!(app_js.headers()[CACHE_CONTROL], "no-cache");
    let etag = app_js.headers()[ETAG].clone();
    let again = get("/assets/console/app.js")
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    let stale = get("/assets/console/app.js")
        .header(IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .expect("stale");
    assert_eq!(stale.status(), StatusCode::OK);

    for missing in [
        "/assets/console/nope.js",
        "/assets/../Cargo.toml",
        "/assets/",
    ] {
        let response = get(missing).send().await.expect("missing");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}
