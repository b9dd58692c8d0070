use super::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: `nd_<role>_<64 hex chars>`. The prefix lets people (and
/// secret scanners) recognise a numberdesk key and its role at a glance.
pub fn generate_key(role: Role) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("nd_{}_{}", role.as_str(), hex::encode(bytes))
}

/// The stored form of a key.
pub fn digest_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random organisation slug: 16 hex characters, as the contract's hex `orgSlug`.
pub(crate) fn generate_slug() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_digest_stably() {
        let a = generate_key(Role::Partner);
        let b = generate_key(Role::Partner);
        assert_ne!(a, b);
        assert!(a.starts_with("nd_partner_"));
        assert_eq!(a.len(), "nd_partner_".len() + 64);
        assert_eq!(digest_key(&a), digest_key(&a));
        assert_ne!(digest_key(&a), digest_key(&b));
        assert!(generate_key(Role::Ops).starts_with("nd_ops_"));
    }

    #[test]
    fn slugs_are_hex() {
        let slug = generate_slug();
        assert_eq!(slug.len(), 16);
        assert!(slug.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
