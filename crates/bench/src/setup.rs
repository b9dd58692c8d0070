//! The benchmark tenant: created directly in the server's database through
//! the adapters crate's `TenancyStore` (the same code `numberdesk admin` runs).

use anyhow::Context;
use numberdesk_adapters::tenancy::{Role, TenancyStore};
use numberdesk_adapters::Database;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What the load generator needs to call the API as a partner and as ops.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub organization_id: i64,
    pub org_slug: String,
    pub account_id: String,
    pub partner_key: String,
    pub ops_key: String,
}

/// Creates a partner, an account, an organisation, a partner key and an ops key.
pub async fn create(database_url: &str) -> anyhow::Result<Tenant> {
    let db = Database::connect(database_url)
        .await
        .context("opening the server's database")?;
    let tenancy = TenancyStore::new(db.clone());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("bench-{}", &suffix[..8]);
    let partner = tenancy.create_partner(&name).await?;
    let account = tenancy
        .create_account(partner.id, &format!("{name} account"))
        .await?;
    let org = tenancy
        .create_organization(account.id, &format!("{name} org"))
        .await?;
    let partner_key = tenancy
        .issue_key(partner.id, Role::Partner, "bench")
        .await?
        .secret;
    let ops_key = tenancy
        .issue_key(partner.id, Role::Ops, "bench ops")
        .await?
        .secret;
    db.close().await;
    Ok(Tenant {
        organization_id: org.id,
        org_slug: org.slug,
        account_id: account.id.to_string(),
        partner_key,
        ops_key,
    })
}

/// Reads a tenant written by `numberdesk-bench setup --out FILE`.
pub fn load(path: &Path) -> anyhow::Result<Tenant> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the tenant file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
