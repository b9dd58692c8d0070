//! The demo tenant seeded on a fresh deployment, so `cargo run` can be tried
//! at once. Its keys are printed once and stored only as hashes.

use numberdesk_adapters::tenancy::{Account, Organization, Role, TenancyStore};
use numberdesk_adapters::StoreError;

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
    let partner = tenancy.create_partner("Demo Partner").await?;
    let account = tenancy.create_account(partner.id, "Demo Account").await?;
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
