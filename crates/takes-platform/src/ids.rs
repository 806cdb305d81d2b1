//! Server-generated identifiers and secrets.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new time-ordered id (UUIDv7), so ids sort roughly by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A new API token: 256 random bits, URL-safe, with a prefix that secret
/// scanners can recognise.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "tk_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Tokens carry 256 bits of entropy, so a fast unsalted hash is enough:
/// nothing can be brute-forced, and look-up by hash stays an index seek.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with("tk_") && a.len() > 40);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert_eq!(hash_token(&a).len(), 64);
    }
}
