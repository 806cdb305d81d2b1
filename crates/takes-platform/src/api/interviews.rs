use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sqlx::Row;
use takes_api::{
    Decision, DecisionAction, DecisionRequest, InterviewPage, InterviewStatus, InterviewSummary,
    JobRoleView, Problem,
};
use utoipa::IntoParams;

use super::rows;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::audit;

const REASON_MAX_CHARS: usize = 2_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterviewParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Only interviews in this state: `invited`, `started`, `completed`, `expired`.
    status: Option<String>,
}

/// Every interview, newest invitation first, with review progress and the
/// latest decision (recruiters and admins).
#[utoipa::path(get, path = "/v1/interviews", tag = "decisions", params(InterviewParams),
    responses((status = 200, body = InterviewPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InterviewParams>,
) -> ApiResult<axum::Json<InterviewPage>> {
    caller.require_decider()?;
    let limit = cursor::limit(params.limit)?;
    let status = match params.status.as_deref() {
        None | Some("") => String::new(),
        Some(s) => InterviewStatus::parse(s)
            .ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    format!("status {s:?} is not one of invited, started, completed, expired"),
                )
            })?
            .as_str()
            .to_string(),
    };
    let (before_at, before_id) = match params.cursor.as_deref() {
        Some(c) if !c.is_empty() => cursor::decode(c)?,
        _ => (i64::MAX, String::from("\u{10FFFF}")),
    };
    let rows = sqlx::query(
        "SELECT i.id, i.status, i.invited_at, i.expires_at, i.completed_at, c.name, r.title, r.department, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.status = 'submitted') AS submitted, \
           (SELECT CAST(AVG(CAST(s.rating AS DOUBLE PRECISION)) AS DOUBLE PRECISION) FROM scores s \
              JOIN assignments a ON a.id = s.assignment_id \
              WHERE a.interview_id = i.id AND a.status = 'submitted') AS mean_rating \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE ($1 = '' OR i.status = $1) AND (i.invited_at < $2 OR (i.invited_at = $2 AND i.id < $3)) \
         ORDER BY i.invited_at DESC, i.id DESC LIMIT $4",
    )
    .bind(&status)
    .bind(before_at)
    .bind(&before_id)
    .bind(limit + 1)
    .fetch_all(&state.db.pool)
    .await?;
    let mut items = Vec::new();
    for row in rows.iter().take(limit as usize) {
        let id: String = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        items.push(InterviewSummary {
            decision: latest_decision(&state, &id).await?,
            candidate: rows::candidate(row.try_get("name")?, String::new(), true),
            role: JobRoleView {
                title: row.try_get("title")?,
                department: row.try_get("department")?,
            },
            status: InterviewStatus::parse(&status).ok_or_else(|| {
                ApiError::internal(format!("stored interview status {status:?} is unknown"))
            })?,
            invited_at: rfc3339(row.try_get("invited_at")?),
            expires_at: rfc3339(row.try_get("expires_at")?),
            completed_at: row.try_get::<Option<i64>, _>("completed_at")?.map(rfc3339),
            reviewers_assigned: row.try_get("assigned")?,
            reviewers_submitted: row.try_get("submitted")?,
            mean_rating: row.try_get("mean_rating")?,
            id,
        });
    }
    let next_cursor = if rows.len() > limit as usize {
        match rows.get(limit as usize - 1) {
            Some(last) => Some(cursor::encode(
                last.try_get("invited_at")?,
                &last.try_get::<String, _>("id")?,
            )),
            None => None,
        }
    } else {
        None
    };
    Ok(axum::Json(InterviewPage { items, next_cursor }))
}

async fn latest_decision(state: &AppState, interview_id: &str) -> ApiResult<Option<Decision>> {
    let row = sqlx::query(
        "SELECT d.id, d.action, d.reason, u.name, d.decided_at FROM decisions d JOIN users u ON u.id = d.decided_by \
         WHERE d.interview_id = $1 ORDER BY d.decided_at DESC, d.id DESC LIMIT 1",
    )
    .bind(interview_id)
    .fetch_optional(&state.db.pool)
    .await?;
    row.map(|row| decision(&row, interview_id)).transpose()
}

fn decision(row: &sqlx::any::AnyRow, interview_id: &str) -> ApiResult<Decision> {
    let action: String = row.try_get("action")?;
    Ok(Decision {
        id: row.try_get("id")?,
        interview_id: interview_id.to_string(),
        action: DecisionAction::parse(&action)
            .ok_or_else(|| ApiError::internal(format!("stored decision {action:?} is unknown")))?,
        reason: row.try_get("reason")?,
        decided_by: row.try_get("name")?,
        decided_at: rfc3339(row.try_get("decided_at")?),
    })
}

/// Advances, rejects or holds the candidate (recruiters and admins).
#[utoipa::path(post, path = "/v1/interviews/{id}/decision", tag = "decisions",
    params(("id" = String, Path, description = "Interview id")),
    request_body = DecisionRequest,
    responses((status = 201, body = Decision), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<DecisionRequest>,
) -> ApiResult<(StatusCode, axum::Json<Decision>)> {
    caller.require_decider()?;
    let reason = body
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if let Some(r) = &reason {
        crate::extract::check_text("reason", r)?;
        let n = r.chars().count();
        if n > REASON_MAX_CHARS {
            return Err(ApiError::invalid(
                "reason",
                format!("reason has {n} characters; the limit is {REASON_MAX_CHARS}"),
            ));
        }
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    sqlx::query("SELECT id FROM interviews WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no interview {id:?}")).with_field("id"))?;
    let decision_id = new_id();
    sqlx::query("INSERT INTO decisions (id, interview_id, action, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&decision_id)
        .bind(&id)
        .bind(body.action.as_str())
        .bind(reason.clone())
        .bind(&caller.id)
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "decision.recorded",
            entity_type: "interview",
            entity_id: &id,
            detail: serde_json::json!({"decision_id": decision_id, "action": body.action.as_str(), "reason": reason}),
        },
    )
    .await?;
    crate::webhooks::events::decision_recorded(&mut w.tx, now, &decision_id).await?;
    if body.action == DecisionAction::Reject {
        crate::invitations::rejection::enqueue(&mut w.tx, &state, now, &id).await?;
    }
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Decision {
            id: decision_id,
            interview_id: id,
            action: body.action,
            reason,
            decided_by: caller.name,
            decided_at: rfc3339(now),
        }),
    ))
}
