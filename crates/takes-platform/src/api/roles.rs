//! A job role's invitation settings: completion window, intro video, hiring
//! manager and reviewer pool (recruiters and admins).

use axum::extract::State;
use takes_api::roles::{
    PoolMember, QuestionSetVersion, RoleDetail, RolePage, RoleSummary, RoleUser,
};
use takes_api::{Problem, RoleInvitationSettings, RoleInvitationSettingsUpdate};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path};
use crate::invitations::WINDOW_HOURS;
use crate::state::AppState;
use crate::store::roles::view;
use crate::store::{audit, roles, users};

const URL_MAX: usize = 2_000;
const POOL_MAX: usize = 200;

async fn load(conn: &mut sqlx::AnyConnection, id: &str) -> ApiResult<RoleInvitationSettings> {
    roles::invitation_settings(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no job role {id:?}")).with_field("id"))
}

/// The role's invitation settings.
#[utoipa::path(get, path = "/v1/roles/{id}/invitation-settings", tag = "invitations",
    params(("id" = String, Path, description = "Job role id")),
    responses((status = 200, body = RoleInvitationSettings), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RoleInvitationSettings>> {
    caller.require_decider()?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(axum::Json(load(&mut conn, &id).await?))
}

/// `Some(None)` clears, `Some(Some(v))` sets, `None` leaves as is.
fn text_change(
    field: &str,
    value: Option<String>,
    check: impl Fn(&str) -> Option<String>,
) -> ApiResult<Option<Option<String>>> {
    let Some(v) = value else {
        return Ok(None);
    };
    let v = v.trim().to_string();
    if v.is_empty() {
        return Ok(Some(None));
    }
    check_text(field, &v)?;
    if let Some(problem) = check(&v) {
        return Err(ApiError::invalid(field, format!("{field} {v:?} {problem}")));
    }
    Ok(Some(Some(v)))
}

fn url_problem(url: &str) -> Option<String> {
    if url.len() > URL_MAX {
        return Some(format!("is longer than {URL_MAX} bytes"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            None
        }
        _ => Some("is not an http(s) URL".into()),
    }
}

/// Changes the role's invitation settings; only the fields given change.
#[utoipa::path(patch, path = "/v1/roles/{id}/invitation-settings", tag = "invitations",
    params(("id" = String, Path, description = "Job role id")),
    request_body = RoleInvitationSettingsUpdate,
    responses((status = 200, body = RoleInvitationSettings), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RoleInvitationSettingsUpdate>,
) -> ApiResult<axum::Json<RoleInvitationSettings>> {
    caller.require_decider()?;
    if let Some(h) = body.completion_window_hours {
        if !WINDOW_HOURS.contains(&h) {
            return Err(ApiError::invalid(
                "completion_window_hours",
                format!(
                    "completion_window_hours must be {} to {}, got {h}",
                    WINDOW_HOURS.start(),
                    WINDOW_HOURS.end()
                ),
            ));
        }
    }
    let intro = text_change("intro_video_url", body.intro_video_url, url_problem)?;
    let manager = text_change(
        "hiring_manager_email",
        body.hiring_manager_email,
        crate::email::address_problem,
    )?;
    let pool = match body.reviewer_ids {
        Some(ids) => {
            if ids.len() > POOL_MAX {
                return Err(ApiError::invalid(
                    "reviewer_ids",
                    format!(
                        "reviewer_ids holds {} ids; the limit is {POOL_MAX}",
                        ids.len()
                    ),
                ));
            }
            let mut unique: Vec<String> = Vec::with_capacity(ids.len());
            for (i, rid) in ids.iter().enumerate() {
                check_text(&format!("reviewer_ids[{i}]"), rid)?;
                if !unique.contains(rid) {
                    unique.push(rid.clone());
                }
            }
            Some(unique)
        }
        None => None,
    };
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    load(&mut w.tx, &id).await?;
    let change = roles::SettingsChange {
        completion_window_hours: body.completion_window_hours,
        intro_video_url: intro.as_ref().map(Option::as_deref),
        hiring_manager_email: manager.as_ref().map(Option::as_deref),
    };
    roles::change_settings(&mut w.tx, &id, change).await?;
    if let Some(ids) = &pool {
        for (i, rid) in ids.iter().enumerate() {
            let role = users::role_of(&mut w.tx, rid).await?;
            if role.as_deref() != Some("reviewer") {
                return Err(ApiError::invalid(
                    &format!("reviewer_ids[{i}]"),
                    format!("{rid:?} is not a reviewer"),
                ));
            }
        }
        roles::replace_reviewers(&mut w.tx, now, &id, ids).await?;
    }
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "role.invitation_settings_changed",
            entity_type: "job_role",
            entity_id: &id,
            detail: serde_json::json!({
                "completion_window_hours": body.completion_window_hours,
                "intro_video_url": intro,
                "hiring_manager_email": manager,
                "reviewer_ids": pool,
            }),
        },
    )
    .await?;
    let settings = load(&mut w.tx, &id).await?;
    w.commit().await?;
    Ok(axum::Json(settings))
}

/// Every role with its current question-set version; reviewers see only the
/// roles whose pool they are in.
#[utoipa::path(get, path = "/v1/roles", tag = "process", operation_id = "list_roles",
    responses((status = 200, body = RolePage), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<RolePage>> {
    let mut conn = state.db.pool.acquire().await?;
    let mine = if caller.role.can_decide() {
        None
    } else {
        Some(view::reviewed_by(&mut conn, &caller.id).await?)
    };
    let mut items = Vec::new();
    for row in view::all(&mut conn).await? {
        if mine.as_ref().is_some_and(|ids| !ids.contains(&row.id)) {
            continue;
        }
        let (question_count, interviews_in_flight, version) = view::counts(&mut conn, &row).await?;
        items.push(RoleSummary {
            id: row.id,
            key: row.key,
            title: row.title,
            department: row.department,
            archived: row.archived_at.is_some(),
            question_set_version: version,
            question_count,
            interviews_in_flight,
        });
    }
    Ok(axum::Json(RolePage { items }))
}

fn role_user(m: view::Member) -> RoleUser {
    RoleUser {
        user_id: m.user_id,
        name: m.name,
        email: m.email,
    }
}

/// Everything about one role: its settings, every question-set version
/// (newest first) with its questions, rubrics and interviews, the pool
/// with its open load, and the recruiters who own it.
pub async fn detail(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    default_rpi: i64,
) -> ApiResult<RoleDetail> {
    let row = view::by_id(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no job role {id:?}")).with_field("id"))?;
    let mut versions = Vec::new();
    for s in view::sets(conn, id).await? {
        versions.push(QuestionSetVersion {
            questions: view::questions(conn, &s.id).await?,
            current: row.current_set_id.as_deref() == Some(s.id.as_str()),
            id: s.id,
            version: s.version,
            created_at: rfc3339(s.created_at),
            retakes: s.retakes,
            interviews: s.interviews,
            interviews_in_flight: s.in_flight,
        });
    }
    let pool = view::pool(conn, id)
        .await?
        .into_iter()
        .map(|m| PoolMember {
            active: m.deactivated_at.is_none(),
            open_assignments: m.open_assignments,
            user_id: m.user_id,
            name: m.name,
            email: m.email,
        })
        .collect();
    let recruiters = view::recruiters(conn, id)
        .await?
        .into_iter()
        .map(role_user)
        .collect();
    let intro_video_url = match &row.intro_video_media_id {
        Some(media) => Some(crate::process::intro::url(media)),
        None => row.intro_video_url.clone(),
    };
    Ok(RoleDetail {
        id: row.id,
        key: row.key,
        title: row.title,
        department: row.department,
        archived: row.archived_at.is_some(),
        completion_window_hours: row.completion_window_hours,
        reviewers_per_interview: row.reviewers_per_interview.unwrap_or(default_rpi),
        hiring_manager: row.hiring_manager,
        support_contact: row.support_contact,
        invitation_message: row.invitation_message,
        intro_video_url,
        versions,
        pool,
        recruiters,
    })
}

/// One role whole (recruiters and admins).
#[utoipa::path(get, path = "/v1/roles/{id}", tag = "process",
    params(("id" = String, Path, description = "Job role id")),
    responses((status = 200, body = RoleDetail), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RoleDetail>> {
    caller.require_decider()?;
    let mut conn = state.db.pool.acquire().await?;
    let default_rpi = state.config.invitations.reviewers_per_interview;
    Ok(axum::Json(detail(&mut conn, &id, default_rpi).await?))
}
