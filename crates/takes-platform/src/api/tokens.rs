//! API tokens: everyone lists and revokes their own; admins anyone's.
//! Tokens are issued on the command line (`takes token create`), where the
//! operator sees the token once; only its hash is stored.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use takes_api::{Problem, UserRole};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::store::audit;
use crate::store::users;

/// An API token as listed: never the token or its hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub label: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; absent when the token does not expire.
    pub expires_at: Option<String>,
    /// RFC 3339, to within a minute; absent when never used.
    pub last_used_at: Option<String>,
    /// RFC 3339; absent while the token works.
    pub revoked_at: Option<String>,
    /// Whether this request was made with it.
    pub current: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenFilter {
    /// Admins: only this user's tokens, or `all`; everyone else always sees
    /// their own. Default: the caller's own.
    pub user_id: Option<String>,
}

/// Your API tokens, newest first, with when each was last used; an admin
/// may ask for another user's, or everyone's (`user_id=all`).
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens",
    params(TokenFilter),
    responses((status = 200, body = ApiTokenList), (status = 401, body = Problem),
              (status = 403, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<TokenFilter>,
) -> ApiResult<axum::Json<ApiTokenList>> {
    let whose = match filter.user_id.as_deref() {
        None => Some(caller.id.as_str()),
        Some(id) if id == caller.id => Some(id),
        Some(other) => {
            if caller.role != UserRole::Admin {
                return Err(ApiError::forbidden(format!(
                    "only admins list other users' tokens; {} is a {}",
                    caller.name,
                    caller.role.as_str()
                ))
                .with_field("user_id"));
            }
            (other != "all").then_some(other)
        }
    };
    let mut conn = state.db.pool.acquire().await?;
    let rows = users::tokens(&mut conn, whose).await?;
    let items = rows
        .into_iter()
        .map(|t| ApiToken {
            current: t.id == caller.token_id,
            id: t.id,
            user_id: t.user_id,
            user_name: t.user_name,
            label: t.label,
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        })
        .collect();
    Ok(axum::Json(ApiTokenList { items }))
}

/// Revokes a token: your own, or (admins) anyone's. It is refused from its
/// next request on. Revoking a revoked token changes nothing.
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem),
              (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let owner = users::token_owner(&mut w.tx, &id).await?;
    // Someone else's token is "not found" to a non-admin: ids are not
    // confirmed to exist.
    let Some((owner_id, _)) =
        owner.filter(|(owner, _)| *owner == caller.id || caller.role == UserRole::Admin)
    else {
        return Err(ApiError::not_found(format!("no token {id:?} of yours")).with_field("id"));
    };
    if users::revoke_token(&mut w.tx, &id, now).await? {
        audit::record(
            &mut w.tx,
            now,
            audit::Entry {
                actor_id: Some(&caller.id),
                action: "token.revoked",
                entity_type: "api_token",
                entity_id: &id,
                detail: serde_json::json!({"user_id": owner_id}),
            },
        )
        .await?;
    }
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
