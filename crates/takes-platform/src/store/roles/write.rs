//! Changing roles as the process apply and the role API do: settings, key,
//! archiving, question-set versions and who is on a role.

use sqlx::AnyConnection;

use crate::clock::Millis;
use crate::ids::new_id;

/// A role's settings, written whole.
pub struct RoleFields<'a> {
    pub title: &'a str,
    pub department: &'a str,
    pub completion_window_hours: i64,
    pub reviewers_per_interview: Option<i64>,
    pub hiring_manager: Option<&'a str>,
    pub support_contact: Option<&'a str>,
    pub invitation_message: Option<&'a str>,
    pub intro_video_media_id: Option<&'a str>,
    pub intro_video_file_name: Option<&'a str>,
    pub intro_captions_media_id: Option<&'a str>,
    pub intro_captions_file_name: Option<&'a str>,
    pub intro_captions_language: Option<&'a str>,
    pub allow_audio_only: bool,
    pub allow_low_resolution: bool,
}

/// Creates a role with a key; it has no question set yet.
pub async fn create(
    conn: &mut AnyConnection,
    now: Millis,
    key: &str,
    f: &RoleFields<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO job_roles (id, title, department, created_at, role_key) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(f.title)
    .bind(f.department)
    .bind(now)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    update(conn, &id, f).await?;
    Ok(id)
}

/// Writes every setting of role `id`.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    f: &RoleFields<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE job_roles SET title = $1, department = $2, reviewers_per_interview = $3, \
           hiring_manager_email = $4, support_contact = $5, invitation_message = $6, \
           intro_video_media_id = $7, intro_video_file_name = $8, intro_captions_media_id = $9, \
           intro_captions_file_name = $10, intro_captions_language = $11, allow_audio_only = $12, \
           allow_low_resolution = $13 WHERE id = $14",
    )
    .bind(f.title)
    .bind(f.department)
    .bind(f.reviewers_per_interview)
    .bind(f.hiring_manager)
    .bind(f.support_contact)
    .bind(f.invitation_message)
    .bind(f.intro_video_media_id)
    .bind(f.intro_video_file_name)
    .bind(f.intro_captions_media_id)
    .bind(f.intro_captions_file_name)
    .bind(f.intro_captions_language)
    .bind(i64::from(f.allow_audio_only))
    .bind(i64::from(f.allow_low_resolution))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    set_window(conn, id, f.completion_window_hours).await
}

/// Sets the completion window. The old `completion_window_h` column keeps
/// its CHECK (48 to 72), so it follows only inside that range.
pub async fn set_window(conn: &mut AnyConnection, id: &str, hours: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE job_roles SET completion_window_hours = $1, \
           completion_window_h = CASE WHEN $1 BETWEEN 48 AND 72 THEN $1 ELSE completion_window_h END \
         WHERE id = $2",
    )
    .bind(hours)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_key(conn: &mut AnyConnection, id: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_roles SET role_key = $1 WHERE id = $2")
        .bind(key)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Archives (`Some(at)`) or restores (`None`) a role.
pub async fn set_archived(
    conn: &mut AnyConnection,
    id: &str,
    at: Option<Millis>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_roles SET archived_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Empties a question set no interview uses, to rewrite it in place.
pub async fn clear_set(
    conn: &mut AnyConnection,
    set_id: &str,
    retakes: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM questions WHERE question_set_id = $1")
        .bind(set_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE question_sets SET retakes_allowed = $1 WHERE id = $2")
        .bind(retakes)
        .bind(set_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the recruiters who own a role.
pub async fn replace_recruiters(
    conn: &mut AnyConnection,
    now: Millis,
    role_id: &str,
    user_ids: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM role_recruiters WHERE job_role_id = $1")
        .bind(role_id)
        .execute(&mut *conn)
        .await?;
    for user_id in user_ids {
        sqlx::query(
            "INSERT INTO role_recruiters (job_role_id, user_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(role_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
