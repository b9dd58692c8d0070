//! The ops console and GraphiQL in a real browser: Debian's Chromium,
//! headless, driven by playwright-core (tests/browser/console.mjs) against
//! the real server on a random port. Without Chromium, Node.js or
//! `npm ci` in crates/http/assets the test prints SKIPPED and passes, unless
//! `NUMBERDESK_REQUIRE_BROWSER=1` (CI). `NUMBERDESK_SCREENSHOTS=<dir>` writes
//! the README's screenshots there.

use crate::helpers::{spawn, Backend};
use std::path::{Path, PathBuf};

const CHROMIUM_FLAGS: &str = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
     --disable-background-networking --disable-component-update --disable-sync";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Chromium, node and playwright-core, or why the test cannot run.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("NUMBERDESK_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return Err(format!("no Chromium at {}", chromium.display()));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        return Err("no node on PATH".into());
    }
    let playwright = repo().join("crates/http/assets/node_modules/playwright-core");
    if !playwright.exists() {
        return Err("no playwright-core: run `npm ci` in crates/http/assets".into());
    }
    Ok((chromium, repo().join("tests/browser/console.mjs")))
}

fn skip_or_fail(why: &str) {
    if std::env::var("NUMBERDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("browser tests required but cannot run: {why}");
    }
    eprintln!("SKIPPED: browser tests ({why})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_and_graphiql_in_chromium() {
    let (chromium, script) = match tools() {
        Ok(found) => found,
        Err(why) => return skip_or_fail(&why),
    };
    let app = spawn(Backend::Sqlite, "console_browser")
        .await
        .expect("sqlite always runs");
    let user_data = tempfile::tempdir().expect("temp dir");
    let mut command = tokio::process::Command::new("node");
    command
        .arg(&script)
        .current_dir(repo())
        .env("BASE", &app.base)
        .env("CHROMIUM", &chromium)
        .env("CHROMIUM_FLAGS", CHROMIUM_FLAGS)
        .env("USER_DATA_DIR", user_data.path())
        .env("ASSETS", repo().join("crates/http/assets"))
        .env("OPS_KEY", &app.tenant.ops_key)
        .env("PARTNER_KEY", &app.tenant.partner_key)
        .env("ORG", app.tenant.org.id.to_string())
        .env("OTHER_PARTNER_KEY", &app.other.partner_key)
        .env("OTHER_ORG", app.other.org.id.to_string())
        .kill_on_drop(true);
    if let Some(dir) = std::env::var_os("NUMBERDESK_SCREENSHOTS") {
        command.env("SCREENSHOTS", absolute(Path::new(&dir)));
    }
    let status = command.status().await.expect("node runs");
    assert!(
        status.success(),
        "a browser scenario failed (see its output above)"
    );
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        repo().join(path)
    }
}
