//! Checking that an inbound request really comes from the ATS: Standard
//! Webhooks signatures (the generic endpoint), Lever's token signature and
//! Greenhouse's Basic-auth key. Every comparison is constant-time so the
//! time an answer takes says nothing about how much of a guess was right.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::clock::{Millis, SECOND};

/// How far a Standard Webhooks timestamp may be from our clock, either way.
pub const TOLERANCE: Millis = 5 * 60 * SECOND;

/// Equality that looks at every byte whatever the first difference.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a signed request was refused; each names what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    MissingHeader(&'static str),
    BadTimestamp,
    Stale { skew_s: i64 },
    NoMatch,
}

impl Refusal {
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::MissingHeader(h) => h,
            Refusal::BadTimestamp | Refusal::Stale { .. } => "webhook-timestamp",
            Refusal::NoMatch => "webhook-signature",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Refusal::MissingHeader(h) => format!("the `{h}` header is missing"),
            Refusal::BadTimestamp => {
                "webhook-timestamp must be whole seconds since the Unix epoch".into()
            }
            Refusal::Stale { skew_s } => format!(
                "webhook-timestamp is {skew_s} s away from the server's clock; at most {} s is accepted",
                TOLERANCE / SECOND
            ),
            Refusal::NoMatch => "webhook-signature does not match the body signed with the \
                                 configured secret (expected `v1,` + base64 HMAC-SHA256 of \
                                 `{webhook-id}.{webhook-timestamp}.{body}`)"
                .into(),
        }
    }
}

/// The three Standard Webhooks headers of one request.
pub struct StandardHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Verifies a Standard Webhooks request: a fresh timestamp and at least
/// one `v1,` signature (the header may list several, space-separated,
/// while the sender rotates secrets) over `id.timestamp.body`.
pub fn verify_standard(
    key: &[u8],
    h: &StandardHeaders<'_>,
    body: &[u8],
    now: Millis,
) -> Result<(), Refusal> {
    let id =
        h.id.filter(|s| !s.is_empty())
            .ok_or(Refusal::MissingHeader("webhook-id"))?;
    let ts = h
        .timestamp
        .filter(|s| !s.is_empty())
        .ok_or(Refusal::MissingHeader("webhook-timestamp"))?;
    let sigs = h
        .signature
        .filter(|s| !s.is_empty())
        .ok_or(Refusal::MissingHeader("webhook-signature"))?;
    let seconds: i64 = ts.trim().parse().map_err(|_| Refusal::BadTimestamp)?;
    let skew = seconds.saturating_mul(SECOND).saturating_sub(now);
    // unsigned_abs: a timestamp far in the past saturates `skew` to
    // i64::MIN, whose `abs()` overflows (a panic in debug builds, and a
    // negative "skew" that passed this check in release). Found by fuzzing.
    if skew.unsigned_abs() > TOLERANCE.unsigned_abs() {
        return Err(Refusal::Stale {
            skew_s: skew / SECOND,
        });
    }
    let expected = standard_mac(key, id, ts.trim(), body);
    let matched = sigs
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|given| ct_eq(&given, &expected));
    if matched {
        Ok(())
    } else {
        Err(Refusal::NoMatch)
    }
}

fn standard_mac(key: &[u8], id: &str, ts: &str, body: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Lever signs each webhook with the endpoint's signature token: the hex
/// HMAC-SHA256 of `token` followed by `triggeredAt`, both from the body.
pub fn verify_lever(
    signature_token: &str,
    token: &str,
    triggered_at: &str,
    signature: &str,
) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(signature_token.as_bytes()) else {
        return false;
    };
    mac.update(token.as_bytes());
    mac.update(triggered_at.as_bytes());
    let expected = mac.finalize().into_bytes();
    match hex::decode(signature.trim()) {
        Ok(given) => ct_eq(&given, &expected),
        Err(_) => false,
    }
}

