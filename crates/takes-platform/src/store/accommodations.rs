//! Accommodations granted to one candidate, and the facts granting them
//! needs (the interview's role and window, who recruits for the role).

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;

/// One interview's accommodations; all zero when none were granted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granted {
    pub extra_window_hours: i64,
    pub extra_seconds_per_question: i64,
    pub extra_retakes: i64,
    pub audio_only: bool,
    pub note: Option<String>,
    pub granted_by: Option<String>,
    pub granted_at: Option<Millis>,
}

pub async fn get(conn: &mut AnyConnection, interview_id: &str) -> Result<Granted, sqlx::Error> {
    let row = sqlx::query(
        "SELECT a.extra_window_hours, a.extra_seconds_per_question, a.extra_retakes, a.audio_only, \
           a.note, u.name AS granted_by, a.granted_at \
         FROM candidate_accommodations a JOIN users u ON u.id = a.granted_by WHERE a.interview_id = $1",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else {
        return Ok(Granted::default());
    };
    Ok(Granted {
        extra_window_hours: r.try_get("extra_window_hours")?,
        extra_seconds_per_question: r.try_get("extra_seconds_per_question")?,
        extra_retakes: r.try_get("extra_retakes")?,
        audio_only: r.try_get::<i64, _>("audio_only")? != 0,
        note: r.try_get("note")?,
        granted_by: r.try_get("granted_by")?,
        granted_at: r.try_get("granted_at")?,
    })
}

/// Locks interview `id`'s row so two grants of one interview serialise.
pub async fn lock_interview(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<(), sqlx::Error> {
    // An update that changes nothing takes the row lock on both databases.
    sqlx::query("UPDATE interviews SET expires_at = expires_at WHERE id = $1")
        .bind(interview_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The interview an accommodation is for: `(role id, status, expires at)`.
pub async fn interview(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<(String, String, Millis)>, sqlx::Error> {
    sqlx::query("SELECT job_role_id, status, expires_at FROM interviews WHERE id = $1")
        .bind(interview_id)
        .fetch_optional(conn)
        .await?
        .map(|r| {
            Ok((
                r.try_get("job_role_id")?,
                r.try_get("status")?,
                r.try_get("expires_at")?,
            ))
        })
        .transpose()
}

/// Whether `user_id` recruits for role `role_id`.
pub async fn recruits_for(
    conn: &mut AnyConnection,
    user_id: &str,
    role_id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT 1 AS x FROM role_recruiters WHERE user_id = $1 AND job_role_id = $2")
            .bind(user_id)
            .bind(role_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Writes the grant (replacing the previous one) and moves the deadline.
pub async fn put(
    conn: &mut AnyConnection,
    interview_id: &str,
    g: &Granted,
    granted_by: &str,
    at: Millis,
    expires_at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO candidate_accommodations (interview_id, extra_window_hours, extra_seconds_per_question, \
           extra_retakes, audio_only, note, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (interview_id) DO UPDATE SET extra_window_hours = excluded.extra_window_hours, \
           extra_seconds_per_question = excluded.extra_seconds_per_question, \
           extra_retakes = excluded.extra_retakes, audio_only = excluded.audio_only, note = excluded.note, \
           granted_by = excluded.granted_by, granted_at = excluded.granted_at",
    )
    .bind(interview_id)
    .bind(g.extra_window_hours)
    .bind(g.extra_seconds_per_question)
    .bind(g.extra_retakes)
    .bind(i64::from(g.audio_only))
    .bind(g.note.clone())
    .bind(granted_by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE interviews SET expires_at = $1 WHERE id = $2")
        .bind(expires_at)
        .bind(interview_id)
        .execute(conn)
        .await?;
    Ok(())
}
