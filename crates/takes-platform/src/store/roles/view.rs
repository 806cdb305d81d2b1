//! Reading roles whole: their settings, question-set versions with counts
//! of the interviews that use them, the reviewer pool with its open load
//! and the recruiters who own them.

use sqlx::{AnyConnection, Row};
use takes_api::roles::RoleQuestion;
use takes_api::Rubric;

use crate::clock::Millis;

/// An interview still in flight: not expired, and not advanced or
/// rejected (a hold keeps it open).
pub const IN_FLIGHT: &str = "(i.status IN ('invited', 'started') OR (i.status = 'completed' AND \
     NOT EXISTS (SELECT 1 FROM decisions d WHERE d.interview_id = i.id \
     AND d.action IN ('advance', 'reject'))))";

/// A job role's own columns.
#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: String,
    pub key: Option<String>,
    pub title: String,
    pub department: String,
    pub completion_window_hours: i64,
    /// `None`: the server's `[invitations] reviewers_per_interview`.
    pub reviewers_per_interview: Option<i64>,
    pub hiring_manager: Option<String>,
    pub support_contact: Option<String>,
    pub invitation_message: Option<String>,
    /// The configured link (PATCH invitation-settings).
    pub intro_video_url: Option<String>,
    pub intro_video_media_id: Option<String>,
    pub intro_video_sha256: Option<String>,
    pub intro_video_file_name: Option<String>,
    pub intro_captions_media_id: Option<String>,
    pub intro_captions_sha256: Option<String>,
    pub intro_captions_file_name: Option<String>,
    pub intro_captions_language: Option<String>,
    pub allow_audio_only: bool,
    pub allow_low_resolution: bool,
    pub archived_at: Option<Millis>,
    pub current_set_id: Option<String>,
    pub created_at: Millis,
}

const ROLE_SELECT: &str = "SELECT r.id, r.role_key, r.title, r.department, \
       COALESCE(r.completion_window_hours, r.completion_window_h) AS window_h, \
       r.reviewers_per_interview, r.hiring_manager_email, r.support_contact, r.invitation_message, \
       r.intro_video_url, r.intro_video_media_id, m.sha256 AS intro_sha, r.intro_video_file_name, \
       r.intro_captions_media_id, mc.sha256 AS captions_sha, r.intro_captions_file_name, \
       r.intro_captions_language, r.allow_audio_only, r.allow_low_resolution, \
       r.archived_at, r.current_question_set_id, r.created_at \
     FROM job_roles r LEFT JOIN media_objects m ON m.id = r.intro_video_media_id \
       LEFT JOIN media_objects mc ON mc.id = r.intro_captions_media_id";

