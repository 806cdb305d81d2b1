//! Inserts for the platform's objects, shared by every data set (the demo,
//! test fixtures). One function per table keeps each set a readable script.

use sqlx::AnyConnection;
use takes_api::{Cue, Rubric};

use crate::clock::Millis;
use crate::ids::new_id;

pub type DbResult<T> = Result<T, sqlx::Error>;

pub async fn role(
    c: &mut AnyConnection,
    now: Millis,
    title: &str,
    department: &str,
) -> DbResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO job_roles (id, title, department, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(title)
    .bind(department)
    .bind(now)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn question_set(
    c: &mut AnyConnection,
    now: Millis,
    role_id: &str,
    name: &str,
    retakes_allowed: i64,
) -> DbResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO question_sets (id, job_role_id, name, retakes_allowed, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(role_id)
    .bind(name)
    .bind(retakes_allowed)
    .bind(now)
    .execute(c)
    .await?;
    Ok(id)
}

/// Puts a reviewer in a role's pool (completed interviews are routed to it).
pub async fn role_reviewer(
    c: &mut AnyConnection,
    now: Millis,
    role_id: &str,
    user_id: &str,
) -> DbResult<()> {
    sqlx::query("INSERT INTO role_reviewers (job_role_id, user_id, added_at) VALUES ($1, $2, $3)")
        .bind(role_id)
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

pub struct NewQuestion<'a> {
    pub position: i64,
    pub prompt: &'a str,
    pub competency: &'a str,
    pub time_limit_s: i64,
    pub rubric: &'a Rubric,
}

pub async fn question(c: &mut AnyConnection, set_id: &str, q: NewQuestion<'_>) -> DbResult<String> {
    let id = new_id();
    let anchors =
        serde_json::to_string(&q.rubric.anchors).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
         scale_min, scale_max, pass_score, anchors_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(set_id)
    .bind(q.position)
    .bind(q.prompt)
    .bind(q.competency)
    .bind(q.time_limit_s)
    .bind(q.rubric.scale_min)
    .bind(q.rubric.scale_max)
    .bind(q.rubric.pass_score)
    .bind(anchors)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn candidate(
    c: &mut AnyConnection,
    now: Millis,
    name: &str,
    email: &str,
) -> DbResult<String> {
    let id = new_id();
    sqlx::query("INSERT INTO candidates (id, name, email, pseudonym, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(name)
        .bind(email)
        .bind(crate::pseudonym::for_candidate(&id))
        .bind(now)
        .execute(c)
        .await?;
    Ok(id)
}

pub struct NewInterview<'a> {
    pub candidate_id: &'a str,
    pub role_id: &'a str,
    pub question_set_id: &'a str,
    pub status: &'a str,
    pub invited_at: Millis,
    pub expires_at: Millis,
    pub started_at: Option<Millis>,
    pub completed_at: Option<Millis>,
}

pub async fn interview(c: &mut AnyConnection, i: NewInterview<'_>) -> DbResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO interviews (id, candidate_id, job_role_id, question_set_id, status, invited_at, expires_at, \
         started_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(i.candidate_id)
    .bind(i.role_id)
    .bind(i.question_set_id)
    .bind(i.status)
    .bind(i.invited_at)
    .bind(i.expires_at)
    .bind(i.started_at)
    .bind(i.completed_at)
    .execute(c)
    .await?;
    Ok(id)
}

/// Records a file already written to the media store under `storage_key`.
pub async fn media_object(
    c: &mut AnyConnection,
    now: Millis,
    storage_key: &str,
    content_type: &str,
    bytes: &[u8],
) -> DbResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO media_objects (id, storage_key, content_type, bytes, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(storage_key)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(crate::ids::sha256_hex(bytes))
    .bind(now)
    .execute(c)
    .await?;
    Ok(id)
}

pub struct NewResponse<'a> {
    pub interview_id: &'a str,
    pub question_id: &'a str,
    pub media_object_id: &'a str,
    pub duration_ms: i64,
    pub cues: &'a [Cue],
    pub retakes_used: i64,
    pub recorded_at: Millis,
}

pub async fn response(c: &mut AnyConnection, r: NewResponse<'_>) -> DbResult<String> {
    let id = new_id();
    let cues = serde_json::to_string(r.cues).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO responses (id, interview_id, question_id, media_object_id, duration_ms, transcript_json, \
         retakes_used, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(r.interview_id)
    .bind(r.question_id)
    .bind(r.media_object_id)
    .bind(r.duration_ms)
    .bind(cues)
    .bind(r.retakes_used)
    .bind(r.recorded_at)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn assignment(
    c: &mut AnyConnection,
    interview_id: &str,
    reviewer_id: &str,
    assigned_at: Millis,
    due_at: Millis,
    submitted_at: Option<Millis>,
) -> DbResult<String> {
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

pub struct NewScore<'a> {
    pub assignment_id: &'a str,
    pub question_id: &'a str,
    pub rating: i64,
    pub muted_rating: Option<i64>,
    pub note: Option<&'a str>,
    pub at: Millis,
}

pub async fn score(c: &mut AnyConnection, s: NewScore<'_>) -> DbResult<()> {
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
