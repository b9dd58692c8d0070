use super::cache::TenancyCache;
use super::keys::generate_slug;
use super::rows::{uuid, AccountRow, KeyRow, OrganizationRow, KEY_COLUMNS};
use super::{
    digest_key, generate_key, Account, ApiKeyInfo, IssuedKey, Organization, Partner, Principal,
    Role,
};
use crate::store::Sql;
use crate::{Database, StoreError};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Partners, accounts, organisations and API keys, on the same database as
/// the event log. Clones share one in-process cache (see `cache.rs`).
#[derive(Clone)]
pub struct TenancyStore {
    db: Database,
    cache: Arc<TenancyCache>,
}

impl TenancyStore {
    /// Uses the given (already migrated) database. Keys are checked against
    /// the database on every call, so a revocation anywhere is seen at once;
    /// accounts and organisations (which never change owner) are cached.
    pub fn new(db: Database) -> Self {
        Self::with_key_cache(db, Duration::ZERO)
    }

    /// Like [`TenancyStore::new`], but a valid key (and a partner's list of
    /// organisations) is served from memory for up to `ttl`: a revocation made
    /// by another process (`numberdesk admin revoke-key`) takes up to `ttl` to
    /// be seen here. Zero disables it.
    pub fn with_key_cache(db: Database, ttl: Duration) -> Self {
        Self {
            db,
            cache: Arc::new(TenancyCache::new(ttl)),
        }
    }

