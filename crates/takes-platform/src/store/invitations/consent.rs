//! The candidate's consent to being recorded, with the text version shown.

use sqlx::{AnyConnection, Row};

use crate::clock::{rfc3339, Millis};
use crate::ids::new_id;

/// Records the candidate's latest decision for the interview.
pub async fn record(
    conn: &mut AnyConnection,
    interview_id: &str,
    decision: &str,
    text_version: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO candidate_consents (interview_id, decision, text_version, decided_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (interview_id) DO UPDATE SET \
         decision = excluded.decision, text_version = excluded.text_version, decided_at = excluded.decided_at",
    )
    .bind(interview_id)
    .bind(decision)
    .bind(text_version)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The candidate's latest decision (`agreed` or `declined`), if any.
pub async fn decision(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT decision FROM candidate_consents WHERE interview_id = $1")
        .bind(interview_id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("decision"))
        .transpose()
}

/// Tells each recruiter of the interview's role, by email through the
/// outbox, that the candidate declined to be recorded, so nobody waits for
/// the window to run out. Once per interview and recruiter: a second
/// decline (or a change of mind and back) sends nothing more. Returns how
/// many emails were queued.
pub async fn notify_declined(
    conn: &mut AnyConnection,
    interview_id: &str,
    at: Millis,
    domain: &str,
) -> Result<usize, sqlx::Error> {
    let head = sqlx::query(
        "SELECT c.name, r.id AS role_id, r.title FROM interviews i \
         JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE i.id = $1",
    )
    .bind(interview_id)
    .fetch_one(&mut *conn)
    .await?;
    let candidate: String = head.try_get("name")?;
    let role_id: String = head.try_get("role_id")?;
    let title: String = head.try_get("title")?;
    let recruiters = crate::store::roles::view::recruiter_emails(&mut *conn, &role_id).await?;
    let mut queued = 0;
    for (name, email) in recruiters {
        let id = new_id();
        let body = format!(
            "Hello {name},\n\n{candidate} declined to be recorded for {title} on {}. \
             Nothing was recorded, and the interview will accept no answers. You may want \
             to offer {candidate} another way to be assessed.\n",
            rfc3339(at)
        );
        let done = sqlx::query(
            "INSERT INTO email_outbox (id, kind, dedupe_key, interview_id, to_address, subject, body, \
               message_id, state, attempts, next_attempt_at, created_at) \
             VALUES ($1, 'consent_declined', $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&id)
        .bind(format!("consent_declined:{interview_id}:{email}"))
        .bind(interview_id)
        .bind(&email)
        .bind(format!("Declined to record: {candidate}, {title}"))
        .bind(body)
        .bind(format!("<{id}@{domain}>"))
        .bind(at)
        .execute(&mut *conn)
        .await?;
        queued += done.rows_affected() as usize;
    }
    Ok(queued)
}
