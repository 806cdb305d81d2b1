//! The acknowledgement a completed interview sent the candidate, read back
//! so the page's done step shows the very text of the email.

use sqlx::{AnyConnection, Row};

/// The body of interview `id`'s acknowledgement email, if one was queued.
pub async fn body(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT body FROM email_outbox WHERE dedupe_key = $1")
        .bind(format!("acknowledgement:{interview_id}"))
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("body"))
        .transpose()
}

/// When interview `id` was completed, if it was.
pub async fn completed_at(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query("SELECT completed_at FROM interviews WHERE id = $1")
        .bind(interview_id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<Option<i64>, _>("completed_at"))
        .transpose()
        .map(Option::flatten)
}
