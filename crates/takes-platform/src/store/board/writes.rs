//! What the board changes besides decisions: who recruits for a role,
//! reminders of overdue reviewers and moving an assignment to another
//! reviewer of the role's pool.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::error::ApiResult;
use crate::ids::new_id;

/// Makes `user_id` a recruiter of the role (who may see and decide its
/// interviews on the board). Adding one twice is harmless.
pub async fn add_recruiter(
    c: &mut AnyConnection,
    now: Millis,
    role_id: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO role_recruiters (job_role_id, user_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (job_role_id, user_id) DO NOTHING",
    )
    .bind(role_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// The interview's role, after taking its row lock (PostgreSQL), so two
/// decisions on one interview cannot both see "undecided".
pub async fn lock_interview(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<String>> {
    sqlx::query("UPDATE interviews SET status = status WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    role_of(conn, id).await
}

/// The interview's role, if the interview exists.
pub async fn role_of(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<String>> {
    Ok(
        sqlx::query("SELECT job_role_id FROM interviews WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get("job_role_id"))
            .transpose()?,
    )
}

pub async fn recruits_for(
    conn: &mut AnyConnection,
    user_id: &str,
    role_id: &str,
) -> ApiResult<bool> {
    Ok(
        sqlx::query("SELECT user_id FROM role_recruiters WHERE job_role_id = $1 AND user_id = $2")
            .bind(role_id)
            .bind(user_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// An unsubmitted assignment past its due date.
pub struct Overdue {
    pub assignment_id: String,
    pub name: String,
    pub email: Option<String>,
    pub due_at: Millis,
}

pub async fn overdue(
    conn: &mut AnyConnection,
    interview_id: &str,
    now: Millis,
) -> ApiResult<Vec<Overdue>> {
    sqlx::query(
        "SELECT a.id, a.due_at, u.name, u.email FROM assignments a JOIN users u ON u.id = a.reviewer_id \
         WHERE a.interview_id = $1 AND a.status <> 'submitted' AND a.withdrawn_at IS NULL AND a.due_at < $2 \
         ORDER BY u.name",
    )
    .bind(interview_id)
    .bind(now)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Overdue {
            assignment_id: r.try_get("id")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            due_at: r.try_get("due_at")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(Into::into)
}

/// An assignment as reassignment needs it.
pub struct Held {
    pub interview_id: String,
    pub reviewer_id: String,
    pub reviewer: String,
    pub submitted: bool,
    pub withdrawn: bool,
    pub due_at: Millis,
}

pub async fn assignment(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<Held>> {
    Ok(sqlx::query(
        "SELECT a.interview_id, a.reviewer_id, u.name, a.status, a.due_at, a.withdrawn_at FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok::<_, sqlx::Error>(Held {
            interview_id: r.try_get("interview_id")?,
            reviewer_id: r.try_get("reviewer_id")?,
            reviewer: r.try_get("name")?,
            submitted: r.try_get::<String, _>("status")? == "submitted",
            withdrawn: r.try_get::<Option<Millis>, _>("withdrawn_at")?.is_some(),
            due_at: r.try_get("due_at")?,
        })
    })
    .transpose()?)
}

/// The name of an active reviewer of the role's pool, if `user_id` is one.
pub async fn pool_member(
    conn: &mut AnyConnection,
    role_id: &str,
    user_id: &str,
) -> ApiResult<Option<String>> {
    Ok(sqlx::query(
        "SELECT u.name FROM role_reviewers p JOIN users u ON u.id = p.user_id \
         WHERE p.job_role_id = $1 AND p.user_id = $2 AND u.deactivated_at IS NULL",
    )
    .bind(role_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .map(|r| r.try_get("name"))
    .transpose()?)
}

/// The active reviewers of the role's pool who are not on the interview:
/// (id, name), by name.
pub async fn free_pool(
    conn: &mut AnyConnection,
    role_id: &str,
    interview_id: &str,
) -> ApiResult<Vec<(String, String)>> {
    sqlx::query(
        "SELECT u.id, u.name FROM role_reviewers p JOIN users u ON u.id = p.user_id \
         WHERE p.job_role_id = $1 AND u.deactivated_at IS NULL AND u.id NOT IN \
           (SELECT a.reviewer_id FROM assignments a WHERE a.interview_id = $2) ORDER BY u.name",
    )
    .bind(role_id)
    .bind(interview_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(Into::into)
}

/// The user's place on the interview, if they have one.
pub enum OnInterview {
    Reviews,
    /// Withdrawn earlier; one user has one assignment per interview, so a
    /// withdrawn reviewer is not put back.
    Withdrawn,
}

pub async fn on_interview(
    conn: &mut AnyConnection,
    interview_id: &str,
    user_id: &str,
) -> ApiResult<Option<OnInterview>> {
    Ok(sqlx::query(
        "SELECT withdrawn_at FROM assignments WHERE interview_id = $1 AND reviewer_id = $2",
    )
    .bind(interview_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .map(|r| r.try_get::<Option<Millis>, _>("withdrawn_at"))
    .transpose()?
    .map(|w| match w {
        Some(_) => OnInterview::Withdrawn,
        None => OnInterview::Reviews,
    }))
}

/// Withdraws an assignment: the row stays (marked, with who withdrew it)
/// so ids in the audit log and in webhooks still resolve, and its draft
/// scores are removed, returned as JSON for the audit log, the one place
/// they are kept, so that they count nowhere.
pub async fn withdraw(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    now: Millis,
) -> ApiResult<Vec<serde_json::Value>> {
    let scores = sqlx::query(
        "SELECT question_id, rating, muted_rating, note, evidence_json, updated_at FROM scores \
         WHERE assignment_id = $1 ORDER BY question_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(serde_json::json!({
            "question_id": r.try_get::<String, _>("question_id")?,
            "rating": r.try_get::<i64, _>("rating")?,
            "muted_rating": r.try_get::<Option<i64>, _>("muted_rating")?,
            "note": r.try_get::<Option<String>, _>("note")?,
            "evidence": r.try_get::<String, _>("evidence_json")?,
            "updated_at": r.try_get::<i64, _>("updated_at")?,
        }))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    sqlx::query("DELETE FROM scores WHERE assignment_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE assignments SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(scores)
}

/// A reviewer reminder in the email outbox (each reminder is its own
/// message, so the dedupe key carries the time).
pub struct ReviewerReminder<'a> {
    pub interview_id: &'a str,
    pub assignment_id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub domain: &'a str,
    pub at: Millis,
}

pub async fn queue_reminder(conn: &mut AnyConnection, r: ReviewerReminder<'_>) -> ApiResult<bool> {
    let id = new_id();
    let message_id = format!("<{id}@{}>", r.domain);
    let dedupe = format!("reviewer_reminder:{}:{}", r.assignment_id, r.at);
    Ok(crate::store::email::enqueue(
        conn,
        crate::store::email::NewMessage {
            id: &id,
            kind: "reviewer_reminder",
            dedupe_key: &dedupe,
            interview_id: r.interview_id,
            to: r.to,
            subject: r.subject,
            body: r.body,
            message_id: &message_id,
            secret: None,
            at: r.at,
        },
    )
    .await?)
}

/// Deliveries of an event whose newest attempt per endpoint gave up.
pub async fn failed_deliveries(conn: &mut AnyConnection, event_id: &str) -> ApiResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id, endpoint_id, state FROM webhook_deliveries WHERE event_id = $1 ORDER BY created_at, id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await?;
    let mut latest: Vec<(String, String, String)> = Vec::new();
    for r in &rows {
        let (id, endpoint, state): (String, String, String) = (
            r.try_get("id")?,
            r.try_get("endpoint_id")?,
            r.try_get("state")?,
        );
        latest.retain(|(_, e, _)| *e != endpoint);
        latest.push((id, endpoint, state));
    }
    Ok(latest
        .into_iter()
        .filter(|(_, _, s)| s == "dead")
        .map(|(id, _, _)| id)
        .collect())
}
