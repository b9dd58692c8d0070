//! The `numberdesk` binary as operators use it: admin commands on a real
//! SQLite file, and graceful shutdown on SIGTERM.

use numberdesk_adapters::tenancy::TenancyStore;
use numberdesk_adapters::Database;
use std::process::Command;

fn numberdesk(db: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_numberdesk"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn word_after<'a>(text: &'a str, marker: &str) -> &'a str {
    text.split_whitespace()
        .skip_while(|w| *w != marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {marker} in {text}"))
}

#[tokio::test]
async fn admin_commands_manage_tenants_and_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("admin.db").display());
    let partner = numberdesk(&db, &["admin", "create-partner", "--name", "Acme"]);
    let partner_id = word_after(&partner, "partner").to_owned();
    let account = numberdesk(
        &db,
        &[
            "admin",
            "create-account",
            "--partner",
            &partner_id,
            "--name",
            "EU",
        ],
    );
    let account_id = word_after(&account, "account").to_owned();
    let org = numberdesk(
        &db,
        &[
            "admin",
            "create-org",
            "--account",
            &account_id,
            "--name",
            "NL",
        ],
    );
    let slug = word_after(&org, "slug");
    assert!(
        slug.len() == 16 && slug.chars().all(|c| c.is_ascii_hexdigit()),
        "{org}"
    );
    let key = numberdesk(
        &db,
        &[
            "admin",
            "create-key",
            "--partner",
            &partner_id,
            "--role",
            "ops",
            "--label",
            "night shift",
        ],
    );
    let key_id = word_after(&key, "key").to_owned();
    let secret = key.lines().last().expect("secret line").trim().to_owned();
    assert!(secret.starts_with("nd_ops_"), "{key}");

    let listed = numberdesk(&db, &["admin", "list-keys"]);
    assert!(
        listed.contains(&key_id) && listed.contains("night shift") && listed.contains("active")
    );
    assert!(!listed.contains(&secret), "the secret must never be listed");

    let tenancy = TenancyStore::new(Database::connect(&db).await.expect("db"));
    assert!(tenancy.authenticate(&secret).await.expect("db").is_some());
    numberdesk(&db, &["admin", "revoke-key", &key_id]);
    assert!(tenancy.authenticate(&secret).await.expect("db").is_none());
    assert!(numberdesk(&db, &["admin", "list-keys"]).contains("revoked"));

    let bad_role = Command::new(env!("CARGO_BIN_EXE_numberdesk"))
        .args([
            "admin",
            "create-key",
            "--partner",
            &partner_id,
            "--role",
            "root",
        ])
        .env("DATABASE_URL", &db)
        .output()
        .expect("runs");
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("partner or ops"));
}

/// `admin list-accounts` and `admin list-orgs` recover a lost X-Account-Id
/// or slug: every account (id, partner, name) and organisation (id, slug,
/// account, name), all of them or only one partner's / account's.
#[test]
fn admin_lists_recover_account_ids_and_slugs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("lists.db").display());
    let mut accounts = Vec::new();
    let mut orgs = Vec::new();
    for (partner_name, account_name, org_names) in [
        ("Acme", "Acme EU", &["Acme NL", "Acme DE"][..]),
        ("Globex", "Globex US", &["Globex CA"][..]),
    ] {
        let partner = numberdesk(&db, &["admin", "create-partner", "--name", partner_name]);
        let partner_id = word_after(&partner, "partner").to_owned();
        let account = numberdesk(
            &db,
            &[
                "admin",
                "create-account",
                "--partner",
                &partner_id,
                "--name",
                account_name,
            ],
        );
        let account_id = word_after(&account, "account").to_owned();
        for org_name in org_names {
            let org = numberdesk(
                &db,
                &[
                    "admin",
                    "create-org",
                    "--account",
                    &account_id,
                    "--name",
                    org_name,
                ],
            );
            let org_id = word_after(&org, "organization").to_owned();
            let slug = word_after(&org, "slug").to_owned();
            orgs.push(format!("{org_id}\t{slug}\t{account_id}\t{org_name}"));
        }
        accounts.push((
            partner_id.clone(),
            account_id.clone(),
            format!("{account_id}\t{partner_id}\t{account_name}"),
        ));
    }
    let lines = |text: String| -> Vec<String> { text.lines().map(str::to_owned).collect() };

    let mut listed = lines(numberdesk(&db, &["admin", "list-accounts"]));
    let mut expected: Vec<String> = accounts.iter().map(|(_, _, line)| line.clone()).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "every account, once");
    let (partner, account, line) = &accounts[1];
    assert_eq!(
        lines(numberdesk(
            &db,
            &["admin", "list-accounts", "--partner", partner]
        )),
        std::slice::from_ref(line),
        "only Globex's"
    );

    let mut listed = lines(numberdesk(&db, &["admin", "list-orgs"]));
    listed.sort();
    let mut expected = orgs.clone();
    expected.sort();
    assert_eq!(listed, expected, "every organisation, once");
    assert_eq!(
        lines(numberdesk(
            &db,
            &["admin", "list-orgs", "--account", account]
        )),
        std::slice::from_ref(&orgs[2]),
        "only Globex US's"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_numberdesk"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let mut up = false;
    for _ in 0..100 {
        if client.get(&url).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "server did not start");
    let pid = child.id().expect("pid");
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits within 10 s")
        .expect("status");
    assert!(status.success(), "graceful exit, got {status:?}");
}

