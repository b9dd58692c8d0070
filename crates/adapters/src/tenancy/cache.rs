//! In-process caches in front of the tenancy tables.
//!
//! Every API call authenticates a key and resolves its account and
//! organisation: without a cache those are three or four indexed reads per
//! call, more than the work the call was made for (a list page is one read).
//!
//! * Accounts and organisations never change owner (there is no move or
//!   delete), so a row once read stays true: cached without expiry, positive
//!   results only (a row created later by another process is still found).
//! * Keys can be revoked by `numberdesk admin` in another process, and new
//!   organisations change a partner's scope, so those two are cached only for
//!   a time to live (`KEY_CACHE_SECONDS` in the server; zero disables).
//!   A revocation through the same [`super::TenancyStore`] takes effect at once;
//!   one made elsewhere within the time to live.
//!
//! Keys are cached by their SHA-256 digest, never by the secret, and only
//! valid keys are cached, so guessing cannot fill the cache with misses.

use super::{Account, Organization, Principal};
use moka::sync::Cache;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Entries per cache: far more tenants than one deployment has; bounded so a
/// flood of distinct valid lookups cannot grow memory without limit.
const CAPACITY: u64 = 100_000;

/// A cache whose entries live `ttl`, or none when `ttl` is zero.
fn expiring<K, V>(ttl: Duration) -> Option<Cache<K, V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    (!ttl.is_zero()).then(|| {
        Cache::builder()
            .max_capacity(CAPACITY)
            .time_to_live(ttl)
            .build()
    })
}

/// The caches one [`super::TenancyStore`] (and its clones) share.
pub(crate) struct TenancyCache {
    pub keys: Option<Cache<String, Principal>>,
    pub partner_organizations: Option<Cache<Uuid, Arc<Vec<Organization>>>>,
    pub accounts: Cache<Uuid, Account>,
    pub organizations: Cache<i64, Organization>,
    pub organizations_by_slug: Cache<String, Organization>,
}

impl TenancyCache {
    /// Caches keys and partner scopes for `ttl` (none when zero).
    pub fn new(ttl: Duration) -> Self {
        Self {
            keys: expiring(ttl),
            partner_organizations: expiring(ttl),
            accounts: Cache::new(CAPACITY),
            organizations: Cache::new(CAPACITY),
            organizations_by_slug: Cache::new(CAPACITY),
        }
    }

    /// Remembers an organisation under both of its names.
    pub fn remember_organization(&self, org: &Organization) {
        self.organizations.insert(org.id, org.clone());
        self.organizations_by_slug
            .insert(org.slug.clone(), org.clone());
    }

    /// After a revocation here: no key is served from memory any more.
    pub fn forget_keys(&self) {
        if let Some(keys) = &self.keys {
            keys.invalidate_all();
        }
    }

    /// After an organisation was created here: partner scopes are re-read.
    pub fn forget_scopes(&self) {
        if let Some(scopes) = &self.partner_organizations {
            scopes.invalidate_all();
        }
    }
}
