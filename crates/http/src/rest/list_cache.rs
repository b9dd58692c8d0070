//! Finished REST list pages kept in memory while the views are unchanged.
//!
//! Dashboards and integrations poll the same list pages far more often than
//! requests change. A page is stored with the views generation read *before*
//! it was computed (`NumberDesk::refresh_views_generation`) and served only while the
//! generation is still the same, so a hit is byte for byte what the database
//! would answer now, including this process's own writes (every command moves
//! the generation before it returns). When the generation is unknown nothing
//! is cached or served. Authorisation runs before the lookup on every call;
//! the key holds the organisation, so tenants never share an entry.

use axum::body::Bytes;
use moka::sync::Cache;
use numberdesk_domain::RequestStatus;
use std::sync::Arc;

/// What a list page depends on besides the views.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    /// The route's organisation.
    pub organization_id: i64,
    /// The `status` filter, as parsed.
    pub statuses: Vec<RequestStatus>,
    /// Page size.
    pub limit: u32,
    /// Keyset cursor.
    pub cursor: Option<i64>,
}

#[derive(Debug)]
struct CachedPage {
    generation: u64,
    body: Bytes,
}

/// The cache; disabled when built with no memory.
#[derive(Clone)]
pub struct ListCache {
    pages: Option<Cache<ListKey, Arc<CachedPage>>>,
}

impl ListCache {
    /// A cache holding at most `max_bytes` of response bodies (0: none).
    pub fn new(max_bytes: u64) -> Self {
        let pages = (max_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &ListKey, page: &Arc<CachedPage>| {
                    let bytes = page.body.len() + key.statuses.len() + 64;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { pages }
    }

    /// The stored body, if it was computed in this generation.
    pub fn get(&self, key: &ListKey, generation: Option<u64>) -> Option<Bytes> {
        let (pages, generation) = (self.pages.as_ref()?, generation?);
        let page = pages.get(key)?;
        (page.generation == generation).then(|| page.body.clone())
    }

    /// Stores a body computed after reading `generation`.
    pub fn put(&self, key: ListKey, generation: Option<u64>, body: Bytes) {
        if let (Some(pages), Some(generation)) = (&self.pages, generation) {
            pages.insert(key, Arc::new(CachedPage { generation, body }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(cursor: Option<i64>) -> ListKey {
        ListKey {
            organization_id: 1,
            statuses: vec![],
            limit: 20,
            cursor,
        }
    }

    #[test]
    fn serves_only_the_generation_it_was_computed_in() {
        let cache = ListCache::new(1 << 20);
        cache.put(key(None), Some(3), Bytes::from_static(b"page"));
        assert_eq!(
            cache.get(&key(None), Some(3)),
            Some(Bytes::from_static(b"page"))
        );
        assert_eq!(cache.get(&key(None), Some(4)), None, "views changed since");
        assert_eq!(cache.get(&key(None), None), None, "generation unknown");
        assert_eq!(cache.get(&key(Some(7)), Some(3)), None, "another page");
    }

    #[test]
    fn stores_nothing_when_the_generation_is_unknown_or_it_is_disabled() {
        let cache = ListCache::new(1 << 20);
        cache.put(key(None), None, Bytes::from_static(b"page"));
        assert_eq!(cache.get(&key(None), Some(0)), None);
        let disabled = ListCache::new(0);
        disabled.put(key(None), Some(1), Bytes::from_static(b"page"));
        assert_eq!(disabled.get(&key(None), Some(1)), None);
    }
}
