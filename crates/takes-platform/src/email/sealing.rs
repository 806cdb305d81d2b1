//! The candidate's access secret at rest in the email outbox: sealed with
//! ChaCha20-Poly1305 under `[email] secret_key`, bound to its message's id
//! (so a sealed value copied onto another row does not open), and opened
//! only by the worker, in memory, to send the message.
//!
//! Without a configured key each server process seals under a random key
//! of its own: nothing readable ever reaches the database, at the price
//! that a message still queued when the process stops cannot be opened
//! afterwards and is dead-lettered (the recruiter invites again).

use std::sync::OnceLock;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

use super::config::EmailConfig;

/// Marks a sealed value (and its format, should it ever change).
const PREFIX: &str = "v1:";

/// Whether a stored value is sealed (legacy rows hold the plain secret).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The 32-byte key: `[email] secret_key` (64 hex digits, or base64), else
/// this process's own.
fn key(config: &EmailConfig) -> anyhow::Result<LessSafeKey> {
    let bytes = match config.secret_key.as_deref().map(str::trim) {
        Some(text) => parse_key(text)?,
        None => *process_key(),
    };
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
        .map_err(|_| anyhow::anyhow!("[email] secret_key is not a ChaCha20-Poly1305 key"))?;
    Ok(LessSafeKey::new(unbound))
}

fn process_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        k
    })
}

/// A key from the configuration; the error never repeats the value.
pub fn parse_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let decoded = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text).ok()
    } else {
        STANDARD.decode(text).ok()
    };
    decoded
        .and_then(|d| <[u8; 32]>::try_from(d.as_slice()).ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "[email] secret_key must be 32 random bytes as 64 hex digits or base64 \
                 (e.g. the output of `openssl rand -hex 32`)"
            )
        })
}

/// Seals `secret` for the outbox row `message_id`.
pub fn seal(config: &EmailConfig, message_id: &str, secret: &str) -> anyhow::Result<String> {
    let key = key(config)?;
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut data = secret.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(message_id.as_bytes()),
        &mut data,
    )
    .map_err(|_| anyhow::anyhow!("sealing the access secret failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&data);
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
}

/// Opens what [`seal`] made for `message_id`; a legacy plain value is
/// returned as it is.
pub fn open(config: &EmailConfig, message_id: &str, stored: &str) -> anyhow::Result<String> {
    let Some(sealed) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_string());
    };
    let cannot = || {
        anyhow::anyhow!(
            "the access secret cannot be opened with this server's [email] secret_key (it was \
             sealed under another key: was the key changed, or the server restarted without \
             one?); invite the candidate again"
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| cannot())?;
    if raw.len() < NONCE_LEN {
        return Err(cannot());
    }
    let (nonce, data) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| cannot())?;
    let mut data = data.to_vec();
    let plain = key(config)?
        .open_in_place(nonce, Aad::from(message_id.as_bytes()), &mut data)
        .map_err(|_| cannot())?;
    String::from_utf8(plain.to_vec()).map_err(|_| cannot())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_key(k: &str) -> EmailConfig {
        EmailConfig {
            secret_key: Some(k.to_string()),
            ..EmailConfig::default()
        }
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_row() {
        let a = with_key(&"11".repeat(32));
        let b = with_key(&STANDARD.encode([2u8; 32]));
        let sealed = seal(&a, "m1", "ci_secret").expect("seal");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("ci_secret"));
        assert_eq!(open(&a, "m1", &sealed).expect("open"), "ci_secret");
        assert!(open(&b, "m1", &sealed).is_err(), "another key");
        assert!(open(&a, "m2", &sealed).is_err(), "another row");
        // Without a key: this process's own, consistently.
        let none = EmailConfig::default();
        let s = seal(&none, "m1", "ci_x").expect("seal");
        assert_eq!(open(&none, "m1", &s).expect("open"), "ci_x");
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        let err = parse_key("hunter2").err().map(|e| e.to_string());
        assert!(err.as_deref().is_some_and(|e| !e.contains("hunter2")));
    }
}
