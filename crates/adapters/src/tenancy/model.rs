use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and changes only its partner's organisations.
    Partner,
    /// Works every request (assign, order, reject).
    Ops,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Ops => "ops",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "partner" => Some(Role::Partner),
            "ops" => Some(Role::Ops),
            _ => None,
        }
    }
}

/// The authenticated caller behind a valid, unrevoked key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id (recorded as the actor of events).
    pub key_id: Uuid,
    /// The partner the key belongs to.
    pub partner_id: Uuid,
    /// What it may do.
    pub role: Role,
}

impl Principal {
    /// The actor string written into event metadata.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.key_id)
    }
}

/// A reseller or integrator that owns accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    /// Its id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
}

/// An account of a partner (the `X-Account-Id` context).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Its id.
    pub id: Uuid,
    /// The owning partner.
    pub partner_id: Uuid,
    /// Display name.
    pub name: String,
}

/// A customer organisation (the contract's `orgSlug` / `organization_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// The integer id.
    pub id: i64,
    /// The hex slug used in URLs.
    pub slug: String,
    /// The owning account.
    pub account_id: Uuid,
    /// Display name.
    pub name: String,
}

/// A key as listed by admins: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKeyInfo {
    /// Its id.
    pub id: Uuid,
    /// The owning partner.
    pub partner_id: Uuid,
    /// What it may do.
    pub role: Role,
    /// A human label.
    pub label: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A freshly issued key: the only time the secret exists outside the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// The stored description.
    pub info: ApiKeyInfo,
    /// The secret to hand to the user once.
    pub secret: String,
}
