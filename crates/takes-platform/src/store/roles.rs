//! Job roles and what hangs off them: question sets, questions with their
//! rubrics, the reviewer pool completed interviews are routed to, and the
//! role's invitation settings.

use sqlx::{AnyConnection, Row};
use takes_api::{RoleInvitationSettings, Rubric};

use crate::clock::Millis;
use crate::ids::new_id;

pub mod positions;
pub mod view;
pub mod write;

pub use write::set_window;

pub async fn role(
    c: &mut AnyConnection,
    now: Millis,
    title: &str,
    department: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO job_roles (id, title, department, created_at, completion_window_hours) \
         VALUES ($1, $2, $3, $4, 72)",
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
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO question_sets (id, job_role_id, name, retakes_allowed, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, \
           (SELECT COALESCE(MAX(s.version), 0) + 1 FROM question_sets s WHERE s.job_role_id = $2))",
    )
    .bind(&id)
    .bind(role_id)
    .bind(name)
    .bind(retakes_allowed)
    .bind(now)
    .execute(&mut *c)
    .await?;
    // The newest set is the one new invitations get.
    sqlx::query("UPDATE job_roles SET current_question_set_id = $1 WHERE id = $2")
        .bind(&id)
        .bind(role_id)
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
) -> Result<(), sqlx::Error> {
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

pub async fn question(
    c: &mut AnyConnection,
    set_id: &str,
    q: NewQuestion<'_>,
) -> Result<String, sqlx::Error> {
    question_with_thinking(c, set_id, q, 0).await
}

/// [`question`] with seconds of thinking time before recording starts.
pub async fn question_with_thinking(
    c: &mut AnyConnection,
    set_id: &str,
    q: NewQuestion<'_>,
    thinking_time_s: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let anchors =
        serde_json::to_string(&q.rubric.anchors).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
         scale_min, scale_max, pass_score, anchors_json, thinking_time_s) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .bind(thinking_time_s)
    .execute(c)
    .await?;
    Ok(id)
}

/// A role's invitation settings; `None` when there is no such role.
pub async fn invitation_settings(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<RoleInvitationSettings>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT COALESCE(completion_window_hours, completion_window_h) AS window_h, intro_video_url, \
         hiring_manager_email FROM job_roles WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let reviewer_ids: Vec<String> = sqlx::query(
        "SELECT rr.user_id FROM role_reviewers rr JOIN users u ON u.id = rr.user_id \
         WHERE rr.job_role_id = $1 ORDER BY u.name, u.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| r.try_get("user_id"))
    .collect::<Result<_, _>>()?;
    Ok(Some(RoleInvitationSettings {
        role_id: id.to_string(),
        completion_window_hours: row.try_get("window_h")?,
        intro_video_url: row.try_get("intro_video_url")?,
        hiring_manager_email: row.try_get("hiring_manager_email")?,
        reviewer_ids,
    }))
}

/// A change to a role's invitation settings: `None` leaves a field as it
/// is, `Some(None)` clears it.
pub struct SettingsChange<'a> {
    pub completion_window_hours: Option<i64>,
    pub intro_video_url: Option<Option<&'a str>>,
    pub hiring_manager_email: Option<Option<&'a str>>,
}

pub async fn change_settings(
    conn: &mut AnyConnection,
    id: &str,
    c: SettingsChange<'_>,
) -> Result<(), sqlx::Error> {
    if let Some(h) = c.completion_window_hours {
        set_window(conn, id, h).await?;
    }
    if let Some(v) = c.intro_video_url {
        sqlx::query("UPDATE job_roles SET intro_video_url = $1 WHERE id = $2")
            .bind(v.map(str::to_string))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(v) = c.hiring_manager_email {
        sqlx::query("UPDATE job_roles SET hiring_manager_email = $1 WHERE id = $2")
            .bind(v.map(str::to_string))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces a role's reviewer pool.
pub async fn replace_reviewers(
    conn: &mut AnyConnection,
    now: Millis,
    role_id: &str,
    user_ids: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM role_reviewers WHERE job_role_id = $1")
        .bind(role_id)
        .execute(&mut *conn)
        .await?;
    for user_id in user_ids {
        role_reviewer(conn, now, role_id, user_id).await?;
    }
    Ok(())
}

pub async fn set_hiring_manager_email(
    conn: &mut AnyConnection,
    role_id: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_roles SET hiring_manager_email = $1 WHERE id = $2")
        .bind(email)
        .bind(role_id)
        .execute(conn)
        .await?;
    Ok(())
}
