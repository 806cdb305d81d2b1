//! The last answer is in: the interview is completed, routed to reviewers,
//! reported (`interview.completed`), and the candidate and hiring manager
//! are told, all in the transaction that stored the answer.

use takes_api::{InterviewCompletedData, WebhookEventType};

use crate::clock::{rfc3339, Millis};
use crate::email::outbox::{self as email_outbox, NewEmail};
use crate::email::templates::{human_time, Kind};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::audit;
use crate::store::invitations as store;
use crate::webhooks::events::subject;
use crate::webhooks::outbox::{self, interview_stream, NewEvent};

/// Completes `interview_id` if it is still open. `seq` is a number the
/// caller took from the interview's event stream (taking it locks the
/// stream, so two last answers cannot both complete). Returns whether this
/// call completed it.
pub async fn complete(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    now: Millis,
    interview_id: &str,
    seq: i64,
) -> ApiResult<bool> {
    if !store::complete(conn, interview_id, now).await? {
        return Ok(false);
    }
    let facts = store::completion_facts(conn, interview_id).await?;
    let role_id = facts.role_id;
    let (reviewers, due_at) =
        super::routing::assign(conn, &state.config.invitations, now, interview_id, &role_id)
            .await?;
    let subject = subject(conn, interview_id).await?;
    let results_url = crate::webhooks::events::results_url(
        conn,
        &state.config,
        WebhookEventType::InterviewCompleted,
        interview_id,
        now,
    )
    .await?;
    let data = InterviewCompletedData {
        interview_id: interview_id.to_string(),
        candidate: subject.candidate.clone(),
        role: subject.role.clone(),
        completed_at: rfc3339(now),
        response_count: facts.answered,
        reviewers: reviewers.clone(),
        review_due_at: (!reviewers.is_empty()).then(|| rfc3339(due_at)),
        source: facts.external_source,
        external_id: facts.external_id,
        results_url,
    };
    outbox::record(
        conn,
        NewEvent {
            kind: WebhookEventType::InterviewCompleted,
            interview_id: Some(interview_id.to_string()),
            order: Some((interview_stream(interview_id), seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await?;
    audit::record(
        conn,
        now,
        audit::Entry {
            actor_id: None,
            action: "interview.completed",
            entity_type: "interview",
            entity_id: interview_id,
            detail: serde_json::json!({
                "reviewers": reviewers.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
                "review_due_at": rfc3339(due_at),
            }),
        },
    )
    .await?;
    let email = &state.config.email;
    email_outbox::enqueue(
        conn,
        email,
        now,
        NewEmail {
            kind: Kind::Acknowledgement,
            interview_id,
            to: &subject.candidate.email,
            vars: vec![
                ("candidate_name", subject.candidate.name.clone()),
                ("role_title", subject.role.title.clone()),
                ("review_by", human_time(due_at)),
                (
                    "acknowledgement",
                    crate::candidate::acknowledgement::sentence(
                        &subject.role.title,
                        &human_time(due_at),
                    ),
                ),
                ("support_contact", email.support_contact.clone()),
            ],
            secret: None,
        },
    )
    .await?;
    if let Some(manager) = facts.hiring_manager_email.filter(|m| !m.trim().is_empty()) {
        let names: Vec<String> = reviewers.iter().map(|r| r.name.clone()).collect();
        email_outbox::enqueue(
            conn,
            email,
            now,
            NewEmail {
                kind: Kind::HiringManager,
                interview_id,
                to: &manager,
                vars: vec![
                    ("candidate_name", subject.candidate.name.clone()),
                    ("role_title", subject.role.title.clone()),
                    ("department", subject.role.department.clone()),
                    ("completed_at", human_time(now)),
                    (
                        "reviewers",
                        if names.is_empty() {
                            "none yet (the role has no reviewer pool)".into()
                        } else {
                            names.join(", ")
                        },
                    ),
                    ("review_by", human_time(due_at)),
                    ("interview_id", interview_id.to_string()),
                ],
                secret: None,
            },
        )
        .await?;
    }
    Ok(true)
}
