//! The platform's own results link for an interview: the one Greenhouse
//! shows as `partner_profile_url` and outbound events carry as
//! `results_url`. Greenhouse asks `test_status` again and again and must
//! get the same URL, yet share links store only their token's hash. So
//! the link's id and token are derived (HMAC-SHA256) from a server secret
//! made once and kept in `server_secrets`, and can be derived again on
//! every use; the row stored is an ordinary share link (hash, expiry,
//! revocation, audited views) with no `created_by`.
//!
//! An expired link is replaced by a new one (a new URL) the next time one
//! is needed. A revoked link is not: revoking it is a recruiter saying
//! "no more", so events carry no link for that interview again and
//! Greenhouse keeps being shown the revoked URL, whose page says so
//! (Greenhouse requires a profile URL with `complete`; recruiters can
//! still share by hand).

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::AnyConnection;

use crate::clock::Millis;
use crate::config::ServerConfig;
use crate::error::{ApiError, ApiResult};
use crate::ids::hash_token;
use crate::store::{audit, share_links as store};

const SECRET_NAME: &str = "share_links";
const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// HMAC-SHA256 keyed with the server secret, for deriving links.
struct Deriver(Hmac<Sha256>);

impl Deriver {
    fn new(secret: &str) -> ApiResult<Deriver> {
        // HMAC takes keys of any length, so this does not fail in practice.
        Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map(Deriver)
            .map_err(|e| ApiError::internal(format!("the share-link secret cannot key HMAC: {e}")))
    }

    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut m = self.0.clone();
        for p in parts {
            m.update(p.as_bytes());
            // A separator, so ("ab", "c") and ("a", "bc") differ.
            m.update(&[0]);
        }
        m.finalize().into_bytes().into()
    }

    /// The id of the interview's `generation`-th system link: UUID-shaped,
    /// so it reads like every other id.
    fn link_id(&self, interview_id: &str, generation: usize) -> String {
        let bytes = self.mac(&["link-id", interview_id, &generation.to_string()]);
        let mut b = [0u8; 16];
        b.copy_from_slice(&bytes[..16]);
        uuid::Builder::from_custom_bytes(b).into_uuid().to_string()
    }

    fn token(&self, link_id: &str) -> String {
        format!(
            "sl_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.mac(&["token", link_id]))
        )
    }
}

/// The interview's system results URL for outbound events, made if there
/// is none or the last one expired; `None` without `public_url` (no
/// address to link to) or once a system link of the interview was
/// revoked. Call inside a write transaction.
pub async fn url(
    conn: &mut AnyConnection,
    config: &ServerConfig,
    interview_id: &str,
    now: Millis,
) -> ApiResult<Option<String>> {
    Ok(resolve(conn, config, interview_id, now)
        .await?
        .filter(|l| !l.revoked)
        .map(|l| l.url))
}

/// As `url`, but a revoked link is still given (its page answers 410
/// saying it was revoked): Greenhouse refuses a `complete` status
/// without a profile URL.
pub async fn profile_url(
    conn: &mut AnyConnection,
    config: &ServerConfig,
    interview_id: &str,
    now: Millis,
) -> ApiResult<Option<String>> {
    Ok(resolve(conn, config, interview_id, now)
        .await?
        .map(|l| l.url))
}

struct Resolved {
    url: String,
    revoked: bool,
}

async fn resolve(
    conn: &mut AnyConnection,
    config: &ServerConfig,
    interview_id: &str,
    now: Millis,
) -> ApiResult<Option<Resolved>> {
    let Some(base) = config.public_url.as_deref() else {
        return Ok(None);
    };
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let secret = store::server_secret(conn, SECRET_NAME, &hex::encode(fresh), now).await?;
    let derive = Deriver::new(&secret)?;
    let links = store::system_links(conn, interview_id).await?;
    let link = |id: &str, revoked: bool| Resolved {
        url: format!(
            "{}/results/{}",
            base.trim_end_matches('/'),
            derive.token(id)
        ),
        revoked,
    };
    if let Some(revoked) = links.iter().find(|l| l.revoked_at.is_some()) {
        return Ok(Some(link(&revoked.id, true)));
    }
    if let Some(live) = links.iter().find(|l| l.expires_at > now) {
        return Ok(Some(link(&live.id, false)));
    }
    let id = derive.link_id(interview_id, links.len());
    let inserted = store::insert_system(
        conn,
        store::NewLink {
            id: &id,
            interview_id,
            token_hash: &hash_token(&derive.token(&id)),
            created_by: None,
            created_at: now,
            expires_at: now + config.share_links.system_days * DAY_MS,
        },
    )
    .await?;
    if inserted {
        audit::record(
            conn,
            now,
            audit::Entry {
                actor_id: None,
                action: "share_link.created",
                entity_type: "share_link",
                entity_id: &id,
                detail: serde_json::json!({"interview_id": interview_id,
                    "days": config.share_links.system_days, "system": true}),
            },
        )
        .await?;
    }
    Ok(Some(link(&id, false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tokens_are_derived_and_distinct() {
        let d = |s: &str| Deriver::new(s).expect("any key length");
        let (s, t) = (d("s"), d("t"));
        let a = s.link_id("i-1", 0);
        assert_eq!(a, s.link_id("i-1", 0));
        assert_ne!(a, s.link_id("i-1", 1));
        assert_ne!(a, s.link_id("i-2", 0));
        assert_ne!(a, t.link_id("i-1", 0));
        assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
        let tok = s.token(&a);
        assert!(tok.starts_with("sl_") && tok.len() > 40, "{tok}");
        assert_eq!(tok, s.token(&a));
        assert_ne!(tok, t.token(&a));
        assert_ne!(tok, s.token(&s.link_id("i-1", 1)));
    }
}
