//! Changing one role through the API: create (admins), settings, a new
//! question-set version, the reviewer pool and the owning recruiters
//! (admins, and recruiters for the roles they own). The same functions as
//! the process apply, under the same lock, audited the same way.

use axum::extract::State;
use axum::http::StatusCode;
use takes_api::process::{Invalid, ProcessRole};
use takes_api::roles::{NewQuestionSet, RoleDetail, RoleMembers, RoleUpdate};
use takes_api::{Problem, UserRole};

use super::process::require_admin;
use super::roles::detail;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path};
use crate::process::checks;
use crate::process::reconcile::{self, Ctx, Outcome};
use crate::process::snapshot::{export_role, RoleState, Snapshot};
use crate::state::AppState;
use crate::store::roles::write::{self, RoleFields};
use crate::store::{audit, process as lock, roles, users};

const MEMBERS_MAX: usize = 200;

/// Admins may change any role; recruiters the roles they own.
async fn may_change(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    role_id: &str,
) -> ApiResult<()> {
    match caller.role {
        UserRole::Admin => Ok(()),
        UserRole::Recruiter if roles::view::owns(conn, role_id, &caller.id).await? => Ok(()),
        UserRole::Recruiter => Err(ApiError::forbidden(format!(
            "{} is not a recruiter of this role; ask an admin to add them",
            caller.name
        ))),
        UserRole::Reviewer => Err(ApiError::forbidden(format!(
            "this needs the recruiter or admin role; {} is a reviewer",
            caller.name
        ))),
    }
}

fn find<'a>(snap: &'a Snapshot, id: &str) -> ApiResult<&'a RoleState> {
    snap.roles
        .iter()
        .find(|r| r.row.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no job role {id:?}")).with_field("id"))
}

/// Creates a role with its first question set (admins). Its pool and
/// recruiters are named by email, as in a process file.
#[utoipa::path(post, path = "/v1/roles", tag = "process", operation_id = "create_role",
    request_body = ProcessRole,
    responses((status = 201, body = RoleDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ProcessRole>,
) -> ApiResult<(StatusCode, axum::Json<RoleDetail>)> {
    require_admin(&caller)?;
    let mut problems = Vec::new();
    if body.key.trim().is_empty() || body.key.len() > 200 {
        problems.push(Invalid {
            path: "key".into(),
            message: "must be 1 to 200 characters".into(),
        });
    }
    checks::role_problems(&mut problems, "", &body);
    checks::refuse(problems)?;
    check_text("key", &body.key)?;
    let ctx = Ctx {
        now: state.clock.now(),
        actor_id: &caller.id,
        default_rpi: state.config.invitations.reviewers_per_interview,
        planning: false,
    };
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    let snap = Snapshot::load(&mut w.tx).await?;
    if snap.roles.iter().any(|r| r.key == body.key.trim()) {
        return Err(
            ApiError::conflict(format!("a role with key {:?} exists", body.key.trim()))
                .with_field("key"),
        );
    }
    let people = users::all(&mut w.tx).await?;
    let mut out = Outcome::default();
    reconcile::role(&mut w.tx, &ctx, &snap, &people, "", &body, &mut out).await?;
    let id = roles::view::all(&mut w.tx)
        .await?
        .into_iter()
        .find(|r| r.key.as_deref() == Some(body.key.trim()))
        .map(|r| r.id)
        .ok_or_else(|| ApiError::internal("the new role vanished"))?;
    let d = detail(&mut w.tx, &id, ctx.default_rpi).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// `Some("")` clears, `Some(v)` sets, `None` keeps `old`.
fn optional(new: &Option<String>, old: &Option<String>) -> Option<String> {
    match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_string()),
        None => old.clone(),
    }
}

