//! Test helpers: a fresh PostgreSQL database per test.

use sqlx::Connection;

/// The server tests use unless `TEST_DATABASE_URL` says otherwise.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned())
}

/// Replaces the database name (the last path segment) of a PostgreSQL URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].rfind('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// Creates a fresh, uniquely named database (`nd_test_<uuid>`) on the server
/// at `TEST_DATABASE_URL` (default [`DEFAULT_TEST_DATABASE_URL`]) and returns
/// its URL. If PostgreSQL is unreachable: with `NUMBERDESK_REQUIRE_POSTGRES=1`
/// this panics; otherwise it prints `SKIPPED (no PostgreSQL at ...)` and
/// returns `None`, so the caller's test can return early.
pub async fn fresh_postgres_url(test_name: &str) -> Option<String> {
    let admin = admin_url();
    let connected = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sqlx::PgConnection::connect(&admin),
    )
    .await;
    let mut conn = match connected {
        Ok(Ok(conn)) => conn,
        Ok(Err(err)) => return unreachable_postgres(&admin, test_name, &err.to_string()),
        Err(_) => return unreachable_postgres(&admin, test_name, "timed out"),
    };
    let name = format!("nd_test_{}", uuid::Uuid::new_v4().simple());
    if let Err(err) = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
    {
        return unreachable_postgres(&admin, test_name, &format!("CREATE DATABASE failed: {err}"));
    }
    let _ = conn.close().await;
    Some(with_database(&admin, &name))
}

/// Drops a database made by [`fresh_postgres_url`] (best effort: closes the
/// other sessions first).
pub async fn drop_postgres_database(url: &str) {
    let Some(name) = url
        .split('?')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .filter(|name| name.starts_with("nd_test_"))
    else {
        return;
    };
    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

fn unreachable_postgres(url: &str, test_name: &str, reason: &str) -> Option<String> {
    let shown = with_database(url, "…");
    if std::env::var("NUMBERDESK_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!(
            "PostgreSQL is required (NUMBERDESK_REQUIRE_POSTGRES=1) but unusable at {shown}: {reason} (test {test_name})"
        );
    }
    eprintln!("SKIPPED (no PostgreSQL at {shown}: {reason}): {test_name}");
    None
}
