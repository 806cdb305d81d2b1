//! Who is calling: the bearer token, looked up by its hash. A revoked or
//! expired token is refused on its next request (nothing is cached), and
//! each token records when it was last used.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use takes_api::UserRole;

use crate::error::ApiError;
use crate::ids::{hash_token, new_id, new_token};
use crate::state::AppState;
use crate::store::users;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    /// The token this request presented.
    pub token_id: String,
    pub name: String,
    pub role: UserRole,
}

impl Caller {
    pub fn require_decider(&self) -> Result<(), ApiError> {
        if self.role.can_decide() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the recruiter or admin role; {} is a {}",
                self.name,
                self.role.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing `Authorization: Bearer TOKEN` header")
                .with_field("Authorization")
        })?;
        let value = header.to_str().map_err(|_| {
            ApiError::unauthorized("Authorization header is not text").with_field("Authorization")
        })?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("Authorization header must be `Bearer TOKEN`")
                    .with_field("Authorization")
            })?;
        let t = users::by_token_hash(&state.db, &hash_token(token))
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("the token is unknown").with_field("Authorization")
            })?;
        let now = state.clock.now();
        if let Some(at) = t.revoked_at {
            return Err(ApiError::unauthorized(format!(
                "the token was revoked at {}",
                crate::clock::rfc3339(at)
            ))
            .with_field("Authorization"));
        }
        if let Some(at) = t.deactivated_at {
            return Err(ApiError::unauthorized(format!(
                "the token's user was deactivated at {}",
                crate::clock::rfc3339(at)
            ))
            .with_field("Authorization"));
        }
        if let Some(at) = t.expires_at.filter(|&at| now >= at) {
            return Err(ApiError::unauthorized(format!(
                "the token expired at {}; ask an admin for a new one",
                crate::clock::rfc3339(at)
            ))
            .with_field("Authorization"));
        }
        // At most one write a minute per token: reads stay reads.
        if t.last_used_at
            .is_none_or(|last| now - last >= LAST_USED_GRANULARITY)
        {
            // SQLite: a write outside the writer queue would make a queued
            // transaction's lock upgrade fail (SQLITE_BUSY).
            let _writer = state.db.writer_guard().await;
            if let Err(e) = users::touch_token(&state.db, &t.token_id, now).await {
                // Bookkeeping only: the request goes on.
                tracing::warn!(error = %e, "cannot record a token's last use");
            }
        }
        Ok(Caller {
            id: t.user_id,
            token_id: t.token_id,
            name: t.name,
            role: UserRole::parse(&t.role)
                .ok_or_else(|| ApiError::internal("stored user role is unknown"))?,
        })
    }
}

/// How stale a token's `last_used_at` may be.
const LAST_USED_GRANULARITY: crate::clock::Millis = 60_000;

/// Creates the user `name` with `role` when missing and issues a new token
/// for them. The token is returned once and only its hash is stored.
pub async fn issue_token(
    db: &crate::db::Db,
    now: crate::clock::Millis,
    name: &str,
    role: UserRole,
    label: &str,
) -> anyhow::Result<(String, String)> {
    let issued = issue_token_expiring(db, now, name, role, label, None).await?;
    Ok((issued.user_id, issued.token))
}

/// A token just issued: shown this once.
pub struct Issued {
    pub user_id: String,
    pub token_id: String,
    pub token: String,
}

/// [`issue_token`] with an expiry (`None`: never).
pub async fn issue_token_expiring(
    db: &crate::db::Db,
    now: crate::clock::Millis,
    name: &str,
    role: UserRole,
    label: &str,
    expires_at: Option<crate::clock::Millis>,
) -> anyhow::Result<Issued> {
    issue_token_for(
        db,
        now,
        NewTokenUser {
            name,
            role,
            email: None,
        },
        label,
        expires_at,
    )
    .await
}

/// Who a token is issued to: made when missing.
pub struct NewTokenUser<'a> {
    pub name: &'a str,
    pub role: UserRole,
    /// The user's email (stored lowercase), which process files name
    /// people by.
    pub email: Option<&'a str>,
}

