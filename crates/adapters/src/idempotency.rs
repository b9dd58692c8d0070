//! `Idempotency-Key` records for POSTs: the same key and body return the
//! first response and create nothing new; the same key with another body is
//! refused.
//!
//! A key is reserved before the work starts, so two concurrent requests with
//! one key cannot both create a request; a reservation whose work died is
//! taken over after [`STALE_AFTER_SECONDS`].

use crate::store::Sql;
use crate::{Database, StoreError};
use chrono::{Duration, Utc};
use uuid::Uuid;

/// How long an unfinished reservation blocks its key.
pub const STALE_AFTER_SECONDS: i64 = 60;

/// The outcome of reserving a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// New key: do the work, then `complete` (or `release` on failure).
    Reserved,
    /// Done before with the same body: return this response body.
    Replay {
        /// The stored JSON body.
        body: String,
    },
    /// Used before with a different body.
    Mismatch,
    /// Another request with this key is still running.
    InFlight,
}

/// The key store, on the service's database.
#[derive(Clone)]
pub struct Idempotency {
    db: Database,
}

impl Idempotency {
    /// Uses the given (already migrated) database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Reserves `key` for `partner_id` and a body `fingerprint`.
    pub async fn reserve(
        &self,
        partner_id: Uuid,
        key: &str,
        fingerprint: &str,
    ) -> Result<Reservation, StoreError> {
        let now = Utc::now();
        let inserted = self
            .db
            .execute(
                Sql::new(
                    "INSERT INTO idempotency_keys (partner_id, key, fingerprint, response, created_at) \
                     VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (partner_id, key) DO NOTHING",
                )
                .arg(partner_id.to_string())
                .arg(key)
                .arg(fingerprint)
                .arg(now),
            )
            .await?;
        if inserted == 1 {
            return Ok(Reservation::Reserved);
        }
        let row: Option<(String, Option<String>, chrono::DateTime<Utc>)> = self
            .db
            .fetch_optional(
                Sql::new(
                    "SELECT fingerprint, response, created_at FROM idempotency_keys \
                     WHERE partner_id = $1 AND key = $2",
                )
                .arg(partner_id.to_string())
                .arg(key),
            )
            .await?;
        let Some((stored_fingerprint, response, created_at)) = row else {
            // Released between our insert and read: try once more.
            return Box::pin(self.reserve(partner_id, key, fingerprint)).await;
        };
        if stored_fingerprint != fingerprint {
            return Ok(Reservation::Mismatch);
        }
        if let Some(body) = response {
            return Ok(Reservation::Replay { body });
        }
        if now - created_at > Duration::seconds(STALE_AFTER_SECONDS) {
            let taken = self
                .db
                .execute(
                    Sql::new(
                        "UPDATE idempotency_keys SET created_at = $1 WHERE partner_id = $2 \
                         AND key = $3 AND response IS NULL AND created_at = $4",
                    )
                    .arg(now)
                    .arg(partner_id.to_string())
                    .arg(key)
                    .arg(created_at),
                )
                .await?;
            if taken == 1 {
                return Ok(Reservation::Reserved);
            }
        }
        Ok(Reservation::InFlight)
    }

    /// Stores the response of a reserved key.
    pub async fn complete(
        &self,
        partner_id: Uuid,
        key: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        self.db
            .execute(
                Sql::new(
                    "UPDATE idempotency_keys SET response = $1 WHERE partner_id = $2 AND key = $3",
                )
                .arg(body)
                .arg(partner_id.to_string())
                .arg(key),
            )
            .await?;
        Ok(())
    }

    /// Frees a reserved key whose work failed, so the client can retry.
    pub async fn release(&self, partner_id: Uuid, key: &str) -> Result<(), StoreError> {
        self.db
            .execute(
                Sql::new(
                    "DELETE FROM idempotency_keys WHERE partner_id = $1 AND key = $2 \
                     AND response IS NULL",
                )
                .arg(partner_id.to_string())
                .arg(key),
            )
            .await?;
        Ok(())
    }
}
