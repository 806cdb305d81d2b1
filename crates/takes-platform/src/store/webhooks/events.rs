//! The webhook outbox: events, their per-interview order, and the reads
//! that build an event's payload from the rows of the raising transaction.

use sqlx::AnyConnection;
use sqlx::Row;
use takes_api::{WebhookCandidate, WebhookEventType, WebhookJobRole, WebhookScore, WebhookUser};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};

/// Takes the next sequence number of `stream`. On PostgreSQL the upsert
/// row-locks the counter until the transaction ends, which also serialises
/// concurrent writers about the same interview from here on.
pub async fn next_seq(conn: &mut AnyConnection, stream: &str) -> ApiResult<i64> {
    let row = sqlx::query(
        "INSERT INTO webhook_streams (stream, last_seq) VALUES ($1, 1) \
         ON CONFLICT (stream) DO UPDATE SET last_seq = webhook_streams.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(stream)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("last_seq")?)
}

/// An event row as written.
pub struct EventRow<'a> {
    pub id: &'a str,
    pub kind: WebhookEventType,
    pub stream: Option<&'a str>,
    pub seq: Option<i64>,
    pub interview_id: Option<&'a str>,
    pub body: &'a str,
    pub at: Millis,
}

pub async fn insert(conn: &mut AnyConnection, e: EventRow<'_>) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO webhook_events (id, event_type, stream, seq, interview_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.id)
    .bind(e.kind.as_str())
    .bind(e.stream.map(str::to_string))
    .bind(e.seq)
    .bind(e.interview_id.map(str::to_string))
    .bind(e.body)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An event's type, or `None` when there is no such event.
pub async fn kind(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<WebhookEventType>> {
    let Some(row) = sqlx::query("SELECT event_type FROM webhook_events WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let kind: String = row.try_get("event_type")?;
    WebhookEventType::parse(&kind)
        .map(Some)
        .ok_or_else(|| ApiError::internal(format!("stored event type {kind:?} is unknown")))
}

/// An event's `(stream, seq)`, both `None` for an unordered event.
pub async fn order(conn: &mut AnyConnection, id: &str) -> ApiResult<(Option<String>, Option<i64>)> {
    let row = sqlx::query("SELECT stream, seq FROM webhook_events WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("stream")?, row.try_get("seq")?))
}

/// Who and what an interview is about.
pub struct Subject {
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub question_set_id: String,
}

pub async fn subject(conn: &mut AnyConnection, interview_id: &str) -> ApiResult<Subject> {
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

/// The interview and reviewer of an assignment.
pub async fn assignment_reviewer(
    conn: &mut AnyConnection,
    assignment_id: &str,
) -> ApiResult<(String, WebhookUser)> {
    let a = sqlx::query(
        "SELECT a.interview_id, a.reviewer_id, u.name FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.id = $1",
    )
    .bind(assignment_id)
    .fetch_one(conn)
    .await?;
    Ok((
        a.try_get("interview_id")?,
        WebhookUser {
            id: a.try_get("reviewer_id")?,
            name: a.try_get("name")?,
        },
    ))
}

/// The scores of an assignment, in question order.
pub async fn assignment_scores(
    conn: &mut AnyConnection,
    assignment_id: &str,
) -> ApiResult<Vec<WebhookScore>> {
    let rows = sqlx::query(
        "SELECT q.id, q.position, q.competency, s.rating, s.muted_rating, s.note \
         FROM scores s JOIN questions q ON q.id = s.question_id \
         WHERE s.assignment_id = $1 ORDER BY q.position",
    )
    .bind(assignment_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WebhookScore {
                question_id: r.try_get("id")?,
                position: r.try_get("position")?,
                competency: r.try_get("competency")?,
                rating: r.try_get("rating")?,
                muted_rating: r.try_get("muted_rating")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

/// `(assigned, submitted)` reviewers of an interview.
pub async fn review_counts(conn: &mut AnyConnection, interview_id: &str) -> ApiResult<(i64, i64)> {
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM assignments WHERE interview_id = $1 AND withdrawn_at IS NULL) AS assigned, \
                (SELECT COUNT(*) FROM assignments WHERE interview_id = $1 AND status = 'submitted') AS submitted",
    )
    .bind(interview_id)
    .fetch_one(conn)
    .await?;
    Ok((counts.try_get("assigned")?, counts.try_get("submitted")?))
}

/// The reviewers who submitted, by name.
pub async fn submitted_reviewers(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> ApiResult<Vec<WebhookUser>> {
    sqlx::query(
        "SELECT u.id, u.name FROM assignments a JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status = 'submitted' ORDER BY u.name, u.id",
    )
    .bind(interview_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(WebhookUser {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
        })
    })
    .collect()
}

/// `(question id, rating)` of every submitted score, in reviewer order;
/// drafts are never included.
pub async fn submitted_ratings(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> ApiResult<Vec<(String, i64)>> {
    sqlx::query(
        "SELECT s.question_id, s.rating FROM scores s JOIN assignments a ON a.id = s.assignment_id \
         JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status = 'submitted' ORDER BY u.name, u.id",
    )
    .bind(interview_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("question_id")?, r.try_get("rating")?)))
    .collect()
}

/// A question as the `interview.reviewed` aggregate shows it.
pub struct QuestionRow {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub scale_min: i64,
    pub scale_max: i64,
    pub pass_score: i64,
}

pub async fn questions(
    conn: &mut AnyConnection,
    question_set_id: &str,
) -> ApiResult<Vec<QuestionRow>> {
    sqlx::query(
        "SELECT id, position, prompt, competency, scale_min, scale_max, pass_score FROM questions \
         WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(question_set_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|q| {
        Ok(QuestionRow {
            id: q.try_get("id")?,
            position: q.try_get("position")?,
            prompt: q.try_get("prompt")?,
            competency: q.try_get("competency")?,
            scale_min: q.try_get("scale_min")?,
            scale_max: q.try_get("scale_max")?,
            pass_score: q.try_get("pass_score")?,
        })
    })
    .collect()
}

/// A decision as its event reports it.
pub struct DecisionRow {
    pub interview_id: String,
    pub action: String,
    pub reason: Option<String>,
    pub decided_at: Millis,
    pub decided_by: WebhookUser,
}

pub async fn decision(conn: &mut AnyConnection, decision_id: &str) -> ApiResult<DecisionRow> {
    let d = sqlx::query(
        "SELECT d.interview_id, d.action, d.reason, d.decided_at, u.id AS user_id, u.name \
         FROM decisions d JOIN users u ON u.id = d.decided_by WHERE d.id = $1",
    )
    .bind(decision_id)
    .fetch_one(conn)
    .await?;
    Ok(DecisionRow {
        interview_id: d.try_get("interview_id")?,
        action: d.try_get("action")?,
        reason: d.try_get("reason")?,
        decided_at: d.try_get("decided_at")?,
        decided_by: WebhookUser {
            id: d.try_get("user_id")?,
            name: d.try_get("name")?,
        },
    })
}
