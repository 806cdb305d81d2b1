//! Transcriptions that failed, for the people who can fix the engine.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use takes_api::{Problem, TranscriptFailure};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;
use crate::store::transcripts;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FailuresQuery {
    /// At most this many, newest first (1 to 500; default 100).
    pub limit: Option<i64>,
}

/// Transcriptions that failed for good (`state = failed`) or whose last
/// attempt failed and that are being retried (`state = pending`), newest
/// first. Recruiters and admins.
#[utoipa::path(get, path = "/v1/transcripts/failures", tag = "media",
    params(FailuresQuery),
    responses((status = 200, body = Vec<TranscriptFailure>),
              (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn failures(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FailuresQuery>,
) -> ApiResult<Json<Vec<TranscriptFailure>>> {
    caller.require_decider()?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and 500, not {limit}"),
        ));
    }
    let rows = transcripts::failures(&state.db, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|f| TranscriptFailure {
                response_id: f.response_id,
                interview_id: f.interview_id,
                state: f.state,
                attempts: f.attempts,
                reason: f.last_error,
                engine: f.engine,
                next_attempt_at: f.next_attempt_at.map(rfc3339),
                updated_at: rfc3339(f.updated_at),
            })
            .collect(),
    ))
}
