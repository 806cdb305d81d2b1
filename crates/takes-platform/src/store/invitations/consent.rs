//! The candidate's consent to being recorded, with the text version shown.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;

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
