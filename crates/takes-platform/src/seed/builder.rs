//! Inserts for the platform's objects, shared by every data set (the demo,
//! test fixtures). One function per table keeps each set a readable script.

use sqlx::AnyConnection;
use takes_api::Rubric;

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

// Candidates, interviews, responses, assignments and scores are stored by
// `crate::store`; these names stay for the callers that still use them.
pub use crate::store::assignments::{assignment, score, NewScore};
pub use crate::store::interviews::{
    candidate, interview, media_object, response, NewInterview, NewResponse,
};
