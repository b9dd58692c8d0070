//! Starts the real numberdesk server on a random port, on SQLite (a file in a
//! temporary folder) or PostgreSQL (a fresh database, dropped when the test
//! ends), with two tenants. `TEST_LOG=1` shows the server's logs
//! (`RUST_LOG` filters them, default `info`).

use numberdesk::config::{FulfilmentConfig, HttpLimitsConfig, LogFormat, ServeConfig};
use numberdesk::startup;
use numberdesk_adapters::tenancy::{Account, Organization, Role};
use numberdesk_application::AppState;
use serde_json::{json, Value};

/// Runs each named `async fn(Backend, &str)` (the backend and a database
/// name) on SQLite and on PostgreSQL; the PostgreSQL database is named with
/// `prefix`. For tests that start their own server or carrier double.
macro_rules! on_both_stores {
    ($prefix:literal: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite, stringify!($name)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(
                        $crate::helpers::Backend::Postgres,
                        concat!($prefix, "_", stringify!($name)),
                    )
                    .await;
                }
            )*
        }
    };
}

/// Runs each named `async fn(TestApp)` as two tests: on SQLite, and on a
/// fresh PostgreSQL database (skipped, with a message, when none is reachable
/// and `NUMBERDESK_REQUIRE_POSTGRES` is not set).
#[macro_export]
macro_rules! on_both_backends {
    ($prefix:literal: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = $crate::helpers::spawn($crate::helpers::Backend::Sqlite, stringify!($name))
                        .await
                        .expect("sqlite always runs");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn(
                        $crate::helpers::Backend::Postgres,
                        concat!($prefix, "_", stringify!($name)),
                    )
                    .await
                    {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

/// Which event store the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One tenant: a partner with an account, an organisation and keys.
pub struct Tenant {
    pub account: Account,
    pub org: Organization,
    pub partner_key: String,
    pub ops_key: String,
}

/// A running server.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub tenant: Tenant,
    pub other: Tenant,
    pub database_url: String,
    _database: TestDatabase,
}

/// The database of one test: a SQLite file in a temporary folder, or a
/// fresh PostgreSQL database; either is removed when the test ends (passed
/// or failed): the [`tempfile::TempDir`] or the
/// [`TestPostgres`](numberdesk_adapters::testing::TestPostgres) guard.
pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres(numberdesk_adapters::testing::TestPostgres),
}

impl TestDatabase {
    /// A new database on `backend`; `None` when PostgreSQL is wanted but not
    /// reachable (and not required), after printing that the test was skipped.
    pub async fn create(backend: Backend, test_name: &str) -> Option<Self> {
        init_test_log();
        Some(match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("numberdesk.db").display());
                TestDatabase::Sqlite { url, _dir: dir }
            }
            Backend::Postgres => TestDatabase::Postgres(
                numberdesk_adapters::testing::TestPostgres::create(test_name).await?,
            ),
        })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } => url,
            TestDatabase::Postgres(database) => database.url(),
        }
    }
}

