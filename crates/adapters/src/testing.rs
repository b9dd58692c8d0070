//! Test helpers: a fresh PostgreSQL database per test ([`TestPostgres`]),
//! dropped when the test ends, whether it passed or failed.

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

/// A fresh, uniquely named PostgreSQL database (`nd_test_<uuid>`) for one
/// test, dropped when this guard is dropped: when the test ends, passed or
/// failed (a panicking test drops it while unwinding).
///
/// Keep the guard alive for the whole test (`let Some(pg) = ... else
/// { return; }`, then `pg.url()`); binding it to `_` drops the database at
/// once.
#[derive(Debug)]
pub struct TestPostgres {
    url: String,
}

impl TestPostgres {
    /// Creates the database on the server at `TEST_DATABASE_URL` (default
    /// [`DEFAULT_TEST_DATABASE_URL`]). If PostgreSQL is unreachable: with
    /// `NUMBERDESK_REQUIRE_POSTGRES=1` this panics; otherwise it prints
    /// `SKIPPED (no PostgreSQL at ...)` and returns `None`, so the caller's
    /// test can return early.
    pub async fn create(test_name: &str) -> Option<Self> {
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
            return unreachable_postgres(
                &admin,
                test_name,
                &format!("CREATE DATABASE failed: {err}"),
            );
        }
        let _ = conn.close().await;
        Some(TestPostgres {
            url: with_database(&admin, &name),
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        drop_database(&self.url);
    }
}

/// Drops a test's database (`nd_test_…` only), from a fresh connection to
/// the admin database, with `WITH (FORCE)`: it ends the sessions still open
/// on it (the test's pools, a server the test started) and holds off new
/// ones.
///
/// `DROP DATABASE` waits for a checkpoint, which on a busy machine takes
/// tens of seconds, so `psql` runs it in a child process that outlives the
/// test (and the test binary). Without `psql`, the drop runs here and is
/// waited for, on a thread with its own runtime: `Drop` may run inside the
/// test's runtime (which cannot block on a future) and while it unwinds.
fn drop_database(url: &str) {
    let Some(name) = database_name(url) else {
        return;
    };
    let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let spawned = std::process::Command::new("psql")
        .arg(admin_url())
        .args(["-qc", &statement])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_ok() {
        return;
    }
    let dropped = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("cannot drop the test database {name}: {error}");
                return;
            }
        };
        runtime.block_on(async {
            match sqlx::PgConnection::connect(&admin_url()).await {
                Ok(mut conn) => {
                    if let Err(error) = sqlx::query(&statement).execute(&mut conn).await {
                        eprintln!("cannot drop the test database {name}: {error}");
                    }
                    let _ = conn.close().await;
                }
                Err(error) => eprintln!("cannot drop the test database {name}: {error}"),
            }
        });
    })
    .join();
    if dropped.is_err() {
        eprintln!("dropping a test database panicked");
    }
}

/// The database name of a URL made by [`TestPostgres::create`], or `None`
/// for any other database (never dropped).
fn database_name(url: &str) -> Option<String> {
    url.split('?')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .filter(|name| {
            name.strip_prefix("nd_test_")
                .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .map(str::to_owned)
}

fn unreachable_postgres<T>(url: &str, test_name: &str, reason: &str) -> Option<T> {
    let shown = with_database(url, "…");
    if std::env::var("NUMBERDESK_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!(
            "PostgreSQL is required (NUMBERDESK_REQUIRE_POSTGRES=1) but unusable at {shown}: {reason} (test {test_name})"
        );
    }
    eprintln!("SKIPPED (no PostgreSQL at {shown}: {reason}): {test_name}");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_databases_made_here_are_dropped() {
        assert_eq!(
            database_name("postgres://u@h:5432/nd_test_0a1b?sslmode=disable").as_deref(),
            Some("nd_test_0a1b")
        );
        assert_eq!(database_name("postgres://u@h:5432/test"), None);
        assert_eq!(database_name("postgres://u@h:5432/nd_test_"), None);
        assert_eq!(database_name("postgres://u@h/nd_test_1;drop"), None);
    }

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5432/test?sslmode=disable", "nd_test_1"),
            "postgres://u@h:5432/nd_test_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
