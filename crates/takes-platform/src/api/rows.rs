//! Row-to-wire conversions and look-ups shared by several endpoints.

use sqlx::any::AnyRow;
use sqlx::Row;
use takes_api::{Anchor, AssignmentStatus, CandidateView, Evidence, Rubric, Score};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};

pub fn status(s: &str) -> ApiResult<AssignmentStatus> {
    AssignmentStatus::parse(s)
        .ok_or_else(|| ApiError::internal(format!("stored assignment status {s:?} is unknown")))
}

/// Reviewers see a pseudonym until their own scores are submitted.
pub fn candidate(name: String, pseudonym: String, revealed: bool) -> CandidateView {
    if revealed {
        CandidateView {
            display_name: name,
            revealed: true,
        }
    } else {
        CandidateView {
            display_name: pseudonym,
            revealed: false,
        }
    }
}

pub fn score(row: &AnyRow) -> ApiResult<Score> {
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

pub const SCORE_COLUMNS: &str =
    "s.question_id, s.rating, s.muted_rating, s.note, s.evidence_json, s.created_at, s.updated_at";

pub fn rubric(row: &AnyRow) -> ApiResult<Rubric> {
    let anchors: Vec<Anchor> = serde_json::from_str(&row.try_get::<String, _>("anchors_json")?)?;
    Ok(Rubric {
        scale_min: row.try_get("scale_min")?,
        scale_max: row.try_get("scale_max")?,
        pass_score: row.try_get("pass_score")?,
        anchors,
    })
}

/// An assignment of the caller's; someone else's is answered as missing so
/// ids of other reviewers' work cannot be probed.
pub struct OwnAssignment {
    pub id: String,
    pub interview_id: String,
    pub question_set_id: String,
    pub status: AssignmentStatus,
    pub submitted_at: Option<i64>,
    pub due_at: i64,
}

pub async fn own_assignment(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<OwnAssignment> {
    let row = sqlx::query(
        "SELECT a.id, a.interview_id, a.status, a.submitted_at, a.due_at, i.question_set_id \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         WHERE a.id = $1 AND a.reviewer_id = $2",
    )
    .bind(id)
    .bind(&caller.id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| {
        ApiError::not_found(format!("no assignment {id:?} in your queue")).with_field("id")
    })?;
    Ok(OwnAssignment {
        id: row.try_get("id")?,
        interview_id: row.try_get("interview_id")?,
        question_set_id: row.try_get("question_set_id")?,
        status: status(&row.try_get::<String, _>("status")?)?,
        submitted_at: row.try_get("submitted_at")?,
        due_at: row.try_get("due_at")?,
    })
}
