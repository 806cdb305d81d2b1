//! Who is calling: the bearer token, looked up by its hash.

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
        let (id, name, role) = users::by_token_hash(&state.db, &hash_token(token))
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("the token is unknown or revoked")
                    .with_field("Authorization")
            })?;
        Ok(Caller {
            id,
            name,
            role: UserRole::parse(&role)
                .ok_or_else(|| ApiError::internal("stored user role is unknown"))?,
        })
    }
}

/// Creates the user `name` with `role` when missing and issues a new token
/// for them. The token is returned once and only its hash is stored.
pub async fn issue_token(
    db: &crate::db::Db,
    now: crate::clock::Millis,
    name: &str,
    role: UserRole,
    label: &str,
) -> anyhow::Result<(String, String)> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        anyhow::bail!("--name must be 1 to 200 characters, got {name:?}");
    }
    let mut w = db.begin_write().await?;
    let user_id = match users::by_name(&mut w.tx, name).await? {
        Some((id, stored)) => {
            if stored != role.as_str() {
                anyhow::bail!(
                    "user {name:?} exists with role {stored}, not {}; tokens keep the user's role",
                    role.as_str()
                );
            }
            id
        }
        None => {
            let id = new_id();
            users::insert(&mut w.tx, &id, name, role.as_str(), now).await?;
            crate::store::audit::record(
                &mut w.tx,
                now,
                crate::store::audit::Entry {
                    actor_id: None,
                    action: "user.created",
                    entity_type: "user",
                    entity_id: &id,
                    detail: serde_json::json!({"name": name, "role": role.as_str()}),
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
            detail: serde_json::json!({"user_id": user_id, "label": label}),
        },
    )
    .await?;
    w.commit().await?;
    Ok((user_id, token))
}
