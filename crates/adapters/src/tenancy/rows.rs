//! The tenancy tables' rows and their conversion into the public shapes.

use super::{Account, ApiKeyInfo, Organization, Role};
use crate::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(super) struct KeyRow {
    id: String,
    partner_id: String,
    role: String,
    label: String,
    prefix: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(super) struct OrganizationRow {
    id: i64,
    slug: String,
    account_id: String,
    name: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    id: String,
    partner_id: String,
    name: String,
}

pub(super) fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|e| StoreError::Internal(format!("stored id {text:?}: {e}").into()))
}

impl TryFrom<KeyRow> for ApiKeyInfo {
    type Error = StoreError;
    fn try_from(row: KeyRow) -> Result<Self, StoreError> {
        Ok(ApiKeyInfo {
            id: uuid(&row.id)?,
            partner_id: uuid(&row.partner_id)?,
            role: Role::parse(&row.role).ok_or_else(|| {
                StoreError::Internal(format!("stored role {:?}", row.role).into())
            })?,
            label: row.label,
            prefix: row.prefix,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
    }
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;
    fn try_from(row: OrganizationRow) -> Result<Self, StoreError> {
        Ok(Organization {
            id: row.id,
            slug: row.slug,
            account_id: uuid(&row.account_id)?,
            name: row.name,
        })
    }
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Account {
            id: uuid(&row.id)?,
            partner_id: uuid(&row.partner_id)?,
            name: row.name,
        })
    }
}

pub(super) const KEY_COLUMNS: &str = "id, partner_id, role, label, prefix, created_at, revoked_at";