/// The user name of an `Authorization: Basic …` header value (Greenhouse
/// sends its API key there, with an empty password).
pub fn basic_user(header: &str) -> Option<String> {
    let (scheme, b64) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let user = text.split_once(':').map(|(u, _)| u).unwrap_or(&text);
    Some(user.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::signing;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> StandardHeaders<'a> {
        StandardHeaders {
            id: Some(id),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    #[test]
    fn an_extreme_timestamp_is_stale_not_a_panic() {
        let key = signing::key_of(SECRET).expect("key");
        let now = 1614265330 * SECOND;
        for ts in ["-9223372036854775808", "9223372036854775807", "-7500"] {
            let h = headers("msg_1", ts, "v1,Zm9v");
            assert!(
                matches!(
                    verify_standard(&key, &h, b"{}", now),
                    Err(Refusal::Stale { .. })
                ),
                "{ts}"
            );
        }
        let h = headers("msg_1", "-7500", "v1,Zm9v");
        assert!(matches!(
            verify_standard(&key, &h, b"{}", i64::MAX),
            Err(Refusal::Stale { .. })
        ));
    }

    #[test]
    fn accepts_what_the_outbound_signer_produces() {
        let key = signing::key_of(SECRET).expect("key");
        let body = r#"{"test": 2432232314}"#;
        let sig = signing::sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        let now = 1614265330 * SECOND;
        let h = headers("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &sig);
        assert_eq!(verify_standard(&key, &h, body.as_bytes(), now), Ok(()));
        // Several signatures, one of them right (secret rotation).
        let both = format!("v1,AAAA {sig}");
        let h = headers("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &both);
        assert_eq!(verify_standard(&key, &h, body.as_bytes(), now), Ok(()));
    }

    #[test]
    fn refuses_tampering_staleness_and_missing_headers() {
        let key = signing::key_of(SECRET).expect("key");
        let body = b"{}";
        let sig = signing::sign(&key, "m1", 1000, "{}");
        let now = 1000 * SECOND;
        let ok = headers("m1", "1000", &sig);
        assert_eq!(
            verify_standard(&key, &ok, b"{ }", now),
            Err(Refusal::NoMatch)
        );
        let other_id = headers("m2", "1000", &sig);
        assert_eq!(
            verify_standard(&key, &other_id, body, now),
            Err(Refusal::NoMatch)
        );
        assert_eq!(
            verify_standard(&key, &ok, body, now + TOLERANCE + SECOND),
            Err(Refusal::Stale { skew_s: -301 })
        );
        assert_eq!(
            verify_standard(&key, &ok, body, now - TOLERANCE - SECOND),
            Err(Refusal::Stale { skew_s: 301 })
        );
        assert_eq!(verify_standard(&key, &ok, body, now + TOLERANCE), Ok(()));
        let bad_ts = headers("m1", "soon", &sig);
        assert_eq!(
            verify_standard(&key, &bad_ts, body, now),
            Err(Refusal::BadTimestamp)
        );
        let none = StandardHeaders {
            id: Some("m1"),
            timestamp: None,
            signature: Some(&sig),
        };
        assert_eq!(
            verify_standard(&key, &none, body, now),
            Err(Refusal::MissingHeader("webhook-timestamp"))
        );
        let v2 = sig.replacen("v1,", "v2,", 1);
        let h = headers("m1", "1000", &v2);
        assert_eq!(verify_standard(&key, &h, body, now), Err(Refusal::NoMatch));
    }

    #[test]
    fn lever_signature_is_hex_hmac_of_token_and_time() {
        // Computed independently: printf '%s' 'abc1471464900000' |
        // openssl dgst -sha256 -hmac 'secret-token'
        let good = "81b7fe6030d0302f1ba494a62984f2cf94a5d13cc086f6bade72b1e73fe5b3a8";
        assert!(verify_lever("secret-token", "abc", "1471464900000", good));
        assert!(verify_lever(
            "secret-token",
            "abc",
            "1471464900000",
            &good.to_uppercase()
        ));
        assert!(!verify_lever("secret-token", "abc", "1471464900001", good));
        assert!(!verify_lever("other-token", "abc", "1471464900000", good));
        assert!(!verify_lever(
            "secret-token",
            "abc",
            "1471464900000",
            "not hex"
        ));
    }

    #[test]
    fn basic_user_names_and_constant_time_equality() {
        let h = format!("Basic {}", STANDARD.encode("key123:"));
        assert_eq!(basic_user(&h).as_deref(), Some("key123"));
        let h = format!("basic {}", STANDARD.encode("key123"));
        assert_eq!(basic_user(&h).as_deref(), Some("key123"));
        assert_eq!(basic_user("Bearer abc"), None);
        assert_eq!(basic_user("Basic !!!"), None);
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
