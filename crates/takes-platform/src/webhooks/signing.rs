//! Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(key,
//! "{id}.{timestamp}.{body}")), the key being the base64 part of `whsec_…`.
//! During a rotation the header carries one signature per secret,
//! space-separated, as the spec allows for zero-downtime rotation.

use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new secret: 32 random bytes (the spec asks for 24 to 64).
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// Standard base64 with or without `=` padding: the reference libraries
/// accept unpadded `whsec_` secrets, so a secret copied from one works here.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The key bytes of a `whsec_` secret; `None` when it is not one.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    let b64 = secret.strip_prefix(PREFIX)?;
    LENIENT.decode(b64).ok().filter(|k| !k.is_empty())
}

/// The `webhook-signature` header value signed with every key, in order
/// (the current secret first), space-separated.
pub fn sign_all(keys: &[Vec<u8>], id: &str, timestamp_s: i64, body: &str) -> String {
    keys.iter()
        .map(|k| sign(k, id, timestamp_s, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `webhook-signature` header value for one attempt.
pub fn sign(key: &[u8], id: &str, timestamp_s: i64, body: &str) -> String {
    // `new_from_slice` accepts keys of any length for HMAC; the error arm
    // exists only for fixed-size MACs.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// What receivers see of a secret in listings.
pub fn hint(secret: &str) -> String {
    let shown: String = secret.chars().take(PREFIX.len() + 4).collect();
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_specification_example() {
        // The worked example of the Standard Webhooks specification.
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("key");
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_fresh_and_decodable() {
        let a = new_secret();
        assert!(a.starts_with("whsec_"));
        assert_eq!(key_of(&a).map(|k| k.len()), Some(32));
        assert_ne!(a, new_secret());
        assert!(key_of("nope").is_none());
        assert!(key_of("whsec_!!!").is_none());
    }

    #[test]
    fn unpadded_secrets_sign_like_padded_ones() {
        let padded = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("key");
        // 32 bytes of key: the padded form ends in `=`.
        let secret = format!("whsec_{}", STANDARD.encode([7u8; 32]));
        assert!(secret.ends_with('='));
        let unpadded = secret.trim_end_matches('=');
        assert_eq!(key_of(unpadded), key_of(&secret));
        assert_eq!(padded.len(), 24);
        let both = sign_all(&[vec![1], vec![2]], "msg", 1, "{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(
            parts,
            [sign(&[1], "msg", 1, "{}"), sign(&[2], "msg", 1, "{}")]
        );
    }
}