fn role_row(r: &sqlx::any::AnyRow) -> Result<RoleRow, sqlx::Error> {
    Ok(RoleRow {
        id: r.try_get("id")?,
        key: r.try_get("role_key")?,
        title: r.try_get("title")?,
        department: r.try_get("department")?,
        completion_window_hours: r.try_get("window_h")?,
        reviewers_per_interview: r.try_get("reviewers_per_interview")?,
        hiring_manager: r.try_get("hiring_manager_email")?,
        support_contact: r.try_get("support_contact")?,
        invitation_message: r.try_get("invitation_message")?,
        intro_video_url: r.try_get("intro_video_url")?,
        intro_video_media_id: r.try_get("intro_video_media_id")?,
        intro_video_sha256: r.try_get("intro_sha")?,
        intro_video_file_name: r.try_get("intro_video_file_name")?,
        intro_captions_media_id: r.try_get("intro_captions_media_id")?,
        intro_captions_sha256: r.try_get("captions_sha")?,
        intro_captions_file_name: r.try_get("intro_captions_file_name")?,
        intro_captions_language: r.try_get("intro_captions_language")?,
        allow_audio_only: r.try_get::<i64, _>("allow_audio_only")? != 0,
        allow_low_resolution: r.try_get::<i64, _>("allow_low_resolution")? != 0,
        archived_at: r.try_get("archived_at")?,
        current_set_id: r.try_get("current_question_set_id")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Every role, archived ones included, oldest first.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<RoleRow>, sqlx::Error> {
    sqlx::query(&format!("{ROLE_SELECT} ORDER BY r.created_at, r.id"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(role_row)
        .collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<RoleRow>, sqlx::Error> {
    sqlx::query(&format!("{ROLE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(role_row)
        .transpose()
}

/// One version of a role's question set, with its interview counts.
#[derive(Debug, Clone)]
pub struct SetRow {
    pub id: String,
    pub version: i64,
    pub created_at: Millis,
    pub retakes: i64,
    pub interviews: i64,
    pub in_flight: i64,
}

/// A role's question-set versions, newest first.
pub async fn sets(conn: &mut AnyConnection, role_id: &str) -> Result<Vec<SetRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT s.id, s.version, s.created_at, s.retakes_allowed, \
           (SELECT COUNT(*) FROM interviews i WHERE i.question_set_id = s.id) AS n, \
           (SELECT COUNT(*) FROM interviews i WHERE i.question_set_id = s.id AND {IN_FLIGHT}) AS f \
         FROM question_sets s WHERE s.job_role_id = $1 ORDER BY s.version DESC, s.created_at DESC, s.id DESC"
    ))
    .bind(role_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(SetRow {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            created_at: r.try_get("created_at")?,
            retakes: r.try_get("retakes_allowed")?,
            interviews: r.try_get("n")?,
            in_flight: r.try_get("f")?,
        })
    })
    .collect()
}

/// The questions of one set, in order.
pub async fn questions(
    conn: &mut AnyConnection,
    set_id: &str,
) -> Result<Vec<RoleQuestion>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, position, prompt, competency, time_limit_s, thinking_time_s, scale_min, \
           scale_max, pass_score, anchors_json FROM questions WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(set_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let anchors: String = r.try_get("anchors_json")?;
            Ok(RoleQuestion {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                prompt: r.try_get("prompt")?,
                competency: r.try_get("competency")?,
                time_limit_s: r.try_get("time_limit_s")?,
                thinking_time_s: r.try_get("thinking_time_s")?,
                rubric: Rubric {
                    scale_min: r.try_get("scale_min")?,
                    scale_max: r.try_get("scale_max")?,
                    pass_score: r.try_get("pass_score")?,
                    anchors: serde_json::from_str(&anchors)
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                },
            })
        })
        .collect()
}

/// A person on a role (pool member or recruiter).
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub deactivated_at: Option<Millis>,
    /// Assignments not yet submitted, over all roles.
    pub open_assignments: i64,
}

async fn members(
    conn: &mut AnyConnection,
    table: &str,
    role_id: &str,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT u.id, u.name, u.email, u.deactivated_at, \
           (SELECT COUNT(*) FROM assignments a WHERE a.reviewer_id = u.id AND a.status <> 'submitted' AND a.withdrawn_at IS NULL) AS open_n \
         FROM {table} x JOIN users u ON u.id = x.user_id WHERE x.job_role_id = $1 ORDER BY u.name, u.id"
    ))
    .bind(role_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Member {
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            deactivated_at: r.try_get("deactivated_at")?,
            open_assignments: r.try_get("open_n")?,
        })
    })
    .collect()
}

/// The role's reviewer pool.
pub async fn pool(conn: &mut AnyConnection, role_id: &str) -> Result<Vec<Member>, sqlx::Error> {
    members(conn, "role_reviewers", role_id).await
}

/// The recruiters who own the role.
pub async fn recruiters(
    conn: &mut AnyConnection,
    role_id: &str,
) -> Result<Vec<Member>, sqlx::Error> {
    members(conn, "role_recruiters", role_id).await
}

/// The role's recruiters who have an email address, as `(name, email)` by
/// email: whom the role's notices (a declined consent, a completion drop)
/// are sent to.
pub async fn recruiter_emails(
    conn: &mut AnyConnection,
    role_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.name, u.email FROM role_recruiters rr JOIN users u ON u.id = rr.user_id \
         WHERE rr.job_role_id = $1 AND u.email IS NOT NULL AND u.email <> '' ORDER BY u.email",
    )
    .bind(role_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
        .collect()
}

/// Whether `user_id` is one of the role's recruiters.
pub async fn owns(
    conn: &mut AnyConnection,
    role_id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM role_recruiters WHERE job_role_id = $1 AND user_id = $2",
    )
    .bind(role_id)
    .bind(user_id)
    .fetch_one(conn)
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

/// Summary counts of a role: `(questions of the current set, interviews in
/// flight, current version)`.
pub async fn counts(
    conn: &mut AnyConnection,
    role: &RoleRow,
) -> Result<(i64, i64, Option<i64>), sqlx::Error> {
    let r = sqlx::query(&format!(
        "SELECT (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = $1) AS qn, \
           (SELECT COUNT(*) FROM interviews i WHERE i.job_role_id = $2 AND {IN_FLIGHT}) AS f, \
           (SELECT s.version FROM question_sets s WHERE s.id = $1) AS v"
    ))
    .bind(role.current_set_id.as_deref().unwrap_or(""))
    .bind(&role.id)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get("qn")?, r.try_get("f")?, r.try_get("v")?))
}

/// Ids of the roles whose pool holds `user_id`.
pub async fn reviewed_by(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT job_role_id FROM role_reviewers WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get("job_role_id"))
        .collect()
}

/// The version number of question set `id`.
pub async fn set_version(conn: &mut AnyConnection, id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query("SELECT version FROM question_sets WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("version"))
        .transpose()
}