/// Changes a role's settings, or archives or restores it.
#[utoipa::path(patch, path = "/v1/roles/{id}", tag = "process", operation_id = "update_role",
    params(("id" = String, Path, description = "Job role id")),
    request_body = RoleUpdate,
    responses((status = 200, body = RoleDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RoleUpdate>,
) -> ApiResult<axum::Json<RoleDetail>> {
    caller.require_decider()?;
    let now = state.clock.now();
    let default_rpi = state.config.invitations.reviewers_per_interview;
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    let snap = Snapshot::load(&mut w.tx).await?;
    let r = find(&snap, &id)?;
    may_change(&mut w.tx, &caller, &id).await?;
    let mut d: ProcessRole = export_role(r, default_rpi);
    if let Some(v) = &body.title {
        d.title = v.trim().to_string();
    }
    if let Some(v) = &body.department {
        d.department = v.trim().to_string();
    }
    d.completion_window_hours = body
        .completion_window_hours
        .unwrap_or(d.completion_window_hours);
    d.reviewers_per_interview = body
        .reviewers_per_interview
        .unwrap_or(d.reviewers_per_interview);
    d.hiring_manager = optional(&body.hiring_manager, &d.hiring_manager);
    d.support_contact = optional(&body.support_contact, &d.support_contact);
    d.invitation_message = optional(&body.invitation_message, &d.invitation_message);
    let mut problems = Vec::new();
    checks::role_problems(&mut problems, "", &d);
    // The questions are not this request's business.
    problems.retain(|p| !p.path.starts_with("question"));
    checks::refuse(problems)?;
    let row = &r.row;
    let fields = RoleFields {
        title: &d.title,
        department: &d.department,
        completion_window_hours: d.completion_window_hours,
        reviewers_per_interview: if body.reviewers_per_interview.is_some() {
            body.reviewers_per_interview
        } else {
            row.reviewers_per_interview
        },
        hiring_manager: d.hiring_manager.as_deref(),
        support_contact: d.support_contact.as_deref(),
        invitation_message: d.invitation_message.as_deref(),
        intro_video_media_id: row.intro_video_media_id.as_deref(),
        intro_video_file_name: row.intro_video_file_name.as_deref(),
        intro_captions_media_id: row.intro_captions_media_id.as_deref(),
        intro_captions_file_name: row.intro_captions_file_name.as_deref(),
        intro_captions_language: row.intro_captions_language.as_deref(),
        allow_audio_only: row.allow_audio_only,
        allow_low_resolution: row.allow_low_resolution,
    };
    write::update(&mut w.tx, &id, &fields).await?;
    match body.archived {
        Some(true) if row.archived_at.is_none() => {
            write::set_archived(&mut w.tx, &id, Some(now)).await?
        }
        Some(false) if row.archived_at.is_some() => {
            write::set_archived(&mut w.tx, &id, None).await?
        }
        _ => {}
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "role.updated",
        ("job_role", &id),
        serde_json::to_value(&body)?,
    )
    .await?;
    let detail = detail(&mut w.tx, &id, default_rpi).await?;
    w.commit().await?;
    Ok(axum::Json(detail))
}

/// Gives the role new questions: a new version when interviews use the
/// current one (they keep it), else the current one rewritten.
#[utoipa::path(post, path = "/v1/roles/{id}/question-sets", tag = "process",
    params(("id" = String, Path, description = "Job role id")),
    request_body = NewQuestionSet,
    responses((status = 201, body = RoleDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn new_question_set(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<NewQuestionSet>,
) -> ApiResult<(StatusCode, axum::Json<RoleDetail>)> {
    caller.require_decider()?;
    let ctx = Ctx {
        now: state.clock.now(),
        actor_id: &caller.id,
        default_rpi: state.config.invitations.reviewers_per_interview,
        planning: false,
    };
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    let snap = Snapshot::load(&mut w.tx).await?;
    let r = find(&snap, &id)?;
    may_change(&mut w.tx, &caller, &id).await?;
    let mut d = export_role(r, ctx.default_rpi);
    d.retakes = body.retakes;
    d.questions = body.questions.clone();
    let mut problems = Vec::new();
    checks::role_problems(&mut problems, "", &d);
    problems.retain(|p| p.path.starts_with("question") || p.path == "retakes");
    checks::refuse(problems)?;
    let mut out = Outcome::default();
    reconcile::questions(
        &mut w.tx,
        &ctx,
        r,
        (body.retakes, &body.questions),
        &mut out,
    )
    .await?;
    let detail = detail(&mut w.tx, &id, ctx.default_rpi).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(detail)))
}

/// Checks `user_ids`: each an active user of one of `allowed`, once.
async fn members(
    conn: &mut sqlx::AnyConnection,
    ids: &[String],
    allowed: &[UserRole],
) -> ApiResult<Vec<String>> {
    if ids.len() > MEMBERS_MAX {
        return Err(ApiError::invalid(
            "user_ids",
            format!(
                "user_ids holds {} ids; the limit is {MEMBERS_MAX}",
                ids.len()
            ),
        ));
    }
    let mut unique: Vec<String> = Vec::new();
    for (i, uid) in ids.iter().enumerate() {
        let field = format!("user_ids[{i}]");
        check_text(&field, uid)?;
        let u = users::by_id(conn, uid).await?;
        let Some(u) = u else {
            return Err(ApiError::invalid(
                &field,
                format!("{field}: no user {uid:?}"),
            ));
        };
        if u.deactivated_at.is_some() {
            return Err(ApiError::invalid(
                &field,
                format!("{field}: {} is deactivated", u.name),
            ));
        }
        if !UserRole::parse(&u.role).is_some_and(|r| allowed.contains(&r)) {
            let want: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            return Err(ApiError::invalid(
                &field,
                format!(
                    "{field}: {} is a {}, not a {}",
                    u.name,
                    u.role,
                    want.join(" or ")
                ),
            ));
        }
        if !unique.contains(uid) {
            unique.push(uid.clone());
        }
    }
    Ok(unique)
}

async fn replace_members(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: &RoleMembers,
    recruiters: bool,
) -> ApiResult<RoleDetail> {
    caller.require_decider()?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    if roles::view::by_id(&mut w.tx, id).await?.is_none() {
        return Err(ApiError::not_found(format!("no job role {id:?}")).with_field("id"));
    }
    may_change(&mut w.tx, caller, id).await?;
    let (allowed, action): (&[UserRole], _) = if recruiters {
        (
            &[UserRole::Recruiter, UserRole::Admin],
            "role.recruiters_changed",
        )
    } else {
        (&[UserRole::Reviewer], "role.reviewers_changed")
    };
    let ids = members(&mut w.tx, &body.user_ids, allowed).await?;
    if recruiters {
        write::replace_recruiters(&mut w.tx, now, id, &ids).await?;
    } else {
        roles::replace_reviewers(&mut w.tx, now, id, &ids).await?;
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        action,
        ("job_role", id),
        serde_json::json!({"user_ids": ids}),
    )
    .await?;
    let d = detail(
        &mut w.tx,
        id,
        state.config.invitations.reviewers_per_interview,
    )
    .await?;
    w.commit().await?;
    Ok(d)
}

/// Replaces the role's reviewer pool (active reviewers, by user id).
#[utoipa::path(put, path = "/v1/roles/{id}/reviewers", tag = "process",
    params(("id" = String, Path, description = "Job role id")),
    request_body = RoleMembers,
    responses((status = 200, body = RoleDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_reviewers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RoleMembers>,
) -> ApiResult<axum::Json<RoleDetail>> {
    Ok(axum::Json(
        replace_members(&state, &caller, &id, &body, false).await?,
    ))
}

/// Replaces the recruiters who own the role (active recruiters or admins,
/// by user id).
#[utoipa::path(put, path = "/v1/roles/{id}/recruiters", tag = "process",
    params(("id" = String, Path, description = "Job role id")),
    request_body = RoleMembers,
    responses((status = 200, body = RoleDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_recruiters(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RoleMembers>,
) -> ApiResult<axum::Json<RoleDetail>> {
    Ok(axum::Json(
        replace_members(&state, &caller, &id, &body, true).await?,
    ))
}
