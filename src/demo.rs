//! The demo tenant seeded on a fresh deployment, so `cargo run` can be tried
//! at once. Its keys are printed once and stored only as hashes.

use numberdesk_adapters::tenancy::{Account, Organization, Partner, Role, TenancyStore};
use numberdesk_adapters::StoreError;

const DEMO_PARTNER: &str = "Demo Partner";
const DEMO_ACCOUNT: &str = "Demo Account";

/// What was seeded, including the only copy of the secrets.
pub struct DemoTenant {
    /// The demo account.
    pub account: Account,
    /// The demo organisation.
    pub organization: Organization,
    /// A partner-role key.
    pub partner_key: String,
    /// An ops-role key.
    pub ops_key: String,
}

/// Seeds the demo tenant when no partner exists yet; `None` otherwise.
pub async fn seed_if_empty(tenancy: &TenancyStore) -> Result<Option<DemoTenant>, StoreError> {
    if !tenancy.is_empty().await? {
        return Ok(None);
    }
    let partner = tenancy.create_partner(DEMO_PARTNER).await?;
    let account = tenancy.create_account(partner.id, DEMO_ACCOUNT).await?;
    let organization = tenancy
        .create_organization(account.id, "Demo Organisation")
        .await?;
    let partner_key = tenancy
        .issue_key(partner.id, Role::Partner, "demo partner key")
        .await?
        .secret;
    let ops_key = tenancy
        .issue_key(partner.id, Role::Ops, "demo ops key")
        .await?
        .secret;
    Ok(Some(DemoTenant {
        account,
        organization,
        partner_key,
        ops_key,
    }))
}

/// The demo tenant found on a later start: its ids, never a secret (only
/// hashes of the keys are stored).
pub struct ExistingDemo {
    /// The demo partner (to issue a new key for).
    pub partner: Partner,
    /// The demo account.
    pub account: Account,
    /// The demo organisation.
    pub organization: Organization,
}

/// Finds the demo tenant seeded by an earlier start; `None` when there is
/// none (an operator's own tenants only).
pub async fn existing(tenancy: &TenancyStore) -> Result<Option<ExistingDemo>, StoreError> {
    let Some(partner) = tenancy
        .partners()
        .await?
        .into_iter()
        .find(|p| p.name == DEMO_PARTNER)
    else {
        return Ok(None);
    };
    let Some(account) = tenancy
        .accounts_of_partner(partner.id)
        .await?
        .into_iter()
        .find(|a| a.name == DEMO_ACCOUNT)
    else {
        return Ok(None);
    };
    let Some(organization) = tenancy
        .organizations_of_account(account.id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    Ok(Some(ExistingDemo {
        partner,
        account,
        organization,
    }))
}

/// The console text on a start with an existing database: the demo ids
/// and how to make a new key, since the first start's keys were shown once.
pub fn reminder(demo: &ExistingDemo, base_url: &str) -> String {
    format!(
        r#"
==================== numberdesk demo tenant (existing database) ====================
  X-Account-Id    : {account}
  orgSlug         : {slug}   (organization_id {org_id})
  GraphiQL        : {base}/graphql
  The demo keys were shown once, on the first start. Make a new key with:
    numberdesk admin create-key --partner {partner} --role partner --label demo
  (--role ops for an ops key; list keys with: numberdesk admin list-keys)
====================================================================================
"#,
        account = demo.account.id,
        slug = demo.organization.slug,
        org_id = demo.organization.id,
        partner = demo.partner.id,
        base = base_url,
    )
}

/// The console text shown once after seeding.
pub fn banner(demo: &DemoTenant, base_url: &str) -> String {
    format!(
        r#"
==================== numberdesk demo credentials (shown once) ====================
  partner API key : {partner}
  ops API key     : {ops}
  X-Account-Id    : {account}
  orgSlug         : {slug}   (organization_id {org_id})
  GraphiQL        : {base}/graphql   (add header Authorization: Bearer <key>)

Try it:
curl -X POST {base}/api/v1/org/{slug}/number-requests \
  -H "X-Account-Id: {account}" \
  -H "Authorization: Bearer {partner}" \
  -H "Content-Type: application/json" \
  -d '{{"country":"NL","number_type":"local","use_case":"Customer support","contact_name":"Jane Doe","contact_email":"jane@acme.example","requested_area":"Amsterdam","company_name":"Acme BV","vat_number":"","address":"Keizersgracht 1","website":"https://acme.example"}}'
==================================================================================
"#,
        partner = demo.partner_key,
        ops = demo.ops_key,
        account = demo.account.id,
        slug = demo.organization.slug,
        org_id = demo.organization.id,
        base = base_url,
    )
}
