//! The events the platform raises, each built from the rows of the
//! transaction that raises it (so the payload is what was committed).

use takes_api::{
    CandidateDecisionData, DecisionAction, InterviewReviewedData, QuestionAggregate,
    ReviewSubmittedData, WebhookEventType, WebhookUser,
};

use super::outbox::{self, interview_stream, next_seq, NewEvent};
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::store::webhooks::events as store;

pub use crate::store::webhooks::events::{subject, Subject};

/// Raises `review.submitted` for a just-submitted assignment and, when it
/// was the last of its interview, `interview.reviewed`. Call inside the
/// submitting transaction, after the assignment row is updated.
pub async fn review_submitted(
    conn: &mut sqlx::AnyConnection,
    config: &crate::config::ServerConfig,
    now: Millis,
    assignment_id: &str,
) -> ApiResult<()> {
    let (interview_id, reviewer) = store::assignment_reviewer(conn, assignment_id).await?;
    let stream = interview_stream(&interview_id);
    // First, before reading anything: the stream lock makes a concurrent
    // last-two submits see each other, so exactly one of them raises
    // `interview.reviewed` (READ COMMITTED reads afresh per statement).
    let seq = next_seq(conn, &stream).await?;
    let subject = subject(conn, &interview_id).await?;
    let scores = store::assignment_scores(conn, assignment_id).await?;
    let (assigned, submitted) = store::review_counts(conn, &interview_id).await?;
    let data = ReviewSubmittedData {
        interview_id: interview_id.clone(),
        assignment_id: assignment_id.to_string(),
        candidate: subject.candidate.clone(),
        role: subject.role.clone(),
        reviewer,
        submitted_at: rfc3339(now),
        scores,
        reviewers_assigned: assigned,
        reviewers_submitted: submitted,
    };
    outbox::record(
        conn,
        NewEvent {
            kind: WebhookEventType::ReviewSubmitted,
            interview_id: Some(interview_id.clone()),
            order: Some((stream.clone(), seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await?;
    if submitted == assigned {
        let seq = next_seq(conn, &stream).await?;
        let (reviewers, questions, overall_mean) =
            aggregate(conn, &interview_id, &subject.question_set_id).await?;
        let data = InterviewReviewedData {
            interview_id: interview_id.clone(),
            candidate: subject.candidate,
            role: subject.role,
            reviewers,
            questions,
            overall_mean,
            reviewed_at: rfc3339(now),
            results_url: results_url(
                conn,
                config,
                WebhookEventType::InterviewReviewed,
                &interview_id,
                now,
            )
            .await?,
        };
        outbox::record(
            conn,
            NewEvent {
                kind: WebhookEventType::InterviewReviewed,
                interview_id: Some(interview_id),
                order: Some((stream, seq)),
                data: serde_json::to_value(&data)?,
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// The submitted reviewers of an interview and the per-question aggregate
/// of their ratings; drafts are never included.
pub async fn aggregate(
    conn: &mut sqlx::AnyConnection,
    interview_id: &str,
    question_set_id: &str,
) -> ApiResult<(Vec<WebhookUser>, Vec<QuestionAggregate>, Option<f64>)> {
    let reviewers = store::submitted_reviewers(conn, interview_id).await?;
    let ratings = store::submitted_ratings(conn, interview_id).await?;
    let questions = store::questions(conn, question_set_id).await?;
    let mut out = Vec::with_capacity(questions.len());
    let mut all = Vec::new();
    for q in questions {
        let rs: Vec<i64> = ratings
            .iter()
            .filter(|(qid, _)| *qid == q.id)
            .map(|&(_, r)| r)
            .collect();
        all.extend_from_slice(&rs);
        let pass_score = q.pass_score;
        let (min, max) = (rs.iter().min().copied(), rs.iter().max().copied());
        out.push(QuestionAggregate {
            question_id: q.id,
            position: q.position,
            prompt: q.prompt,
            competency: q.competency,
            scale_min: q.scale_min,
            scale_max: q.scale_max,
            pass_score,
            mean: mean(&rs),
            median: median(&rs),
            min,
            max,
            spread: min.zip(max).map(|(lo, hi)| hi - lo),
            passes: rs.iter().filter(|&&r| r >= pass_score).count() as i64,
            ratings: rs,
        });
    }
    Ok((reviewers, out, mean(&all)))
}

pub fn mean(xs: &[i64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<i64>() as f64 / xs.len() as f64)
}

pub fn median(xs: &[i64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// Raises `candidate.advanced`, `candidate.rejected` or `candidate.held` for
/// a decision inserted by the calling transaction; returns the event id.
pub async fn decision_recorded(
    conn: &mut sqlx::AnyConnection,
    now: Millis,
    decision_id: &str,
) -> ApiResult<String> {
    let d = store::decision(conn, decision_id).await?;
    let interview_id = d.interview_id;
    let action = DecisionAction::parse(&d.action)
        .ok_or_else(|| ApiError::internal(format!("stored decision {:?} is unknown", d.action)))?;
    let stream = interview_stream(&interview_id);
    let seq = next_seq(conn, &stream).await?;
    let subject = subject(conn, &interview_id).await?;
    let data = CandidateDecisionData {
        decision_id: decision_id.to_string(),
        interview_id: interview_id.clone(),
        candidate: subject.candidate,
        role: subject.role,
        action,
        reason: d.reason,
        decided_by: d.decided_by,
        decided_at: rfc3339(d.decided_at),
    };
    outbox::record(
        conn,
        NewEvent {
            kind: WebhookEventType::for_decision(action),
            interview_id: Some(interview_id),
            order: Some((stream, seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await
}

/// The interview's system results link for an event of `kind`, made only
/// when some endpoint listens for that event (a link nobody is sent is not
/// made).
pub async fn results_url(
    conn: &mut sqlx::AnyConnection,
    config: &crate::config::ServerConfig,
    kind: WebhookEventType,
    interview_id: &str,
    now: Millis,
) -> ApiResult<Option<String>> {
    let mut listened = false;
    for (_, types) in crate::store::webhooks::active_subscriptions(conn).await? {
        listened |= outbox::subscribes(&types, kind)?;
    }
    if !listened {
        return Ok(None);
    }
    crate::api::share_links::system::url(conn, config, interview_id, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 2, 3]), Some(2.5));
        assert_eq!(mean(&[1, 2]), Some(1.5));
    }
}
