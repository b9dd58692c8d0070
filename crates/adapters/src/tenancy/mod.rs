//! Tenancy and API keys: partners own accounts, accounts own organisations,
//! and API keys belong to a partner with a role.
//!
//! Keys are random 256-bit secrets shown once; only their SHA-256 digest is
//! stored (a fast hash is enough for secrets of full entropy — no password
//! stretching is needed, and lookups stay a single indexed read).

mod cache;
mod keys;
mod model;
mod rows;
mod store;

pub use keys::{digest_key, generate_key};
pub use model::{Account, ApiKeyInfo, IssuedKey, Organization, Partner, Principal, Role};
pub use store::TenancyStore;
