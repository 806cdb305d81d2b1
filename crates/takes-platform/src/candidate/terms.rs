//! A question's terms for this candidate: the question set's time limit
//! and retake allowance plus whatever accommodations were granted. Every
//! upload path asks here, so the server enforces what the page shows.

use super::access::CandidateAccess;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accommodations::{self, Granted};
use crate::store::invitations::responses;

/// What one answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub time_limit_s: i64,
    pub retakes_allowed: i64,
    /// A recording with sound only is accepted (the role allows it, or an
    /// accommodation grants it).
    pub audio_only: bool,
}

/// The interview's accommodations.
pub async fn granted(state: &AppState, interview_id: &str) -> ApiResult<Granted> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(accommodations::get(&mut conn, interview_id).await?)
}

/// The question's terms, or `None` when it is not part of the interview.
pub async fn of_question(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
) -> ApiResult<Option<Terms>> {
    let Some((time_limit_s, retakes_allowed, role_audio_only)) =
        responses::question_terms(&state.db, question_id, &access.question_set_id).await?
    else {
        return Ok(None);
    };
    let g = granted(state, &access.interview_id).await?;
    Ok(Some(Terms {
        time_limit_s: time_limit_s + g.extra_seconds_per_question,
        retakes_allowed: retakes_allowed + g.extra_retakes,
        audio_only: role_audio_only || g.audio_only,
    }))
}

/// As [`of_question`], 404 naming the question when it is not one.
pub async fn require(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
) -> ApiResult<Terms> {
    of_question(state, access, question_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "question {question_id:?} is not part of this interview"
            ))
            .with_field("question_id")
        })
}
