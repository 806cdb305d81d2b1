//! Review assignments and the scores reviewers give on them: who reviews
//! which interview by when, the per-question scores, the reviewer's queue
//! and the panel of everyone's submitted scores.

mod panel;
mod queue;
pub mod score_totals;
mod scores;
mod view;

pub use panel::panel;
pub use queue::{queue, QueueFilter};
pub use scores::{
    put_score, reliability_ratings, reliability_sets, score, score_of, score_slot,
    scorecard_scores, scores, submitted_reviewers, NewScore, ReliabilityRating, ReliabilitySet,
    ScoreSlot, SubmittedReviewer,
};
pub use view::{candidate_view, status};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use takes_api::{AssignmentStatus, QuestionView, ResponseView};

use crate::clock::Millis;
use crate::error::ApiResult;
use crate::ids::new_id;

/// Assigns an interview to a reviewer, already submitted when
/// `submitted_at` is given (the seed's pre-scored panels).
pub async fn assignment(
    c: &mut AnyConnection,
    interview_id: &str,
    reviewer_id: &str,
    assigned_at: Millis,
    due_at: Millis,
    submitted_at: Option<Millis>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO assignments (id, interview_id, reviewer_id, status, assigned_at, due_at, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(interview_id)
    .bind(reviewer_id)
    .bind(if submitted_at.is_some() { "submitted" } else { "pending" })
    .bind(assigned_at)
    .bind(due_at)
    .bind(submitted_at)
    .execute(c)
    .await?;
    Ok(id)
}

/// One reviewer's assignment, as its handlers need it.
pub struct OwnAssignment {
    pub id: String,
    pub interview_id: String,
    pub question_set_id: String,
    pub status: AssignmentStatus,
    pub submitted_at: Option<i64>,
    pub due_at: i64,
}

const OWN: &str =
    "SELECT a.id, a.interview_id, a.status, a.submitted_at, a.due_at, i.question_set_id \
     FROM assignments a JOIN interviews i ON i.id = a.interview_id \
     WHERE a.id = $1 AND a.reviewer_id = $2 AND a.withdrawn_at IS NULL";

/// The assignment `id` if it is `reviewer_id`'s; someone else's is `None`
/// so that ids of other reviewers' work cannot be probed.
pub async fn own(
    conn: &mut AnyConnection,
    reviewer_id: &str,
    id: &str,
) -> ApiResult<Option<OwnAssignment>> {
    own_row(conn, OWN, reviewer_id, id).await
}

/// [`own`], holding the assignment row until the transaction ends, for a
/// write that depends on its status (a score write, a submit). On
/// PostgreSQL this is `SELECT ... FOR UPDATE`: without it, a score write
/// that read "in progress" could commit after a concurrent submit, so the
/// stored score would differ from the locked one, and two submits could
/// both succeed. SQLite needs no row lock: `Db::begin_write` already runs
/// one writer at a time.
pub async fn own_for_update(
    conn: &mut AnyConnection,
    reviewer_id: &str,
    id: &str,
) -> ApiResult<Option<OwnAssignment>> {
    if conn.backend_name() == "PostgreSQL" {
        // `OF a`: only the assignment is written under this lock; the
        // interview row stays free for everyone else.
        own_row(conn, &format!("{OWN} FOR UPDATE OF a"), reviewer_id, id).await
    } else {
        own_row(conn, OWN, reviewer_id, id).await
    }
}

async fn own_row(
    conn: &mut AnyConnection,
    sql: &str,
    reviewer_id: &str,
    id: &str,
) -> ApiResult<Option<OwnAssignment>> {
    let Some(row) = sqlx::query(sql)
        .bind(id)
        .bind(reviewer_id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(OwnAssignment {
        id: row.try_get("id")?,
        interview_id: row.try_get("interview_id")?,
        question_set_id: row.try_get("question_set_id")?,
        status: status(&row.try_get::<String, _>("status")?)?,
        submitted_at: row.try_get("submitted_at")?,
        due_at: row.try_get("due_at")?,
    }))
}

/// Whom and what an assignment is about.
pub struct Head {
    pub name: String,
    pub pseudonym: String,
    pub title: String,
    pub department: String,
}

pub async fn head(conn: &mut AnyConnection, assignment_id: &str) -> ApiResult<Head> {
    let row = sqlx::query(
        "SELECT c.name, c.pseudonym, r.title, r.department, a.assigned_at \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.id = $1",
    )
    .bind(assignment_id)
    .fetch_one(conn)
    .await?;
    Ok(Head {
        name: row.try_get("name")?,
        pseudonym: row.try_get("pseudonym")?,
        title: row.try_get("title")?,
        department: row.try_get("department")?,
    })
}

/// The interview's questions in order, each with its rubric and the
/// candidate's response (if they gave one).
pub async fn questions_with_responses(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_set_id: &str,
) -> ApiResult<Vec<QuestionView>> {
    let rows = sqlx::query(
        "SELECT q.id, q.position, q.prompt, q.competency, q.time_limit_s, q.scale_min, q.scale_max, \
                q.pass_score, q.anchors_json, \
                resp.id AS response_id, resp.duration_ms, resp.retakes_used, m.content_type \
         FROM questions q \
         LEFT JOIN responses resp ON resp.question_id = q.id AND resp.interview_id = $1 \
         LEFT JOIN media_objects m ON m.id = resp.media_object_id \
         WHERE q.question_set_id = $2 ORDER BY q.position",
    )
    .bind(interview_id)
    .bind(question_set_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let response = match row.try_get::<Option<String>, _>("response_id")? {
            Some(rid) => Some(ResponseView {
                media_url: format!("/v1/media/{rid}"),
                transcript_url: format!("/v1/responses/{rid}/transcript"),
                content_type: row
                    .try_get::<Option<String>, _>("content_type")?
                    .unwrap_or_default(),
                duration_s: row.try_get::<Option<i64>, _>("duration_ms")?.unwrap_or(0) as f64
                    / 1000.0,
                retakes_used: row.try_get::<Option<i64>, _>("retakes_used")?.unwrap_or(0),
                id: rid,
            }),
            None => None,
        };
        out.push(QuestionView {
            id: row.try_get("id")?,
            position: row.try_get("position")?,
            prompt: row.try_get("prompt")?,
            competency: row.try_get("competency")?,
            time_limit_s: row.try_get("time_limit_s")?,
            rubric: rubric(row)?,
            response,
        });
    }
    Ok(out)
}

/// A rubric from a row with the question's rubric columns.
pub(crate) fn rubric(row: &AnyRow) -> ApiResult<takes_api::Rubric> {
    let anchors: Vec<takes_api::Anchor> =
        serde_json::from_str(&row.try_get::<String, _>("anchors_json")?)?;
    Ok(takes_api::Rubric {
        scale_min: row.try_get("scale_min")?,
        scale_max: row.try_get("scale_max")?,
        pass_score: row.try_get("pass_score")?,
        anchors,
    })
}

/// Positions of the questions not yet scored on an assignment, in order.
pub async fn unscored_positions(
    conn: &mut AnyConnection,
    question_set_id: &str,
    assignment_id: &str,
) -> ApiResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT q.position FROM questions q WHERE q.question_set_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM scores s WHERE s.assignment_id = $2 AND s.question_id = q.id) ORDER BY q.position",
    )
    .bind(question_set_id)
    .bind(assignment_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i64, _>("position"))
        .collect::<Result<_, _>>()?)
}

/// Locks an assignment's scores; `false` (changing nothing) when it was
/// submitted already, so that of two racing submits exactly one wins.
pub async fn mark_submitted(conn: &mut AnyConnection, id: &str, now: Millis) -> ApiResult<bool> {
    let updated = sqlx::query(
        "UPDATE assignments SET status = 'submitted', submitted_at = $1 \
         WHERE id = $2 AND status <> 'submitted'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated > 0)
}
