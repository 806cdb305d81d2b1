//! Deciding about a candidate, for the single and the bulk endpoints alike:
//! who may (admins, and the recruiters of the interview's role), when a
//! decision is final (advance and reject are; a hold keeps the question
//! open), and what one sets in motion in the same transaction (the audit
//! entry, the webhook event for the ATS, the rejection email).

use sqlx::AnyConnection;
use takes_api::{
    Decision, DecisionAction, DecisionMadeData, DecisionQuestionScore, DecisionScores, UserRole,
    WebhookEventType, WebhookUser,
};

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
    if let Some(made) = decision_made(conn, state, now, caller, &decision_id, id, verdict).await? {
        decisions::set_made_event(conn, &decision_id, &made).await?;
    }
    crate::ats::lever::writeback::after_decision(conn, state, now, id, &decision_id, action)
        .await?;
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

/// Raises `decision.made` for a decision the calling transaction inserted:
/// one per decision whatever the action, after its `candidate.*` event in
/// the interview's stream. Only endpoints that name it receive it, so it
/// is not written while none does. Returns the event id.
async fn decision_made(
    conn: &mut AnyConnection,
    state: &AppState,
    now: Millis,
    caller: &Caller,
    decision_id: &str,
    interview_id: &str,
    verdict: &Verdict<'_>,
) -> ApiResult<Option<String>> {
    use crate::webhooks::{events, outbox};
    let mut listened = false;
    for (_, types) in crate::store::webhooks::active_subscriptions(conn).await? {
        listened |= outbox::subscribes(&types, WebhookEventType::DecisionMade)?;
    }
    if !listened {
        return Ok(None);
    }
    let stream = outbox::interview_stream(interview_id);
    let seq = outbox::next_seq(conn, &stream).await?;
    let subject = events::subject(conn, interview_id).await?;
    let (reviewers_assigned, reviewers_submitted) =
        crate::store::webhooks::events::review_counts(conn, interview_id).await?;
    let (_, questions, overall_mean) =
        events::aggregate(conn, interview_id, &subject.question_set_id).await?;
    let results_url =
        crate::api::share_links::system::url(conn, &state.config, interview_id, now).await?;
    let data = DecisionMadeData {
        decision_id: decision_id.to_string(),
        interview_id: interview_id.to_string(),
        candidate: subject.candidate,
        role: subject.role,
        decision: verdict.action,
        reason: verdict.reason.map(str::to_string),
        decided_by: WebhookUser {
            id: caller.id.clone(),
            name: caller.name.clone(),
        },
        decided_at: rfc3339(now),
        scores: DecisionScores {
            reviewers_assigned,
            reviewers_submitted,
            overall_mean,
            questions: questions
                .into_iter()
                .map(|q| DecisionQuestionScore {
                    question_id: q.question_id,
                    position: q.position,
                    competency: q.competency,
                    pass_score: q.pass_score,
                    mean: q.mean,
                    min: q.min,
                    max: q.max,
                    spread: q.spread,
                })
                .collect(),
        },
        results_url,
    };
    outbox::record(
        conn,
        outbox::NewEvent {
            kind: WebhookEventType::DecisionMade,
            interview_id: Some(interview_id.to_string()),
            order: Some((stream, seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await
    .map(Some)
}
