//! The HTTP workloads: one operation each, over real HTTP to a running server.

use crate::runner::OpResult;
use crate::setup::Tenant;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The body of the REST contract's example curl (with a real address where the published page shows an e-mail placeholder).
pub const SEED_BODY: &str = r#"{
"country": "IT",
"number_type": "local",
"use_case": "Automation",
"contact_name": "Jane Doe",
"contact_email": "jane@acme.example",
"requested_area": "Amsterdam",
"company_name": "Acme BV",
"vat_number": "",
"address": "Keizersgracht 1",
"website": "https://acme.example"
}"#;

const SUBMIT: &str = "mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id number status } }";
const ASSIGN: &str =
    "mutation($id: ID!) { assignNumberRequest(id: $id, assignee: \"bench\") { id status } }";
const ORDER: &str = "mutation($id: ID!) { orderNumbers(id: $id) { id status provisionedNumbers } }";
const HISTORY: &str =
    "query($id: ID!) { history(requestId: $id) { position sequence eventType actor occurredAt } }";
const AUDIT: &str = "query($org: Int, $after: String) { auditLog(filter: {organization: $org}, first: 20, after: $after) { totalCount edges { cursor node { position eventType actor requestId } } } }";

/// What the list workload checks of a page.
#[derive(serde::Deserialize)]
struct ListShape {
    success: bool,
    #[serde(rename = "numberRequests")]
    number_requests: Vec<serde::de::IgnoredAny>,
    /// Required to be present; not read.
    #[serde(rename = "pagination")]
    _pagination: serde::de::IgnoredAny,
}

/// A GraphQL answer: `data` of the shape `T`, or errors with codes.
#[derive(serde::Deserialize)]
struct GraphqlShape<T> {
    data: Option<T>,
    errors: Option<Vec<GraphqlErrorShape>>,
}

#[derive(serde::Deserialize)]
struct GraphqlErrorShape {
    extensions: Option<GraphqlCodeShape>,
}

#[derive(serde::Deserialize)]
struct GraphqlCodeShape {
    code: Option<String>,
}

#[derive(serde::Deserialize)]
struct HistoryShape {
    history: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct AuditShape {
    #[serde(rename = "auditLog")]
    audit_log: AuditPageShape,
}

#[derive(serde::Deserialize)]
struct AuditPageShape {
    #[serde(rename = "totalCount")]
    total_count: i64,
    edges: Vec<serde::de::IgnoredAny>,
}

/// Everything an HTTP workload needs; cheap to clone.
#[derive(Clone)]
pub struct Api {
    pub base: Arc<str>,
    pub client: reqwest::Client,
    pub tenant: Arc<Tenant>,
}

/// A client sized for `clients` concurrent connections.
pub fn http_client(clients: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?)
}

fn transport_kind(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "transport: timeout".into()
    } else if err.is_connect() {
        "transport: connect".into()
    } else {
        "transport: other".into()
    }
}

/// `http <status> <code>` for a REST error body.
fn http_kind(status: reqwest::StatusCode, body: &Value) -> String {
    let code = body["error"]["code"].as_str().unwrap_or("-");
    format!("http {} {code}", status.as_u16())
}

