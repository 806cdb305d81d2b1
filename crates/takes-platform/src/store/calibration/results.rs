//! What the results show beyond the ratings: the items' rubrics, the notes
//! given with scores, the discussion notes, and the admin's reveal.

use sqlx::{AnyConnection, Row};
use takes_api::{CalibrationNote, Rubric};

use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;
use crate::ids::new_id;
use crate::store::assignments::rubric;

/// An item as the results show it.
pub struct ResultItem {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub rubric: Rubric,
}

/// A session's items in position order.
pub async fn result_items(
    conn: &mut AnyConnection,
    session_id: &str,
) -> ApiResult<Vec<ResultItem>> {
    let rows = sqlx::query(
        "SELECT id, position, prompt, competency, scale_min, scale_max, pass_score, anchors_json \
         FROM calibration_items WHERE session_id = $1 ORDER BY position",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ResultItem {
                id: row.try_get("id")?,
                position: row.try_get("position")?,
                prompt: row.try_get("prompt")?,
                competency: row.try_get("competency")?,
                rubric: rubric(row)?,
            })
        })
        .collect()
}

/// `(item_id, user_id, note)` of every score given with a note.
pub async fn score_notes(
    conn: &mut AnyConnection,
    session_id: &str,
) -> ApiResult<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT c.item_id, c.user_id, c.note FROM calibration_scores c \
         WHERE c.session_id = $1 AND c.note IS NOT NULL",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("item_id")?,
                r.try_get("user_id")?,
                r.try_get("note")?,
            ))
        })
        .collect()
}

/// A session's discussion notes, oldest first.
pub async fn notes(conn: &mut AnyConnection, session_id: &str) -> ApiResult<Vec<CalibrationNote>> {
    let rows = sqlx::query(
        "SELECT n.id, n.item_id, n.author_id, u.name, n.body, n.created_at FROM calibration_notes n \
         JOIN users u ON u.id = n.author_id WHERE n.session_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CalibrationNote {
                id: row.try_get("id")?,
                item_id: row.try_get("item_id")?,
                author_id: row.try_get("author_id")?,
                author_name: row.try_get("name")?,
                text: row.try_get("body")?,
                created_at: rfc3339(row.try_get("created_at")?),
            })
        })
        .collect()
}

/// Opens the results to every participant; `false` when they were open
/// already.
pub async fn reveal(
    conn: &mut AnyConnection,
    session_id: &str,
    by: &str,
    now: Millis,
) -> ApiResult<bool> {
    let updated = sqlx::query(
        "UPDATE calibration_sessions SET revealed_at = $1, revealed_by = $2 \
         WHERE id = $3 AND revealed_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(session_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated > 0)
}

pub async fn item_exists(
    conn: &mut AnyConnection,
    session_id: &str,
    item_id: &str,
) -> ApiResult<bool> {
    Ok(
        sqlx::query("SELECT 1 AS x FROM calibration_items WHERE id = $1 AND session_id = $2")
            .bind(item_id)
            .bind(session_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Adds a discussion note to an item and returns its id.
pub async fn add_note(
    conn: &mut AnyConnection,
    session_id: &str,
    item_id: &str,
    author_id: &str,
    text: &str,
    now: Millis,
) -> ApiResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO calibration_notes (id, session_id, item_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(session_id)
    .bind(item_id)
    .bind(author_id)
    .bind(text)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}