    /// Whether no partner exists yet (a fresh deployment, to seed a demo).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let count: i64 = self
            .db
            .scalar(Sql::new("SELECT COUNT(*) FROM partners"))
            .await?;
        Ok(count == 0)
    }

    /// Creates a partner.
    pub async fn create_partner(&self, name: &str) -> Result<Partner, StoreError> {
        let partner = Partner {
            id: Uuid::new_v4(),
            name: name.to_owned(),
        };
        self.db
            .execute(
                Sql::new("INSERT INTO partners (id, name, created_at) VALUES ($1, $2, $3)")
                    .arg(partner.id.to_string())
                    .arg(&partner.name)
                    .arg(Utc::now()),
            )
            .await?;
        Ok(partner)
    }

    /// Lists partners, oldest first.
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        let rows: Vec<(String, String)> = self
            .db
            .fetch_all(Sql::new(
                "SELECT id, name FROM partners ORDER BY created_at, id",
            ))
            .await?;
        rows.into_iter()
            .map(|(id, name)| {
                Ok(Partner {
                    id: uuid(&id)?,
                    name,
                })
            })
            .collect()
    }

    /// Creates an account of an existing partner.
    pub async fn create_account(
        &self,
        partner_id: Uuid,
        name: &str,
    ) -> Result<Account, StoreError> {
        let account = Account {
            id: Uuid::new_v4(),
            partner_id,
            name: name.to_owned(),
        };
        self.db
            .execute(
                Sql::new(
                    "INSERT INTO accounts (id, partner_id, name, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .arg(account.id.to_string())
                .arg(partner_id.to_string())
                .arg(&account.name)
                .arg(Utc::now()),
            )
            .await?;
        Ok(account)
    }

    /// One account.
    pub async fn account(&self, id: Uuid) -> Result<Option<Account>, StoreError> {
        if let Some(account) = self.cache.accounts.get(&id) {
            return Ok(Some(account));
        }
        let row: Option<AccountRow> = self
            .db
            .fetch_optional(
                Sql::new("SELECT id, partner_id, name FROM accounts WHERE id = $1")
                    .arg(id.to_string()),
            )
            .await?;
        let account = row.map(Account::try_from).transpose()?;
        if let Some(account) = &account {
            self.cache.accounts.insert(id, account.clone());
        }
        Ok(account)
    }

    /// The accounts of a partner.
    pub async fn accounts_of_partner(&self, partner_id: Uuid) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = self
            .db
            .fetch_all(
                Sql::new(
                    "SELECT id, partner_id, name FROM accounts WHERE partner_id = \
                     $1 ORDER BY created_at, id",
                )
                .arg(partner_id.to_string()),
            )
            .await?;
        rows.into_iter().map(Account::try_from).collect()
    }

    /// Creates an organisation with a fresh hex slug.
    pub async fn create_organization(
        &self,
        account_id: Uuid,
        name: &str,
    ) -> Result<Organization, StoreError> {
        let slug = generate_slug();
        let id: i64 = self
            .db
            .scalar(
                Sql::new(
                    "INSERT INTO organizations (slug, account_id, name, \
                     created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .arg(&slug)
                .arg(account_id.to_string())
                .arg(name)
                .arg(Utc::now()),
            )
            .await?;
        self.cache.forget_scopes();
        Ok(Organization {
            id,
            slug,
            account_id,
            name: name.to_owned(),
        })
    }

    /// The organisation with this slug.
    pub async fn organization_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<Organization>, StoreError> {
        if let Some(org) = self.cache.organizations_by_slug.get(slug) {
            return Ok(Some(org));
        }
        let row: Option<OrganizationRow> = self
            .db
            .fetch_optional(
                Sql::new("SELECT id, slug, account_id, name FROM organizations WHERE slug = $1")
                    .arg(slug),
            )
            .await?;
        let org = row.map(Organization::try_from).transpose()?;
        if let Some(org) = &org {
            self.cache.remember_organization(org);
        }
        Ok(org)
    }

    /// The organisation with this integer id.
    pub async fn organization(&self, id: i64) -> Result<Option<Organization>, StoreError> {
        if let Some(org) = self.cache.organizations.get(&id) {
            return Ok(Some(org));
        }
        let row: Option<OrganizationRow> = self
            .db
            .fetch_optional(
                Sql::new("SELECT id, slug, account_id, name FROM organizations WHERE id = $1")
                    .arg(id),
            )
            .await?;
        let org = row.map(Organization::try_from).transpose()?;
        if let Some(org) = &org {
            self.cache.remember_organization(org);
        }
        Ok(org)
    }

    /// The organisations of an account.
    pub async fn organizations_of_account(
        &self,
        account_id: Uuid,
    ) -> Result<Vec<Organization>, StoreError> {
        let rows: Vec<OrganizationRow> = self
            .db
            .fetch_all(
                Sql::new(
                    "SELECT id, slug, account_id, name FROM organizations WHERE \
                     account_id = $1 ORDER BY id",
                )
                .arg(account_id.to_string()),
            )
            .await?;
        rows.into_iter().map(Organization::try_from).collect()
    }

    /// The organisations of every account of a partner: a partner key's scope.
    pub async fn organizations_of_partner(
        &self,
        partner_id: Uuid,
    ) -> Result<Arc<Vec<Organization>>, StoreError> {
        if let Some(scope) = self
            .cache
            .partner_organizations
            .as_ref()
            .and_then(|scopes| scopes.get(&partner_id))
        {
            return Ok(scope);
        }
        let rows: Vec<OrganizationRow> = self
            .db
            .fetch_all(
                Sql::new(
                    "SELECT o.id, o.slug, o.account_id, o.name FROM organizations o \
             JOIN accounts a ON a.id = o.account_id WHERE a.partner_id = $1 ORDER BY o.id",
                )
                .arg(partner_id.to_string()),
            )
            .await?;
        let scope = Arc::new(
            rows.into_iter()
                .map(Organization::try_from)
                .collect::<Result<Vec<_>, _>>()?,
        );
        if let Some(scopes) = &self.cache.partner_organizations {
            scopes.insert(partner_id, scope.clone());
        }
        Ok(scope)
    }

    /// Issues a key; the secret in the result is never stored.
    pub async fn issue_key(
        &self,
        partner_id: Uuid,
        role: Role,
        label: &str,
    ) -> Result<IssuedKey, StoreError> {
        let secret = generate_key(role);
        let info = ApiKeyInfo {
            id: Uuid::new_v4(),
            partner_id,
            role,
            label: label.to_owned(),
            prefix: secret.chars().take(role.as_str().len() + 8).collect(),
            created_at: Utc::now(),
            revoked_at: None,
        };
        self.db
            .execute(
                Sql::new(
                    "INSERT INTO api_keys (id, partner_id, role, label, prefix, \
                     digest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .arg(info.id.to_string())
                .arg(partner_id.to_string())
                .arg(role.as_str())
                .arg(&info.label)
                .arg(&info.prefix)
                .arg(digest_key(&secret))
                .arg(info.created_at),
            )
            .await?;
        Ok(IssuedKey { info, secret })
    }

    /// Lists keys, of one partner or all.
    pub async fn keys(&self, partner_id: Option<Uuid>) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let rows: Vec<KeyRow> = match partner_id {
            Some(partner) => {
                self.db
                    .fetch_all(
                        Sql::from(format!(
                            "SELECT {KEY_COLUMNS} FROM api_keys WHERE partner_id = $1 \
                             ORDER BY created_at, id"
                        ))
                        .arg(partner.to_string()),
                    )
                    .await?
            }
            None => {
                self.db
                    .fetch_all(Sql::from(format!(
                        "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at, id"
                    )))
                    .await?
            }
        };
        rows.into_iter().map(ApiKeyInfo::try_from).collect()
    }

    /// Revokes a key; `false` when no unrevoked key has that id.
    pub async fn revoke_key(&self, key_id: Uuid) -> Result<bool, StoreError> {
        let result = self
            .db
            .execute(
                Sql::new(
                    "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .arg(Utc::now())
                .arg(key_id.to_string()),
            )
            .await?;
        // After the write: a lookup racing with it cannot re-cache the key.
        self.cache.forget_keys();
        Ok(result == 1)
    }

    /// The principal behind a secret, if it is a valid, unrevoked key.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Principal>, StoreError> {
        if secret.len() > 256 {
            return Ok(None);
        }
        let digest = digest_key(secret);
        if let Some(principal) = self.cache.keys.as_ref().and_then(|keys| keys.get(&digest)) {
            return Ok(Some(principal));
        }
        let row: Option<KeyRow> = self
            .db
            .fetch_optional(
                Sql::from(format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE digest = $1 AND revoked_at IS NULL"
                ))
                .arg(&digest),
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let info = ApiKeyInfo::try_from(row)?;
        let principal = Principal {
            key_id: info.id,
            partner_id: info.partner_id,
            role: info.role,
        };
        if let Some(keys) = &self.cache.keys {
            keys.insert(digest, principal.clone());
        }
        Ok(Some(principal))
    }
}