/// With `TEST_LOG` set, the server's logs go to the test's output (once per
/// test binary); without it tests stay quiet.
pub fn init_test_log() {
    static INIT: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("TEST_LOG").is_none() {
        return;
    }
    INIT.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

fn config(database_url: String) -> ServeConfig {
    ServeConfig {
        database_url: secrecy::SecretString::from(database_url),
        bind: "127.0.0.1".into(),
        port: 0,
        snapshot_every: 5,
        max_page_size: 100,
        max_body_bytes: 64 * 1024,
        graphql_introspection: true,
        graphql_max_depth: 12,
        graphql_max_complexity: 1000,
        graphql_max_subscriptions_per_socket: 20,
        key_cache_seconds: 5.0,
        list_cache_mb: 64,
        demo_seed: false,
        telnyx: Default::default(),
        log_format: LogFormat::Text,
        // No background fulfilment unless a test asks (tests/fulfilment_*.rs).
        fulfilment: FulfilmentConfig {
            fulfilment_workers: 0,
            ..FulfilmentConfig::default()
        },
        http: HttpLimitsConfig::default(),
    }
}

async fn create_tenant(state: &AppState, name: &str) -> Tenant {
    let tenancy = &state.tenancy;
    let partner = tenancy.create_partner(name).await.expect("partner");
    let account = tenancy
        .create_account(partner.id, &format!("{name} account"))
        .await
        .expect("account");
    let org = tenancy
        .create_organization(account.id, &format!("{name} org"))
        .await
        .expect("org");
    let partner_key = tenancy
        .issue_key(partner.id, Role::Partner, "test")
        .await
        .expect("key")
        .secret;
    let ops_key = tenancy
        .issue_key(partner.id, Role::Ops, "test ops")
        .await
        .expect("key")
        .secret;
    Tenant {
        account,
        org,
        partner_key,
        ops_key,
    }
}

/// Starts a server; `None` when PostgreSQL is wanted but not reachable (and
/// not required), after printing that the test was skipped.
pub async fn spawn(backend: Backend, test_name: &str) -> Option<TestApp> {
    spawn_configured(backend, test_name, |_| {}).await
}

/// Like [`spawn`], with the configuration adjusted first (limits, switches).
pub async fn spawn_configured(
    backend: Backend,
    test_name: &str,
    adjust: impl FnOnce(&mut ServeConfig),
) -> Option<TestApp> {
    let database = TestDatabase::create(backend, test_name).await?;
    let url = database.url().to_owned();
    let mut config = config(url.clone());
    adjust(&mut config);
    let app = startup::build(&config).await.expect("server builds");
    let address = app.address().expect("bound");
    let state = app.state.clone();
    tokio::spawn(app.serve(std::future::pending()));
    let tenant = create_tenant(&state, "acme").await;
    let other = create_tenant(&state, "globex").await;
    Some(TestApp {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
        state,
        tenant,
        other,
        database_url: url,
        _database: database,
    })
}

/// A second server on the same database (its own pools, caches and
/// listener), without background fulfilment.
pub async fn second_server(app: &TestApp) -> Node {
    start_node(&app.database_url, config(String::new()).fulfilment, None).await
}

/// Waits (up to 10 s) until the server knows its views generation: on
/// PostgreSQL that is once its listener for other processes' writes is
/// connected, and only then may it serve cached pages.
pub async fn until_generation_known(state: &AppState) -> u64 {
    for _ in 0..200 {
        if let Some(generation) = state.desk.views_generation() {
            return generation;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the views generation stayed unknown for 10 s");
}

/// The body of the contract's example curl, byte for byte.
pub const SEED_BODY: &str = r#"{
"country": "IT",
"number_type": "local",
"use_case": "Automation",
"contact_name": "Jane Doe",
"contact_email": "[email protected]",
"requested_area": "Amsterdam",
"company_name": "Acme BV",
"vat_number": "",
"address": "Keizersgracht 1",
"website": "https://acme.example"
}"#;

impl TestApp {
    /// Runs a GraphQL operation with a key; returns the whole response body.
    pub async fn graphql(&self, key: &str, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(key)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql json")
    }

    /// Runs a GraphQL operation and returns `data`, failing on errors.
    pub async fn graphql_ok(&self, key: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql(key, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// POSTs a create body for a tenant's org over REST.
    pub async fn rest_create(&self, tenant: &Tenant, body: &str) -> reqwest::Response {
        self.client
            .post(format!(
                "{}/api/v1/org/{}/number-requests",
                self.base, tenant.org.slug
            ))
            .bearer_auth(&tenant.partner_key)
            .header("X-Account-Id", tenant.account.id.to_string())
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("rest request")
    }

    /// GETs a REST path as a tenant's partner.
    pub async fn rest_get(&self, tenant: &Tenant, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(&tenant.partner_key)
            .header("X-Account-Id", tenant.account.id.to_string())
            .send()
            .await
            .expect("rest request")
    }

    /// Every event in the log, for "changed nothing" assertions.
    pub async fn log_length(&self) -> usize {
        self.state
            .desk
            .events_after(0, 1_000_000)
            .await
            .expect("log readable")
            .len()
    }
}

/// Submits a request over GraphQL as the tenant's partner; returns its UUID.
pub async fn submit(app: &TestApp, tenant: &Tenant, quantity: i64, city: Option<&str>) -> String {
    let data = app
        .graphql_ok(
            &tenant.partner_key,
            SUBMIT,
            json!({"input": {
                "organizationId": tenant.org.id,
                "country": "NL",
                "numberType": "local",
                "useCase": "Customer support",
                "contactName": "Jane Doe",
                "contactEmail": "jane@acme.example",
                "quantity": quantity,
                "city": city,
            }}),
        )
        .await;
    data["submitNumberRequest"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

pub const SUBMIT: &str = "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id number status organizationId } }";

// ---- fulfilment (tests/fulfilment_*.rs) -------------------------------------

/// Fulfilment settings with short delays, for tests: two workers polling
/// every 50 ms, 1 s leases, 100 ms first backoff, pending orders polled after
/// 200 ms, sandbox pending areas completing after 600 ms, private callbacks
/// allowed (the receivers are on loopback).
pub fn fast_fulfilment() -> FulfilmentConfig {
    FulfilmentConfig {
        auto_fulfilment: false,
        fulfilment_workers: 2,
        fulfilment_idle_poll_ms: 50,
        job_lease_seconds: 2.0,
        job_max_attempts: 4,
        job_backoff_base_ms: 100,
        job_backoff_max_seconds: 1.0,
        poll_pending_after_seconds: 0.2,
        order_reconcile_window_seconds: 0.5,
        callback_max_attempts: 5,
        callback_timeout_seconds: 2.0,
        allow_private_callbacks: true,
        telnyx_webhook_public_key: None,
        sandbox_pending_delay_ms: 600,
    }
}

/// A server process of a test: its address, state and task (abort the task
/// to kill it, workers included, as a crash would).
pub struct Node {
    pub base: String,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn start_node(
    url: &str,
    fulfilment: FulfilmentConfig,
    carrier: Option<std::sync::Arc<dyn numberdesk_domain::ports::NumberProvider>>,
) -> Node {
    let mut settings = config(url.to_owned());
    settings.fulfilment = fulfilment;
    let app = startup::build_with(&settings, carrier)
        .await
        .expect("server builds");
    let address = app.address().expect("bound");
    let state = app.state.clone();
    let task = tokio::spawn(app.serve(std::future::pending()));
    Node {
        base: format!("http://{address}"),
        state,
        task,
    }
}

/// Starts a server with fulfilment on (and a carrier, if given instead of
/// the sandbox); returns the app, its node and the database URL (to start
/// more processes on the same database with [`restart`]).
pub async fn spawn_fulfilment(
    backend: Backend,
    test_name: &str,
    fulfilment: FulfilmentConfig,
    carrier: Option<std::sync::Arc<dyn numberdesk_domain::ports::NumberProvider>>,
) -> Option<(TestApp, Node, String)> {
    let database = TestDatabase::create(backend, test_name).await?;
    let url = database.url().to_owned();
    let node = start_node(&url, fulfilment, carrier).await;
    let tenant = create_tenant(&node.state, "acme").await;
    let other = create_tenant(&node.state, "globex").await;
    let app = TestApp {
        base: node.base.clone(),
        client: reqwest::Client::new(),
        state: node.state.clone(),
        tenant,
        other,
        database_url: url.clone(),
        _database: database,
    };
    Some((app, node, url))
}

/// Starts another server process on an existing database.
pub async fn restart(
    url: &str,
    fulfilment: FulfilmentConfig,
    carrier: Option<std::sync::Arc<dyn numberdesk_domain::ports::NumberProvider>>,
) -> Node {
    start_node(url, fulfilment, carrier).await
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs} s waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The request fields fulfilment tests read.
pub const FULFILMENT_FIELDS: &str = "id number status assignedTo attempt carrierOrderId orderedNumbers provisionedNumbers failedNumbers reason";

impl TestApp {
    /// A request as ops sees it (GraphQL `numberRequest`).
    pub async fn request_at(&self, base: &str, id: &str) -> Value {
        let body: Value = self
            .client
            .post(format!("{base}/graphql"))
            .bearer_auth(&self.tenant.ops_key)
            .json(&json!({
                "query": format!("query($id: ID!) {{ numberRequest(id: $id) {{ {FULFILMENT_FIELDS} }} }}"),
                "variables": {"id": id},
            }))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql json");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"]["numberRequest"].clone()
    }

    /// Waits until the request has `status` (e.g. `"PROVISIONED"`).
    pub async fn wait_status(&self, id: &str, status: &str, secs: u64) -> Value {
        let base = self.base.clone();
        self.wait_status_at(&base, id, status, secs).await
    }

    /// Like [`TestApp::wait_status`], asking the server at `base`.
    pub async fn wait_status_at(&self, base: &str, id: &str, status: &str, secs: u64) -> Value {
        eventually(secs, &format!("request {id} to be {status}"), || async {
            let request = self.request_at(base, id).await;
            (request["status"] == status).then_some(request)
        })
        .await
    }

    /// Assigns a request as ops.
    pub async fn assign(&self, id: &str) -> Value {
        self.graphql_ok(
            &self.tenant.ops_key,
            &format!("mutation($id: ID!) {{ assignNumberRequest(id: $id, assignee: \"ops@numberdesk.example\") {{ {FULFILMENT_FIELDS} }} }}"),
            json!({"id": id}),
        )
        .await["assignNumberRequest"]
            .clone()
    }

    /// The request's fulfilment jobs (ops).
    pub async fn jobs(&self, id: &str) -> Vec<Value> {
        let data = self
            .graphql_ok(
                &self.tenant.ops_key,
                "query($id: ID!) { jobs(requestId: $id) { id kind key status attempts maxAttempts nextRunAt lastError orderOutcomeUnknownSince lastHttpStatus runs { attempt outcome httpStatus error } } }",
                json!({"id": id}),
            )
            .await;
        data["jobs"].as_array().cloned().unwrap_or_default()
    }

    /// The request's callback deliveries (as its partner).
    pub async fn callback_deliveries(&self, id: &str) -> Vec<Value> {
        let data = self
            .graphql_ok(
                &self.tenant.partner_key,
                "query($id: ID!) { callbackDeliveries(requestId: $id) { id url requestStatus status attempts lastHttpStatus lastError nextAttemptAt runs { attempt outcome httpStatus error } } }",
                json!({"id": id}),
            )
            .await;
        data["callbackDeliveries"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Submits a request as the tenant's partner with extra input fields;
    /// returns its UUID.
    pub async fn submit_with(&self, extra: Value) -> String {
        let mut input = json!({
            "organizationId": self.tenant.org.id,
            "country": "NL",
            "numberType": "local",
            "useCase": "Customer support",
            "contactName": "Jane Doe",
            "contactEmail": "jane@acme.example",
            "quantity": 1,
        });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                input.insert(key.clone(), value.clone());
            }
        }
        let data = self
            .graphql_ok(&self.tenant.partner_key, SUBMIT, json!({"input": input}))
            .await;
        data["submitNumberRequest"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }
}
