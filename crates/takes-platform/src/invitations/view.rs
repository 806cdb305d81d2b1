//! An invitation as recruiters see it.

use sqlx::Row;
use takes_api::{InterviewStatus, Invitation, WebhookCandidate, WebhookJobRole};

use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};

/// The invitation of interview `id`, or `None` when there is none.
pub async fn load(pool: &sqlx::AnyPool, id: &str) -> ApiResult<Option<Invitation>> {
    let row = sqlx::query(
        "SELECT i.id, i.status, i.invited_at, i.expires_at, i.completed_at, v.reminded_at, \
                v.external_source, v.external_id, c.id AS candidate_id, c.name, c.email, \
                r.id AS role_id, r.title, r.department, \
                (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = i.question_set_id) AS question_count, \
                (SELECT COUNT(*) FROM responses s WHERE s.interview_id = i.id) AS answered_count \
         FROM invitations v JOIN interviews i ON i.id = v.interview_id \
         JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE v.interview_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    Ok(Some(Invitation {
        id: row.try_get("id")?,
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
        status: InterviewStatus::parse(&status).ok_or_else(|| {
            ApiError::internal(format!("stored interview status {status:?} is unknown"))
        })?,
        invited_at: rfc3339(row.try_get("invited_at")?),
        expires_at: rfc3339(row.try_get("expires_at")?),
        reminded_at: row.try_get::<Option<i64>, _>("reminded_at")?.map(rfc3339),
        completed_at: row.try_get::<Option<i64>, _>("completed_at")?.map(rfc3339),
        question_count: row.try_get("question_count")?,
        answered_count: row.try_get("answered_count")?,
        source: row.try_get("external_source")?,
        external_id: row.try_get("external_id")?,
        access_secret: None,
        candidate_url: None,
    }))
}
