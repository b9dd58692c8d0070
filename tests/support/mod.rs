//! Starts the real numberdesk server on a random port, on SQLite (a file in a
//! temporary folder) or PostgreSQL (a fresh database), with two tenants.
#![allow(dead_code)] // each test binary uses a different part of the harness

use numberdesk::config::{LogFormat, ServeConfig};
use numberdesk::startup;
use numberdesk_adapters::tenancy::{Account, Organization, Role};
use numberdesk_graphql::AppState;
use serde_json::{json, Value};

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
    _dir: Option<tempfile::TempDir>,
}

fn config(database_url: String) -> ServeConfig {
    ServeConfig {
        database_url,
        bind: "127.0.0.1".into(),
        port: 0,
        snapshot_every: 5,
        max_page_size: 100,
        max_body_bytes: 64 * 1024,
        graphql_introspection: true,
        graphql_max_depth: 12,
        graphql_max_complexity: 1000,
        demo_seed: false,
        telnyx_api_key: None,
        log_format: LogFormat::Text,
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
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("numberdesk.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (
            numberdesk_adapters::testing::fresh_postgres_url(test_name).await?,
            None,
        ),
    };
    let app = startup::build(&config(url)).await.expect("server builds");
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
        _dir: dir,
    })
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
