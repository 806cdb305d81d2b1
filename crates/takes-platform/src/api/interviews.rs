use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use takes_api::{
    Decision, DecisionAction, DecisionRequest, InterviewPage, InterviewStatus, Problem,
};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use crate::store::page::PageRequest;
use crate::store::{audit, decisions, interviews};

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
    PageRequest::check_limit(params.limit)?;
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
    let page = PageRequest::descending(params.limit, params.cursor.as_deref())?;
    let mut conn = state.db.pool.acquire().await?;
    let page = interviews::list(&mut conn, &status, &page).await?;
    Ok(axum::Json(page))
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
    if !interviews::exists(&mut w.tx, &id).await? {
        return Err(ApiError::not_found(format!("no interview {id:?}")).with_field("id"));
    }
    let decision_id = decisions::insert(
        &mut w.tx,
        &id,
        body.action,
        reason.as_deref(),
        &caller.id,
        now,
    )
    .await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "decision.recorded",
        ("interview", &id),
        serde_json::json!({"decision_id": decision_id, "action": body.action.as_str(), "reason": reason}),
    )
    .await?;
    let event_id = crate::webhooks::events::decision_recorded(&mut w.tx, now, &decision_id).await?;
    decisions::set_event(&mut w.tx, &decision_id, &event_id).await?;
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
