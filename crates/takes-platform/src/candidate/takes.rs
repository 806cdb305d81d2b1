//! Starting a take: the page asks before every recording of a question,
//! so the server counts each one against the retake allowance, whether or
//! not it is ever uploaded. A resumable upload must belong to a started
//! take; a whole-body upload starts its own (see [`super::upload`]).
//! Every start is audited (`candidate.take_started`).

use takes_api::CandidateTake;

use super::access::CandidateAccess;
use super::upload::no_retakes_left;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::audit;
use crate::store::invitations::takes;

/// Starts one take of `question_id`; 409 naming `question_id` when the
/// allowance (the first take and the retakes) is used up.
pub async fn start(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
) -> ApiResult<CandidateTake> {
    let now = state.clock.now();
    access.ensure_open(now)?;
    let terms = super::terms::require(state, access, question_id).await?;
    let mut w = state.db.begin_write().await?;
    super::access::ensure_consented(&mut w.tx, &access.interview_id).await?;
    let started = takes::start(
        &mut w.tx,
        &access.interview_id,
        question_id,
        terms.retakes_allowed + 1,
        now,
    )
    .await?
    .ok_or_else(|| no_retakes_left(terms.retakes_allowed))?;
    let retakes_left = (terms.retakes_allowed + 1 - started).max(0);
    // In the same transaction: a take the log does not show was never
    // counted either. The candidate is no user: the actor is the
    // invitation (the interview its secret opens).
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: None,
            action: "candidate.take_started",
            entity_type: "interview",
            entity_id: &access.interview_id,
            detail: serde_json::json!({
                "by": "candidate invitation",
                "invitation": access.interview_id,
                "question_id": question_id,
                "take": started,
                "retakes_left": retakes_left,
            }),
        },
    )
    .await?;
    w.commit().await?;
    Ok(CandidateTake {
        question_id: question_id.to_string(),
        takes_started: started,
        retakes_used: started - 1,
        retakes_left,
    })
}