/// [`issue_token_expiring`] for a user who may have an email.
pub async fn issue_token_for(
    db: &crate::db::Db,
    now: crate::clock::Millis,
    who: NewTokenUser<'_>,
    label: &str,
    expires_at: Option<crate::clock::Millis>,
) -> anyhow::Result<Issued> {
    let NewTokenUser { name, role, email } = who;
    let email = email.map(|e| e.trim().to_lowercase());
    if let Some(e) = &email {
        if let Some(problem) = crate::email::address_problem(e) {
            anyhow::bail!("--email {e:?} {problem}");
        }
    }
    if expires_at.is_some_and(|at| at <= now) {
        anyhow::bail!("the token's expiry must be in the future");
    }
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        anyhow::bail!("--name must be 1 to 200 characters, got {name:?}");
    }
    let mut w = db.begin_write().await?;
    if let Some(e) = &email {
        let everyone = users::all(&mut w.tx).await?;
        if let Some(other) = everyone
            .iter()
            .find(|u| u.email.as_deref() == Some(e.as_str()) && u.name != name)
        {
            anyhow::bail!("--email {e} belongs to another user, {:?}", other.name);
        }
    }
    let user_id = match users::by_name(&mut w.tx, name).await? {
        Some((id, stored)) => {
            if stored != role.as_str() {
                anyhow::bail!(
                    "user {name:?} exists with role {stored}, not {}; tokens keep the user's role",
                    role.as_str()
                );
            }
            if let Some(e) = &email {
                let row = users::by_id(&mut w.tx, &id).await?;
                match row.and_then(|r| r.email) {
                    Some(stored) if stored != *e => anyhow::bail!(
                        "user {name:?} has email {stored}, not {e}; change it with PATCH /v1/users or a process file"
                    ),
                    Some(_) => {}
                    None => users::update(&mut w.tx, &id, name, role.as_str(), Some(e)).await?,
                }
            }
            id
        }
        None => {
            let id = new_id();
            match &email {
                Some(e) => {
                    users::insert_with_email(&mut w.tx, &id, name, role.as_str(), e, now).await?
                }
                None => users::insert(&mut w.tx, &id, name, role.as_str(), now).await?,
            }
            crate::store::audit::record(
                &mut w.tx,
                now,
                crate::store::audit::Entry {
                    actor_id: None,
                    action: "user.created",
                    entity_type: "user",
                    entity_id: &id,
                    detail: serde_json::json!({"name": name, "role": role.as_str(), "email": email}),
                },
            )
            .await?;
            id
        }
    };
    let token = new_token();
    let token_id = new_id();
    users::insert_token(
        &mut w.tx,
        &token_id,
        &user_id,
        &hash_token(&token),
        label,
        now,
        expires_at,
    )
    .await?;
    crate::store::audit::record(
        &mut w.tx,
        now,
        crate::store::audit::Entry {
            actor_id: None,
            action: "token.created",
            entity_type: "api_token",
            entity_id: &token_id,
            detail: serde_json::json!({"user_id": user_id, "label": label,
                "expires_at": expires_at.map(crate::clock::rfc3339)}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(Issued {
        user_id,
        token_id,
        token,
    })
}

/// Revokes token `id` (the command line's `takes token revoke`): `None`
/// when there is no such token, else whether this call revoked it.
pub async fn revoke_token(
    db: &crate::db::Db,
    now: crate::clock::Millis,
    id: &str,
) -> anyhow::Result<Option<bool>> {
    let mut w = db.begin_write().await?;
    let Some((user_id, _)) = users::token_owner(&mut w.tx, id).await? else {
        return Ok(None);
    };
    let revoked = users::revoke_token(&mut w.tx, id, now).await?;
    if revoked {
        crate::store::audit::record(
            &mut w.tx,
            now,
            crate::store::audit::Entry {
                actor_id: None,
                action: "token.revoked",
                entity_type: "api_token",
                entity_id: id,
                detail: serde_json::json!({"user_id": user_id}),
            },
        )
        .await?;
    }
    w.commit().await?;
    Ok(Some(revoked))
}
