//! Scores on assignments: the reviewer's write, the reads that show them
//! (the reviewer's own, the scorecard export, live reliability).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use takes_api::{Evidence, Score, ScoreWrite};

use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;

const SCORE_COLUMNS: &str =
    "s.question_id, s.rating, s.muted_rating, s.note, s.evidence_json, s.created_at, s.updated_at";

fn score_row(row: &AnyRow) -> ApiResult<Score> {
    let evidence: Vec<Evidence> =
        serde_json::from_str(&row.try_get::<String, _>("evidence_json")?)?;
    Ok(Score {
        question_id: row.try_get("question_id")?,
        rating: row.try_get("rating")?,
        muted_rating: row.try_get("muted_rating")?,
        note: row.try_get("note")?,
        evidence,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
    })
}

/// A score as the seed writes it: no evidence, created and updated at once.
pub struct NewScore<'a> {
    pub assignment_id: &'a str,
    pub question_id: &'a str,
    pub rating: i64,
    pub muted_rating: Option<i64>,
    pub note: Option<&'a str>,
    pub at: Millis,
}

pub async fn score(c: &mut AnyConnection, s: NewScore<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO scores (assignment_id, question_id, rating, muted_rating, note, evidence_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, '[]', $6, $6)",
    )
    .bind(s.assignment_id)
    .bind(s.question_id)
    .bind(s.rating)
    .bind(s.muted_rating)
    .bind(s.note)
    .bind(s.at)
    .execute(c)
    .await?;
    Ok(())
}

