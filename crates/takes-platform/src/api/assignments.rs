//! A reviewer's assignment: the interview to review, their scores (written
//! through the one idempotent score write), the submit that locks them, and
//! the panel that opens afterwards.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use takes_api::{
    AssignmentDetail, AssignmentStatus, JobRoleView, Panel, Problem, Score, ScoreWrite, Sheet,
    SubmitReceipt,
};

use super::idempotency::score::{self, Begun, Slot};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::assignments::{self as store, OwnAssignment};
use crate::store::audit;

/// The caller's assignment `id`; someone else's is answered as missing so
/// ids of other reviewers' work cannot be probed.
async fn own(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<OwnAssignment> {
    store::own(conn, &caller.id, id)
        .await?
        .ok_or_else(|| not_in_queue(id))
}

/// [`own`], holding the assignment row for the rest of the transaction
/// (see [`store::own_for_update`]).
async fn own_for_update(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<OwnAssignment> {
    store::own_for_update(conn, &caller.id, id)
        .await?
        .ok_or_else(|| not_in_queue(id))
}

fn not_in_queue(id: &str) -> ApiError {
    ApiError::not_found(format!("no assignment {id:?} in your queue")).with_field("id")
}

/// The interview to review: questions with rubrics and responses, and the
/// caller's own scores.
#[utoipa::path(get, path = "/v1/assignments/{id}", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = AssignmentDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AssignmentDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    let own = own(&mut conn, &caller, &id).await?;
    let head = store::head(&mut conn, &own.id).await?;
    let questions =
        store::questions_with_responses(&mut conn, &own.interview_id, &own.question_set_id).await?;
    let my_scores = store::scores(&mut conn, &own.id).await?;
    let version = crate::store::roles::view::set_version(&mut conn, &own.question_set_id).await?;
    Ok(axum::Json(AssignmentDetail {
        id: own.id,
        interview_id: own.interview_id,
        status: own.status,
        candidate: store::candidate_view(
            head.name,
            head.pseudonym,
            own.status == AssignmentStatus::Submitted,
        ),
        role: JobRoleView {
            title: head.title,
            department: head.department,
        },
        due_at: rfc3339(own.due_at),
        submitted_at: own.submitted_at.map(rfc3339),
        question_set_version: version,
        questions,
        my_scores,
    }))
}

/// Records (or replaces) the caller's score for one question. With an
/// `Idempotency-Key`, a repeated request stores nothing new and gets the
/// first answer back.
#[utoipa::path(put, path = "/v1/assignments/{id}/scores/{question_id}", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id"),
           ("question_id" = String, Path, description = "Question id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first answer")),
    request_body = ScoreWrite,
    responses((status = 200, body = Score), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_score(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, question_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<ScoreWrite>,
) -> ApiResult<Response> {
    let sheet = Sheet::assignment(&id);
    let mut put = match score::begin(&state, &caller, sheet, &question_id, &headers, &body).await? {
        Begun::Replay(answer) => return Ok(answer),
        Begun::Fresh(put) => put,
    };
    // Held until this write commits, so a concurrent submit either sees
    // this score or has locked the assignment before it is read here.
    let own = own_for_update(&mut put.w.tx, &caller, &id).await?;
    if own.status == AssignmentStatus::Submitted {
        return Err(ApiError::conflict(format!(
            "assignment {id} was submitted at {}; its scores are locked",
            own.submitted_at.map(rfc3339).unwrap_or_default()
        )));
    }
    let slot = store::score_slot(
        &mut put.w.tx,
        &own.interview_id,
        &own.question_set_id,
        &question_id,
    )
    .await?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "question {question_id:?} is not part of assignment {id}"
        ))
        .with_field("question_id")
    })?;
    let slot = Slot {
        scale: slot.scale,
        duration_s: slot.duration_ms.map(|ms| ms as f64 / 1000.0),
        pending: own.status == AssignmentStatus::Pending,
    };
    put.finish(slot, body).await
}

/// Locks the caller's scores. Every question must be scored first.
#[utoipa::path(post, path = "/v1/assignments/{id}/submit", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = SubmitReceipt), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SubmitReceipt>> {
    let mut w = state.db.begin_write().await?;
    let own = own_for_update(&mut w.tx, &caller, &id).await?;
    // Read only once the row is held: every score write that got the row
    // first has committed by now, with an earlier `updated_at`.
    let now = state.clock.now();
    if own.status == AssignmentStatus::Submitted {
        return Err(already_submitted(&id, own.submitted_at));
    }
    let unscored = store::unscored_positions(&mut w.tx, &own.question_set_id, &own.id).await?;
    if !unscored.is_empty() {
        return Err(ApiError::conflict(format!(
            "cannot submit: question{} {} not scored yet",
            if unscored.len() == 1 { "" } else { "s" },
            positions(&unscored)
        )));
    }
    if !store::mark_submitted(&mut w.tx, &own.id, now).await? {
        // Unreachable while the row is held above; kept so that a submit
        // can never raise its events twice, whatever the locking.
        return Err(already_submitted(&id, None));
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "assignment.submitted",
        ("assignment", &own.id),
        serde_json::json!({"interview_id": own.interview_id}),
    )
    .await?;
    crate::webhooks::events::review_submitted(&mut w.tx, &state.config, now, &own.id).await?;
    crate::ats::lever::writeback::after_review(&mut w.tx, &state, now, &own.interview_id).await?;
    w.commit().await?;
    Ok(axum::Json(SubmitReceipt {
        assignment_id: own.id,
        status: AssignmentStatus::Submitted,
        submitted_at: rfc3339(now),
    }))
}

fn already_submitted(id: &str, at: Option<i64>) -> ApiError {
    match at {
        Some(at) => ApiError::conflict(format!(
            "assignment {id} was already submitted at {}",
            rfc3339(at)
        )),
        None => ApiError::conflict(format!("assignment {id} was already submitted")),
    }
}

/// `1, 3` for a list of positions.
fn positions(positions: &[i64]) -> String {
    positions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every reviewer's submitted scores for this interview. Answers 403 until
/// the caller has submitted their own, so nobody is anchored by others.
#[utoipa::path(get, path = "/v1/assignments/{id}/panel", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = Panel), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn panel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Panel>> {
    let mut conn = state.db.pool.acquire().await?;
    let own = own(&mut conn, &caller, &id).await?;
    if own.status != AssignmentStatus::Submitted {
        return Err(ApiError::forbidden(
            "submit your own scores for this interview first; the panel stays hidden until then",
        ));
    }
    store::panel(
        &mut conn,
        &own.interview_id,
        &own.question_set_id,
        Some(&caller.id),
    )
    .await
    .map(axum::Json)
}
