//! Invitations and the candidate's side of an interview's life: the access
//! secret's hash and the ATS ids an invitation came with, the reminder and
//! expiry sweep, completion, routing to the role's reviewer pool, and the
//! candidate's answers and their media (`responses`).

pub mod acknowledgement;
pub mod consent;
pub mod responses;
pub mod takes;

use sqlx::{AnyConnection, Row};
use takes_api::{InterviewStatus, Invitation, WebhookCandidate, WebhookJobRole, WebhookUser};

use crate::clock::{rfc3339, Millis};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// What an invitation takes from its job role.
pub struct RoleTerms {
    pub title: String,
    pub department: String,
    pub completion_window_h: i64,
    /// The uploaded intro video's path on this server, else the configured link.
    pub intro_video_url: Option<String>,
    pub archived_at: Option<Millis>,
    pub key: Option<String>,
}

pub async fn role_terms(
    conn: &mut AnyConnection,
    role_id: &str,
) -> Result<Option<RoleTerms>, sqlx::Error> {
    sqlx::query(
        "SELECT title, department, COALESCE(completion_window_hours, completion_window_h) AS window_h, \
           COALESCE('/v1/media/intro-videos/' || intro_video_media_id, intro_video_url) AS intro, \
           archived_at, role_key FROM job_roles WHERE id = $1",
    )
    .bind(role_id)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(RoleTerms {
            title: r.try_get("title")?,
            department: r.try_get("department")?,
            completion_window_h: r.try_get("window_h")?,
            intro_video_url: r.try_get("intro")?,
            archived_at: r.try_get("archived_at")?,
            key: r.try_get("role_key")?,
        })
    })
    .transpose()
}

/// The question set a new interview of the role uses: its current one
/// (`job_roles.current_question_set_id`), else its newest.
pub struct CurrentSet {
    pub id: String,
    pub retakes_allowed: i64,
    pub question_count: i64,
}

pub async fn current_set(
    conn: &mut AnyConnection,
    role_id: &str,
) -> Result<Option<CurrentSet>, sqlx::Error> {
    sqlx::query(
        "SELECT s.id, s.retakes_allowed, (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = s.id) AS n \
         FROM question_sets s JOIN job_roles r ON r.id = s.job_role_id WHERE s.job_role_id = $1 \
         ORDER BY CASE WHEN s.id = r.current_question_set_id THEN 0 ELSE 1 END, s.created_at DESC, s.id DESC LIMIT 1",
    )
    .bind(role_id)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(CurrentSet {
            id: r.try_get("id")?,
            retakes_allowed: r.try_get("retakes_allowed")?,
            question_count: r.try_get("n")?,
        })
    })
    .transpose()
}

/// An invitation row as written.
pub struct NewRow<'a> {
    pub interview_id: &'a str,
    pub secret_hash: &'a str,
    /// `(source, id)` of the ATS the invitation came from.
    pub external: Option<(&'a str, &'a str)>,
    pub external_data: Option<String>,
    pub created_by: Option<&'a str>,
    pub at: Millis,
}

/// Writes the invitation; `false` when one with the same ATS ids exists.
pub async fn insert(conn: &mut AnyConnection, n: NewRow<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO invitations (interview_id, secret_hash, external_source, external_id, external_data, \
           created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (external_source, external_id) DO NOTHING",
    )
    .bind(n.interview_id)
    .bind(n.secret_hash)
    .bind(n.external.map(|(s, _)| s.to_string()))
    .bind(n.external.map(|(_, i)| i.to_string()))
    .bind(n.external_data)
    .bind(n.created_by.map(str::to_string))
    .bind(n.at)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// `(interview id, candidate id, expires at)` of the invitation an ATS
/// already sent with these ids.
pub async fn by_external(
    db: &Db,
    source: &str,
    external_id: &str,
) -> Result<Option<(String, String, Millis)>, sqlx::Error> {
    sqlx::query(
        "SELECT i.id, i.candidate_id, i.expires_at FROM invitations v JOIN interviews i ON i.id = v.interview_id \
         WHERE v.external_source = $1 AND v.external_id = $2",
    )
    .bind(source)
    .bind(external_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| Ok((r.try_get("id")?, r.try_get("candidate_id")?, r.try_get("expires_at")?)))
    .transpose()
}

/// The invitation of interview `id` as recruiters see it, or `None`.
pub async fn view(db: &Db, id: &str) -> ApiResult<Option<Invitation>> {
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
    .fetch_optional(&db.pool)
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

/// Open interviews whose deadline falls in `(now, until]` and whose
/// reminder is not sent, soonest first.
pub async fn due_reminders(
    db: &Db,
    now: Millis,
    until: Millis,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(
        "SELECT i.id FROM interviews i JOIN invitations v ON v.interview_id = i.id \
         WHERE i.status IN ('invited', 'started') AND v.reminded_at IS NULL \
           AND i.expires_at > $1 AND i.expires_at <= $2 ORDER BY i.expires_at, i.id",
    )
    .bind(now)
    .bind(until)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect()
}

/// Open interviews past their deadline, oldest first.
pub async fn past_deadline(db: &Db, now: Millis) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(
        "SELECT id FROM interviews WHERE status IN ('invited', 'started') AND expires_at <= $1 \
         ORDER BY expires_at, id",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect()
}

/// Claims the reminder of interview `id`; `false` when a concurrent sweep
/// (another server) took it.
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    id: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE invitations SET reminded_at = $1 WHERE interview_id = $2 AND reminded_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// What a reminder says.
pub struct ReminderFacts {
    pub expires_at: Millis,
    pub name: String,
    pub email: String,
    pub title: String,
    pub question_count: i64,
    pub answered: i64,
}

pub async fn reminder_facts(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<ReminderFacts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.expires_at, c.name, c.email, r.title, \
           (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = i.question_set_id) AS question_count, \
           (SELECT COUNT(*) FROM responses s WHERE s.interview_id = i.id) AS answered \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE i.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(ReminderFacts {
        expires_at: row.try_get("expires_at")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        title: row.try_get("title")?,
        question_count: row.try_get("question_count")?,
        answered: row.try_get("answered")?,
    })
}

/// Expires interview `id` if it is still open and past `now`; returns
/// whether it did.
pub async fn expire(conn: &mut AnyConnection, id: &str, now: Millis) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE interviews SET status = 'expired' \
         WHERE id = $1 AND status IN ('invited', 'started') AND expires_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When an interview was invited and due, and the ATS ids it came with.
pub struct Window {
    pub invited_at: Millis,
    pub expires_at: Millis,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
}

pub async fn window(conn: &mut AnyConnection, id: &str) -> Result<Window, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.invited_at, i.expires_at, v.external_source, v.external_id FROM interviews i \
         LEFT JOIN invitations v ON v.interview_id = i.id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Window {
        invited_at: row.try_get("invited_at")?,
        expires_at: row.try_get("expires_at")?,
        external_source: row.try_get("external_source")?,
        external_id: row.try_get("external_id")?,
    })
}

