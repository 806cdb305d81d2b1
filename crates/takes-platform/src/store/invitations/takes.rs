//! Takes a candidate started per question: the page asks before every
//! recording, so re-recording locally and uploading only the last take
//! still spends the allowance.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;

/// Takes started for a question of the interview (0 before the first).
pub async fn started(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_id: &str,
) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT started FROM question_takes WHERE interview_id = $1 AND question_id = $2",
    )
    .bind(interview_id)
    .bind(question_id)
    .fetch_optional(conn)
    .await?
    .map(|r| r.try_get("started"))
    .transpose()?
    .unwrap_or(0))
}

/// Starts one more take unless `limit` takes were started already; the
/// number of takes started after this one, or `None` when none is left.
/// One conditional update, so concurrent starts cannot both take the last.
pub async fn start(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_id: &str,
    limit: i64,
    at: Millis,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "INSERT INTO question_takes (interview_id, question_id, started, last_started_at) \
         VALUES ($1, $2, 0, $3) ON CONFLICT (interview_id, question_id) DO NOTHING",
    )
    .bind(interview_id)
    .bind(question_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE question_takes SET started = started + 1, last_started_at = $3 \
         WHERE interview_id = $1 AND question_id = $2 AND started < $4",
    )
    .bind(interview_id)
    .bind(question_id)
    .bind(at)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    started(conn, interview_id, question_id).await.map(Some)
}