#[tokio::test]
async fn projections_rebuild_replays_the_log_into_identical_views() {
    use numberdesk_adapters::{NumberDesk, StoreSettings};
    use numberdesk_domain::metadata::CommandMetadata;
    use numberdesk_domain::request::{RequestDetails, RequestInput};
    use numberdesk_domain::values::Assignee;
    use numberdesk_domain::NumberRequestCommand;

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("rebuild.db").display());
    let desk = NumberDesk::open(
        Database::connect(&url).await.expect("db"),
        StoreSettings::default(),
    )
    .await
    .expect("desk");
    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".into()),
        number_type: Some("local".into()),
        use_case: Some("Support".into()),
        contact_name: Some("Jane".into()),
        contact_email: Some("jane@acme.example".into()),
        ..RequestInput::default()
    })
    .expect("valid");
    let meta = CommandMetadata::new("test");
    for i in 0..3 {
        let view = desk
            .submit(1, uuid::Uuid::from_u128(7), details.clone(), &meta)
            .await
            .expect("submit");
        if i > 0 {
            desk.execute(
                view.uuid,
                NumberRequestCommand::Assign {
                    assignee: Assignee::parse("ops").expect("valid"),
                    notes: None,
                },
                &meta,
            )
            .await
            .expect("assign");
        }
    }
    // Let this process's sequencer pass finish, and run the CLI off the
    // runtime thread: blocking it could park a pass holding SQLite's write
    // lock.
    desk.projection_status().await.expect("settled");
    let before = desk.dump_views().await.expect("views");
    let cli_url = url.clone();
    let output =
        tokio::task::spawn_blocking(move || numberdesk(&cli_url, &["projections", "rebuild"]))
            .await
            .expect("cli");
    assert!(output.contains("from 5 events"), "{output}");
    let after = desk.dump_views().await.expect("views");
    assert_eq!(before, after);
    assert_eq!(after.0.len(), 3);
}

/// A start with an existing database cannot show the demo keys again (only
/// their hashes are stored): it prints the demo ids and how to make a new key,
/// and that command works.
#[cfg(unix)]
#[tokio::test]
async fn restart_prints_demo_ids_and_how_to_make_a_key() {
    use tokio::io::AsyncBufReadExt;

    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("restart.db").display());
    let tenancy = TenancyStore::new(Database::connect(&db).await.expect("db"));
    let seeded = numberdesk::demo::seed_if_empty(&tenancy)
        .await
        .expect("seed")
        .expect("a fresh database is seeded");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_numberdesk"))
        .arg("serve")
        .env("DATABASE_URL", &db)
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut text = String::new();
    // Bounded only so that a missing reminder fails instead of hanging.
    let read = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut inside = false;
        while let Some(line) = lines.next_line().await.expect("reads stdout") {
            inside |= line.contains("demo tenant (existing database)");
            if inside {
                text.push_str(&line);
                text.push('\n');
                if line.starts_with("=====") && !line.contains("demo tenant") {
                    return true;
                }
            }
        }
        false
    })
    .await;
    child.kill().await.expect("stops");
    assert!(matches!(read, Ok(true)), "no reminder printed: {text}");
    assert!(text.contains(&seeded.account.id.to_string()), "{text}");
    assert!(text.contains(&seeded.organization.slug), "{text}");
    assert!(
        !text.contains(&seeded.partner_key) && !text.contains(&seeded.ops_key),
        "{text}"
    );
    let command = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("numberdesk admin create-key "))
        .unwrap_or_else(|| panic!("no create-key command in {text}"));
    let mut args = vec!["admin", "create-key"];
    args.extend(command.split_whitespace());
    let key = numberdesk(&db, &args);
    assert!(key.contains("secret, shown once"), "{key}");
}
