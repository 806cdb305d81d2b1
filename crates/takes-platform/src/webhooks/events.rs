//! The events the platform raises, each built from the rows of the
//! transaction that raises it (so the payload is what was committed).

use sqlx::Row;
use takes_api::{
    CandidateDecisionData, DecisionAction, InterviewReviewedData, QuestionAggregate,
    ReviewSubmittedData, WebhookCandidate, WebhookEventType, WebhookJobRole, WebhookScore,
    WebhookUser,
};

use super::outbox::{self, interview_stream, next_seq, NewEvent};
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};

/// Who and what an interview is about.
pub struct Subject {
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub question_set_id: String,
}

pub async fn subject(conn: &mut sqlx::AnyConnection, interview_id: &str) -> ApiResult<Subject> {
    let row = sqlx::query(
        "SELECT c.id AS candidate_id, c.name, c.email, r.id AS role_id, r.title, r.department, \
                i.question_set_id \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id WHERE i.id = $1",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no interview {interview_id:?}")))?;
    Ok(Subject {
        candidate: WebhookCandidate {
            id: row.try_get("candidate_id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
        },
        role: WebhookJobRole {
            id: row.try_get("role_id")?,
            title: row.try_get("title")?,
            department: row.try_get("department")?,
        },
        question_set_id: row.try_get("question_set_id")?,
    })
}

/// Raises `review.submitted` for a just-submitted assignment and, when it
/// was the last of its interview, `interview.reviewed`. Call inside the
/// submitting transaction, after the assignment row is updated.
pub async fn review_submitted(
    conn: &mut sqlx::AnyConnection,
    now: Millis,
    assignment_id: &str,
) -> ApiResult<()> {
    let a = sqlx::query(
        "SELECT a.interview_id, a.reviewer_id, u.name FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.id = $1",
    )
    .bind(assignment_id)
    .fetch_one(&mut *conn)
    .await?;
    let interview_id: String = a.try_get("interview_id")?;
    let stream = interview_stream(&interview_id);
    // First, before reading anything: the stream lock makes a concurrent
    // last-two submits see each other, so exactly one of them raises
    // `interview.reviewed` (READ COMMITTED reads afresh per statement).
    let seq = next_seq(conn, &stream).await?;
    let subject = subject(conn, &interview_id).await?;
    let rows = sqlx::query(
        "SELECT q.id, q.position, q.competency, s.rating, s.muted_rating, s.note \
         FROM scores s JOIN questions q ON q.id = s.question_id \
         WHERE s.assignment_id = $1 ORDER BY q.position",
    )
    .bind(assignment_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut scores = Vec::with_capacity(rows.len());
    for r in &rows {
        scores.push(WebhookScore {
            question_id: r.try_get("id")?,
            position: r.try_get("position")?,
            competency: r.try_get("competency")?,
            rating: r.try_get("rating")?,
            muted_rating: r.try_get("muted_rating")?,
            note: r.try_get("note")?,
        });
    }
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM assignments WHERE interview_id = $1) AS assigned, \
                (SELECT COUNT(*) FROM assignments WHERE interview_id = $1 AND status = 'submitted') AS submitted",
    )
    .bind(&interview_id)
    .fetch_one(&mut *conn)
    .await?;
    let assigned: i64 = counts.try_get("assigned")?;
    let submitted: i64 = counts.try_get("submitted")?;
    let data = ReviewSubmittedData {
        interview_id: interview_id.clone(),
        assignment_id: assignment_id.to_string(),
        candidate: subject.candidate.clone(),
        role: subject.role.clone(),
        reviewer: WebhookUser {
            id: a.try_get("reviewer_id")?,
            name: a.try_get("name")?,
        },
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
    let reviewers = sqlx::query(
        "SELECT u.id, u.name FROM assignments a JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status = 'submitted' ORDER BY u.name, u.id",
    )
    .bind(interview_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(WebhookUser {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let ratings = sqlx::query(
        "SELECT s.question_id, s.rating FROM scores s JOIN assignments a ON a.id = s.assignment_id \
         JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status = 'submitted' ORDER BY u.name, u.id",
    )
    .bind(interview_id)
    .fetch_all(&mut *conn)
    .await?;
    let questions = sqlx::query(
        "SELECT id, position, prompt, competency, scale_min, scale_max, pass_score FROM questions \
         WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(question_set_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(questions.len());
    let mut all = Vec::new();
    for q in &questions {
        let qid: String = q.try_get("id")?;
        let mut rs = Vec::new();
        for r in &ratings {
            if r.try_get::<String, _>("question_id")? == qid {
                rs.push(r.try_get::<i64, _>("rating")?);
            }
        }
        all.extend_from_slice(&rs);
        let pass_score: i64 = q.try_get("pass_score")?;
        let (min, max) = (rs.iter().min().copied(), rs.iter().max().copied());
        out.push(QuestionAggregate {
            question_id: qid,
            position: q.try_get("position")?,
            prompt: q.try_get("prompt")?,
            competency: q.try_get("competency")?,
            scale_min: q.try_get("scale_min")?,
            scale_max: q.try_get("scale_max")?,
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
/// a decision inserted by the calling transaction.
pub async fn decision_recorded(
    conn: &mut sqlx::AnyConnection,
    now: Millis,
    decision_id: &str,
) -> ApiResult<()> {
    let d = sqlx::query(
        "SELECT d.interview_id, d.action, d.reason, d.decided_at, u.id AS user_id, u.name \
         FROM decisions d JOIN users u ON u.id = d.decided_by WHERE d.id = $1",
    )
    .bind(decision_id)
    .fetch_one(&mut *conn)
    .await?;
    let interview_id: String = d.try_get("interview_id")?;
    let action: String = d.try_get("action")?;
    let action = DecisionAction::parse(&action)
        .ok_or_else(|| ApiError::internal(format!("stored decision {action:?} is unknown")))?;
    let stream = interview_stream(&interview_id);
    let seq = next_seq(conn, &stream).await?;
    let subject = subject(conn, &interview_id).await?;
    let data = CandidateDecisionData {
        decision_id: decision_id.to_string(),
        interview_id: interview_id.clone(),
        candidate: subject.candidate,
        role: subject.role,
        action,
        reason: d.try_get("reason")?,
        decided_by: WebhookUser {
            id: d.try_get("user_id")?,
            name: d.try_get("name")?,
        },
        decided_at: rfc3339(d.try_get("decided_at")?),
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
    .await?;
    Ok(())
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