/// An assignment's scores in question order.
pub async fn scores(conn: &mut AnyConnection, assignment_id: &str) -> ApiResult<Vec<Score>> {
    let rows = sqlx::query(&format!(
        "SELECT {SCORE_COLUMNS} FROM scores s JOIN questions q ON q.id = s.question_id \
         WHERE s.assignment_id = $1 ORDER BY q.position"
    ))
    .bind(assignment_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(score_row).collect()
}

/// One stored score.
pub async fn score_of(
    conn: &mut AnyConnection,
    assignment_id: &str,
    question_id: &str,
) -> ApiResult<Score> {
    let row = sqlx::query(&format!(
        "SELECT {SCORE_COLUMNS} FROM scores s WHERE s.assignment_id = $1 AND s.question_id = $2"
    ))
    .bind(assignment_id)
    .bind(question_id)
    .fetch_one(conn)
    .await?;
    score_row(&row)
}

/// What a question of an interview accepts: its scale, and how long the
/// response runs (evidence must fall inside it).
pub struct ScoreSlot {
    pub scale: (i64, i64),
    pub duration_ms: Option<i64>,
}

/// The slot for `question_id` if it belongs to the question set.
pub async fn score_slot(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_set_id: &str,
    question_id: &str,
) -> ApiResult<Option<ScoreSlot>> {
    let Some(q) = sqlx::query(
        "SELECT q.scale_min, q.scale_max, resp.duration_ms FROM questions q \
         LEFT JOIN responses resp ON resp.question_id = q.id AND resp.interview_id = $1 \
         WHERE q.id = $2 AND q.question_set_id = $3",
    )
    .bind(interview_id)
    .bind(question_id)
    .bind(question_set_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(ScoreSlot {
        scale: (q.try_get("scale_min")?, q.try_get("scale_max")?),
        duration_ms: q.try_get("duration_ms")?,
    }))
}

/// Writes (or replaces) a score; the first score moves a pending
/// assignment to in progress. `note` is the note as kept (blank dropped).
pub async fn put_score(
    conn: &mut AnyConnection,
    assignment_id: &str,
    question_id: &str,
    write: &ScoreWrite,
    note: Option<&str>,
    pending: bool,
    now: Millis,
) -> ApiResult<()> {
    let evidence_json = serde_json::to_string(&write.evidence.clone().unwrap_or_default())?;
    sqlx::query(
        "INSERT INTO scores (assignment_id, question_id, rating, muted_rating, note, evidence_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (assignment_id, question_id) DO UPDATE SET \
           rating = excluded.rating, muted_rating = excluded.muted_rating, note = excluded.note, \
           evidence_json = excluded.evidence_json, updated_at = excluded.updated_at",
    )
    .bind(assignment_id)
    .bind(question_id)
    .bind(write.rating)
    .bind(write.muted_rating)
    .bind(note.map(str::to_string))
    .bind(&evidence_json)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if pending {
        sqlx::query(
            "UPDATE assignments SET status = 'in_progress' WHERE id = $1 AND status = 'pending'",
        )
        .bind(assignment_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A reviewer who submitted their scores for an interview.
pub struct SubmittedReviewer {
    pub assignment_id: String,
    pub submitted_at: Option<Millis>,
    pub user_id: String,
    pub name: String,
}

/// Reviewers who submitted scores for the interview, by name.
pub async fn submitted_reviewers(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> ApiResult<Vec<SubmittedReviewer>> {
    let rows = sqlx::query(
        "SELECT a.id, a.submitted_at, u.id AS user_id, u.name FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status = 'submitted' ORDER BY u.name, u.id",
    )
    .bind(interview_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SubmittedReviewer {
                assignment_id: r.try_get("id")?,
                submitted_at: r.try_get("submitted_at")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// `(question_id, rating, note)` of an assignment's scores, in no order.
pub async fn scorecard_scores(
    conn: &mut AnyConnection,
    assignment_id: &str,
) -> ApiResult<Vec<(String, i64, Option<String>)>> {
    let rows = sqlx::query("SELECT question_id, rating, note FROM scores WHERE assignment_id = $1")
        .bind(assignment_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|s| {
            Ok((
                s.try_get("question_id")?,
                s.try_get("rating")?,
                s.try_get("note")?,
            ))
        })
        .collect()
}

/// One submitted rating of a live review.
pub struct ReliabilityRating {
    pub interview_id: String,
    pub question_id: String,
    pub reviewer_id: String,
    pub rating: i64,
}

/// Submitted ratings on a question set's interviews, submitted in
/// `[since, until)`, from interviews that two or more reviewers submitted
/// in that window.
pub async fn reliability_ratings(
    conn: &mut AnyConnection,
    question_set_id: &str,
    since: Millis,
    until: Millis,
) -> ApiResult<Vec<ReliabilityRating>> {
    let rows = sqlx::query(
        "SELECT a.interview_id, a.reviewer_id, s.question_id, s.rating \
         FROM scores s JOIN assignments a ON a.id = s.assignment_id \
         JOIN interviews i ON i.id = a.interview_id \
         WHERE i.question_set_id = $1 AND a.status = 'submitted' \
           AND a.submitted_at >= $2 AND a.submitted_at < $3 \
           AND a.interview_id IN ( \
             SELECT a2.interview_id FROM assignments a2 JOIN interviews i2 ON i2.id = a2.interview_id \
             WHERE i2.question_set_id = $1 AND a2.status = 'submitted' \
               AND a2.submitted_at >= $2 AND a2.submitted_at < $3 \
             GROUP BY a2.interview_id HAVING COUNT(*) >= 2)",
    )
    .bind(question_set_id)
    .bind(since)
    .bind(until)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReliabilityRating {
                interview_id: r.try_get("interview_id")?,
                question_id: r.try_get("question_id")?,
                reviewer_id: r.try_get("reviewer_id")?,
                rating: r.try_get("rating")?,
            })
        })
        .collect()
}

/// A question set whose live reviews reliability reports on.
pub struct ReliabilitySet {
    pub id: String,
    pub name: String,
    pub title: String,
    pub department: String,
}

/// Every question set with its role, by role title and set name; only
/// `only` when given. (Reads the roles aggregate on behalf of the
/// reliability report.)
pub async fn reliability_sets(
    conn: &mut AnyConnection,
    only: Option<&str>,
) -> ApiResult<Vec<ReliabilitySet>> {
    let rows = sqlx::query(
        "SELECT qs.id, qs.name, jr.title, jr.department FROM question_sets qs \
         JOIN job_roles jr ON jr.id = qs.job_role_id \
         WHERE ($1 = '' OR qs.id = $1) ORDER BY jr.title, qs.name, qs.id",
    )
    .bind(only.unwrap_or_default().to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReliabilitySet {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                title: r.try_get("title")?,
                department: r.try_get("department")?,
            })
        })
        .collect()
}
