//! `takes token create|list|revoke`: API tokens, straight in the platform's
//! database (like `takes seed`), for the operator who runs the server.

use std::process::ExitCode;

use anyhow::{bail, Context};
use takes_platform::clock::{rfc3339, Millis};
use takes_platform::AppState;

/// `90d`, `12h`, `30m`, `2w` or `45s`, as milliseconds.
pub fn parse_lifetime(text: &str) -> anyhow::Result<Millis> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok().filter(|&n| n > 0).with_context(|| {
        format!("--expires {text:?}: expected a positive number and a unit, e.g. 90d")
    })?;
    let unit_ms: i64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => bail!("--expires {text:?}: the unit must be s, m, h, d or w (e.g. 90d)"),
    };
    n.checked_mul(unit_ms)
        .filter(|&ms| ms <= 100 * 365 * 86_400_000)
        .with_context(|| format!("--expires {text:?} is longer than 100 years"))
}

pub async fn create(
    state: &AppState,
    who: takes_platform::auth::NewTokenUser<'_>,
    expires: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let now = state.clock.now();
    let expires_at = match expires {
        Some(text) => Some(now + parse_lifetime(text)?),
        None => None,
    };
    let issued = takes_platform::auth::issue_token_for(&state.db, now, who, "cli", expires_at)
        .await
        .context("creating the token")?;
    println!("{}", issued.token);
    // The token on stdout alone (scripts read it); the rest on stderr.
    match expires_at {
        Some(at) => eprintln!("token {} expires at {}", issued.token_id, rfc3339(at)),
        None => eprintln!("token {} does not expire", issued.token_id),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn list(state: &AppState, user: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    use takes_platform::store::users;
    let mut conn = state.db.pool.acquire().await?;
    let user_id = match user {
        Some(name) => Some(
            users::by_name(&mut conn, name)
                .await?
                .with_context(|| format!("--user {name:?}: no such user"))?
                .0,
        ),
        None => None,
    };
    let rows = users::tokens(&mut conn, user_id.as_deref()).await?;
    let now = state.clock.now();
    let when = |at: Option<Millis>| at.map(rfc3339).unwrap_or_else(|| "-".into());
    if json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.id, "user_id": t.user_id, "user_name": t.user_name, "label": t.label,
                    "created_at": rfc3339(t.created_at),
                    "expires_at": t.expires_at.map(rfc3339),
                    "last_used_at": t.last_used_at.map(rfc3339),
                    "revoked_at": t.revoked_at.map(rfc3339),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "items": items }));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<36}  {:<16}  {:<8}  {:<24}  {:<24}  {:<24}",
        "ID", "USER", "STATE", "CREATED", "EXPIRES", "LAST USED"
    );
    for t in &rows {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|at| now >= at) {
            "expired"
        } else {
            "active"
        };
        println!(
            "{:<36}  {:<16}  {:<8}  {:<24}  {:<24}  {:<24}",
            t.id,
            t.user_name,
            state,
            rfc3339(t.created_at),
            when(t.expires_at),
            when(t.last_used_at)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn revoke(state: &AppState, id: &str) -> anyhow::Result<ExitCode> {
    match takes_platform::auth::revoke_token(&state.db, state.clock.now(), id).await? {
        None => bail!("no token {id:?} (see `takes token list`)"),
        Some(true) => println!("token {id} revoked"),
        Some(false) => println!("token {id} was already revoked"),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_like_people_write_them() {
        assert_eq!(parse_lifetime("90d").ok(), Some(90 * 86_400_000));
        assert_eq!(parse_lifetime("12h").ok(), Some(12 * 3_600_000));
        assert_eq!(parse_lifetime("2w").ok(), Some(14 * 86_400_000));
        for bad in ["", "d", "0d", "90", "90y", "-1d", "99999999999999d"] {
            assert!(parse_lifetime(bad).is_err(), "{bad}");
        }
    }
}
