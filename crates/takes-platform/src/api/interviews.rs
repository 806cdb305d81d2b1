use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use takes_api::{Decision, DecisionRequest, InterviewPage, InterviewStatus, Problem};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::decisions::{self as deciding, Access};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use crate::store::interviews;
use crate::store::page::PageRequest;

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
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<DecisionRequest>,
) -> ApiResult<(StatusCode, axum::Json<Decision>)> {
    caller.require_decider()?;
    let reason = deciding::reason_of(body.reason)?;
    let now = state.clock.now();
    let verdict = deciding::Verdict {
        action: body.action,
        reason: reason.as_deref(),
        bulk: false,
    };
    let mut w = state.db.begin_write().await?;
    match deciding::access(&mut w.tx, &caller, &id).await? {
        Access::Unknown => {
            return Err(ApiError::not_found(format!("no interview {id:?}")).with_field("id"))
        }
        Access::Forbidden => {
            return Err(ApiError::forbidden(format!(
                "{} does not recruit for the role of interview {id:?}",
                caller.name
            )))
        }
        Access::Allowed => {}
    }
    deciding::refuse_if_final(&mut w.tx, &id).await?;
    let decision = deciding::record(&mut w.tx, &state, now, &caller, &id, &verdict).await?;
    w.commit().await?;
    state.webhooks.wake();
    Ok((StatusCode::CREATED, axum::Json(decision)))
}