impl Api {
    /// One GraphQL call: `data` read as `T`, or the error kind. Answers are
    /// checked against their shape without building a JSON tree unless `T`
    /// is `Value` (a tree of a 20-item page cost the generator more CPU than
    /// the server's cached answer).
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        key: &str,
        query: &str,
        variables: Value,
    ) -> Result<T, String> {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(key)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .map_err(|e| transport_kind(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport_kind(&e))?;
        let body: GraphqlShape<T> = serde_json::from_slice(&bytes)
            .map_err(|_| format!("http {} (not the expected JSON)", status.as_u16()))?;
        if let Some(first) = body.errors.as_ref().and_then(|e| e.first()) {
            let code = first
                .extensions
                .as_ref()
                .and_then(|e| e.code.as_deref())
                .unwrap_or("no code");
            return Err(format!("graphql {code}"));
        }
        if !status.is_success() {
            return Err(format!("http {} -", status.as_u16()));
        }
        body.data
            .ok_or_else(|| "graphql answer without data".to_owned())
    }

    fn rest_path(&self, tail: &str) -> String {
        format!(
            "{}/api/v1/org/{}/number-requests{tail}",
            self.base, self.tenant.org_slug
        )
    }

    /// One REST call as the tenant's partner: the body read as `T` when the
    /// status is `want`, else the error kind.
    async fn rest<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        want: u16,
    ) -> Result<T, String> {
        let response = request
            .bearer_auth(&self.tenant.partner_key)
            .header("X-Account-Id", &self.tenant.account_id)
            .send()
            .await
            .map_err(|e| transport_kind(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport_kind(&e))?;
        if status.as_u16() != want {
            let body: Value = serde_json::from_slice(&bytes)
                .map_err(|_| format!("http {} (not JSON)", status.as_u16()))?;
            return Err(http_kind(status, &body));
        }
        serde_json::from_slice(&bytes)
            .map_err(|_| format!("http {} (not the expected JSON)", status.as_u16()))
    }

    /// Submit → assign → order through GraphQL; the sandbox carrier
    /// provisions at once. Returns the three call latencies and the id.
    pub async fn lifecycle(&self) -> Result<(Vec<Duration>, String), String> {
        let mut calls = Vec::with_capacity(3);
        let t = Instant::now();
        let data: Value = self
            .graphql(
                &self.tenant.partner_key,
                SUBMIT,
                json!({"input": {
                    "organizationId": self.tenant.organization_id,
                    "country": "NL",
                    "numberType": "local",
                    "useCase": "Load test",
                    "contactName": "Bench Mark",
                    "contactEmail": "bench@example.com",
                    "quantity": 1,
                }}),
            )
            .await?;
        calls.push(t.elapsed());
        let id = data["submitNumberRequest"]["id"]
            .as_str()
            .ok_or("submit returned no id")?
            .to_owned();
        let t = Instant::now();
        self.graphql::<serde::de::IgnoredAny>(&self.tenant.ops_key, ASSIGN, json!({"id": id}))
            .await?;
        calls.push(t.elapsed());
        let t = Instant::now();
        let data: Value = self
            .graphql(&self.tenant.ops_key, ORDER, json!({"id": id}))
            .await?;
        calls.push(t.elapsed());
        match data["orderNumbers"]["status"].as_str() {
            Some("PROVISIONED") => Ok((calls, id)),
            other => Err(format!("ended {}", other.unwrap_or("without a status"))),
        }
    }

    /// The REST create of the contract's example body.
    pub async fn rest_create(&self) -> Result<i64, String> {
        let body: Value = self
            .rest(
                self.client
                    .post(self.rest_path(""))
                    .header("Content-Type", "application/json")
                    .body(SEED_BODY),
                201,
            )
            .await?;
        body["numberRequest"]["id"]
            .as_i64()
            .ok_or_else(|| "create returned no id".to_owned())
    }

    /// One page of the REST list, 20 items, after `cursor`.
    pub async fn list(&self, cursor: Option<i64>) -> OpResult {
        let tail = match cursor {
            Some(c) => format!("?limit=20&cursor={c}"),
            None => "?limit=20".to_owned(),
        };
        let list: ListShape = self
            .rest(self.client.get(self.rest_path(&tail)), 200)
            .await?;
        if !list.success || list.number_requests.len() > 100 {
            return Err("list with success false or an oversized page".into());
        }
        Ok(Vec::new())
    }

    /// `GET /healthz`: no database, no key, no JSON to speak of.
    pub async fn healthz(&self) -> OpResult {
        let response = self
            .client
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .map_err(|e| transport_kind(&e))?;
        let status = response.status();
        response.bytes().await.map_err(|e| transport_kind(&e))?;
        if status != reqwest::StatusCode::OK {
            return Err(format!("http {}", status.as_u16()));
        }
        Ok(Vec::new())
    }

    /// One request's history over GraphQL.
    pub async fn history(&self, id: &str) -> OpResult {
        let data: HistoryShape = self
            .graphql(&self.tenant.partner_key, HISTORY, json!({"id": id}))
            .await?;
        if data.history.is_empty() {
            return Err("empty history".into());
        }
        Ok(Vec::new())
    }

    /// One page of the organisation's audit feed over GraphQL, after `position`.
    pub async fn audit(&self, after: Option<i64>) -> OpResult {
        let data: AuditShape = self
            .graphql(
                &self.tenant.partner_key,
                AUDIT,
                json!({"org": self.tenant.organization_id, "after": after.map(|p| p.to_string())}),
            )
            .await?;
        if data.audit_log.edges.len() > 20 || data.audit_log.total_count < 0 {
            return Err("audit page larger than asked or a negative total".into());
        }
        Ok(Vec::new())
    }
}
