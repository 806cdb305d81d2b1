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