/// Completes interview `id` if it is still open; returns whether it did.
pub async fn complete(
    conn: &mut AnyConnection,
    id: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE interviews SET status = 'completed', completed_at = $1 \
         WHERE id = $2 AND status IN ('invited', 'started')",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What completing an interview announces and routes by.
pub struct CompletionFacts {
    pub role_id: String,
    pub hiring_manager_email: Option<String>,
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub answered: i64,
}

pub async fn completion_facts(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<CompletionFacts, sqlx::Error> {
    let facts = sqlx::query(
        "SELECT i.job_role_id, r.hiring_manager_email, v.external_source, v.external_id, \
           (SELECT COUNT(*) FROM responses s WHERE s.interview_id = i.id) AS answered \
         FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
         LEFT JOIN invitations v ON v.interview_id = i.id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(CompletionFacts {
        role_id: facts.try_get("job_role_id")?,
        hiring_manager_email: facts.try_get("hiring_manager_email")?,
        external_source: facts.try_get("external_source")?,
        external_id: facts.try_get("external_id")?,
        answered: facts.try_get("answered")?,
    })
}

/// Up to `wanted` reviewers of the role's pool not yet on the interview,
/// least busy first (open assignments), then by name.
pub async fn least_busy_reviewers(
    conn: &mut AnyConnection,
    role_id: &str,
    interview_id: &str,
    wanted: i64,
) -> Result<Vec<WebhookUser>, sqlx::Error> {
    sqlx::query(
        "SELECT u.id, u.name, \
           (SELECT COUNT(*) FROM assignments a WHERE a.reviewer_id = u.id AND a.status <> 'submitted' AND a.withdrawn_at IS NULL) AS open_count \
         FROM role_reviewers rr JOIN users u ON u.id = rr.user_id \
         WHERE rr.job_role_id = $1 AND u.deactivated_at IS NULL \
           AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.interview_id = $2 AND x.reviewer_id = u.id) \
         ORDER BY open_count, u.name, u.id LIMIT $3",
    )
    .bind(role_id)
    .bind(interview_id)
    .bind(wanted)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(WebhookUser {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
        })
    })
    .collect()
}

/// The role's own `reviewers_per_interview`, if it sets one.
pub async fn reviewers_per_interview(
    conn: &mut AnyConnection,
    role_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    Ok(
        sqlx::query("SELECT reviewers_per_interview FROM job_roles WHERE id = $1")
            .bind(role_id)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>("reviewers_per_interview"))
            .transpose()?
            .flatten(),
    )
}

/// A role that can be invited to (not archived, with a question set), the
/// oldest first: what the demo invites its fresh candidate to.
pub async fn invitable_role(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sqlx::query(
        "SELECT r.id FROM job_roles r WHERE r.archived_at IS NULL \
           AND EXISTS (SELECT 1 FROM question_sets s JOIN questions q ON q.question_set_id = s.id \
                       WHERE s.job_role_id = r.id) \
         ORDER BY r.created_at, r.id LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await?
    .map(|r| r.try_get("id"))
    .transpose()
}
