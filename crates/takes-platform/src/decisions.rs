//! Deciding about a candidate, for the single and the bulk endpoints alike:
//! who may (admins, and the recruiters of the interview's role), when a
//! decision is final (advance and reject are; a hold keeps the question
//! open), and what one sets in motion in the same transaction (the audit
//! entry, the webhook event for the ATS, the rejection email).

use sqlx::AnyConnection;
use takes_api::{Decision, DecisionAction, UserRole};

use crate::auth::Caller;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::board::writes;
use crate::store::{audit, decisions};

const REASON_MAX_CHARS: usize = 2_000;

/// The reason as stored: trimmed, `None` when blank, refused when too long
/// or not text.
pub fn reason_of(reason: Option<String>) -> ApiResult<Option<String>> {
    let reason = reason
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
    Ok(reason)
}

/// Whether the caller may decide one interview.
pub enum Access {
    Unknown,
    Forbidden,
    Allowed,
}

/// Locks the interview's row (two decisions of one interview serialise)
/// and says whether the caller may decide it.
pub async fn access(conn: &mut AnyConnection, caller: &Caller, id: &str) -> ApiResult<Access> {
    let Some(role) = writes::lock_interview(conn, id).await? else {
        return Ok(Access::Unknown);
    };
    if caller.role == UserRole::Admin || writes::recruits_for(conn, &caller.id, &role).await? {
        Ok(Access::Allowed)
    } else {
        Ok(Access::Forbidden)
    }
}

/// 409 naming the decision when the interview was already advanced or
/// rejected.
pub async fn refuse_if_final(conn: &mut AnyConnection, id: &str) -> ApiResult<()> {
    match decisions::latest(conn, id).await? {
        Some(d) if d.action != DecisionAction::Hold => Err(ApiError::conflict(format!(
            "interview {id:?} was already decided: {} by {} at {} (decision {}); nothing was decided",
            d.action.as_str(),
            d.decided_by,
            d.decided_at,
            d.id
        ))),
        _ => Ok(()),
    }
}

/// What is decided, as the request said it.
#[derive(Clone, Copy)]
pub struct Verdict<'a> {
    pub action: DecisionAction,
    pub reason: Option<&'a str>,
    /// One of several decided in one confirmation (kept in the audit log).
    pub bulk: bool,
}

/// Records the decision and everything it sets in motion.
pub async fn record(
    conn: &mut AnyConnection,
    state: &AppState,
    now: Millis,
    caller: &Caller,
    id: &str,
    verdict: &Verdict<'_>,
) -> ApiResult<Decision> {
    let Verdict {
        action,
        reason,
        bulk,
    } = *verdict;
    let decision_id = decisions::insert(conn, id, action, reason, &caller.id, now).await?;
    audit::record_by(
        conn,
        now,
        &caller.id,
        "decision.recorded",
        ("interview", id),
        serde_json::json!({"decision_id": decision_id, "action": action.as_str(),
                           "reason": reason, "bulk": bulk}),
    )
    .await?;
    let event_id = crate::webhooks::events::decision_recorded(conn, now, &decision_id).await?;
    decisions::set_event(conn, &decision_id, &event_id).await?;
    if action == DecisionAction::Reject {
        crate::invitations::rejection::enqueue(conn, state, now, id).await?;
    }
    Ok(Decision {
        id: decision_id,
        interview_id: id.to_string(),
        action,
        reason: reason.map(str::to_string),
        decided_by: caller.name.clone(),
        decided_at: rfc3339(now),
    })
}
