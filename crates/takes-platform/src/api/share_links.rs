//! Share links: a URL that opens an interview's results page without an
//! API token (for people in an ATS who have none). Recruiters of the
//! interview's role and admins create, list and revoke them; the token is
//! shown once, in the URL.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use takes_api::{Problem, UserRole};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::ids::{hash_token, new_id, new_token};
use crate::state::AppState;
use crate::store::board::writes;
use crate::store::{audit, share_links};

pub mod config;
pub mod system;

/// How long a link works unless asked otherwise.
pub const DEFAULT_DAYS: i64 = 30;
const MAX_DAYS: i64 = 90;
const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// A share link as listed: never its token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShareLink {
    pub id: String,
    pub interview_id: String,
    /// User id; absent for the platform's own link (Greenhouse's
    /// `partner_profile_url`, events' `results_url`).
    pub created_by: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339; absent while the link works.
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShareLinkList {
    pub items: Vec<ShareLink>,
}

/// A new link; `url` is shown only this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedShareLink {
    pub id: String,
    /// Opens the results page; the token in it is the credential.
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Optional body of a new link.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShareLink {
    /// Days until the link stops working, 1..=90; default 30.
    pub days: Option<i64>,
}

fn view(l: share_links::ShareLink) -> ShareLink {
    ShareLink {
        id: l.id,
        interview_id: l.interview_id,
        created_by: l.created_by,
        created_at: rfc3339(l.created_at),
        expires_at: rfc3339(l.expires_at),
        revoked_at: l.revoked_at.map(rfc3339),
    }
}

/// 403 for reviewers, 404 for an unknown interview, 403 for a recruiter
/// who does not recruit for its role.
async fn authorize(conn: &mut AnyConnection, caller: &Caller, interview_id: &str) -> ApiResult<()> {
    caller.require_decider()?;
    let role = writes::role_of(conn, interview_id).await?.ok_or_else(|| {
        ApiError::not_found(format!("no interview {interview_id:?}")).with_field("id")
    })?;
    if caller.role != UserRole::Admin && !writes::recruits_for(conn, &caller.id, &role).await? {
        return Err(ApiError::forbidden(format!(
            "{} does not recruit for the role of interview {interview_id:?}",
            caller.name
        )));
    }
    Ok(())
}

/// The address of the results page for `token`.
pub fn url(state: &AppState, token: &str) -> String {
    let base = state.config.public_url.as_deref().unwrap_or("");
    format!("{}/results/{token}", base.trim_end_matches('/'))
}

/// Makes a link inside the caller's transaction: `(id, token, expires_at)`.
pub async fn issue(
    conn: &mut AnyConnection,
    interview_id: &str,
    created_by: Option<&str>,
    now: Millis,
    days: i64,
) -> Result<(String, String, Millis), sqlx::Error> {
    let id = new_id();
    // Distinct prefix from API tokens, so a leaked link is recognisable.
    let token = format!("sl_{}", new_token().trim_start_matches("tk_"));
    let expires_at = now + days * DAY_MS;
    share_links::insert(
        conn,
        share_links::NewLink {
            id: &id,
            interview_id,
            token_hash: &hash_token(&token),
            created_by,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    Ok((id, token, expires_at))
}

fn parse_body(body: &[u8]) -> ApiResult<i64> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DEFAULT_DAYS);
    }
    let req: NewShareLink = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            format!("invalid body: {e}; send {{\"days\": 1..{MAX_DAYS}}} or nothing"),
        )
        .with_field("days")
    })?;
    let days = req.days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::invalid(
            "days",
            format!("days must be 1..={MAX_DAYS}; got {days}"),
        ));
    }
    Ok(days)
}

/// Creates a link to the interview's results page (recruiters of its role
/// and admins). The URL is shown only in this answer.
#[utoipa::path(post, path = "/v1/interviews/{id}/share-links", tag = "decisions", operation_id = "create_share_link",
    params(("id" = String, Path, description = "Interview id")),
    request_body(content = NewShareLink, description = "Optional; `days` defaults to 30"),
    responses((status = 201, body = CreatedShareLink), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<CreatedShareLink>)> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    authorize(&mut w.tx, &caller, &id).await?;
    let days = parse_body(&body)?;
    let (link_id, token, expires_at) = issue(&mut w.tx, &id, Some(&caller.id), now, days).await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "share_link.created",
        ("share_link", &link_id),
        serde_json::json!({"interview_id": id, "days": days}),
    )
    .await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedShareLink {
            id: link_id,
            url: url(&state, &token),
            expires_at: rfc3339(expires_at),
        }),
    ))
}

/// The interview's share links, newest first, without their tokens.
#[utoipa::path(get, path = "/v1/interviews/{id}/share-links", tag = "decisions", operation_id = "list_share_links",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = ShareLinkList), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ShareLinkList>> {
    let mut conn = state.db.pool.acquire().await?;
    authorize(&mut conn, &caller, &id).await?;
    let items = share_links::for_interview(&mut conn, &id)
        .await?
        .into_iter()
        .map(view)
        .collect();
    Ok(axum::Json(ShareLinkList { items }))
}

/// Revokes a share link: its page answers 410 from the next request on.
/// Revoking a revoked link changes nothing.
#[utoipa::path(delete, path = "/v1/share-links/{id}", tag = "decisions", operation_id = "revoke_share_link",
    params(("id" = String, Path, description = "Share link id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_decider()?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let link = share_links::by_id(&mut w.tx, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no share link {id:?}")).with_field("id"))?;
    authorize(&mut w.tx, &caller, &link.interview_id).await?;
    if share_links::revoke(&mut w.tx, &id, now).await? {
        audit::record_by(
            &mut w.tx,
            now,
            &caller.id,
            "share_link.revoked",
            ("share_link", &id),
            serde_json::json!({"interview_id": link.interview_id}),
        )
        .await?;
    }
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
