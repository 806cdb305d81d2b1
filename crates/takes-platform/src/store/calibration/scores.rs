//! Participants' scores on a session's items, their submit (which locks
//! them), and the items × raters table of submitted ratings.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use takes_api::CalibrationScore;

use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;

fn score_row(row: &AnyRow) -> ApiResult<CalibrationScore> {
    Ok(CalibrationScore {
        item_id: row.try_get("item_id")?,
        rating: row.try_get("rating")?,
        note: row.try_get("note")?,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
    })
}

/// `user_id`'s scores in a session, in item order.
pub async fn my_scores(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
) -> ApiResult<Vec<CalibrationScore>> {
    let rows = sqlx::query(
        "SELECT c.item_id, c.rating, c.note, c.created_at, c.updated_at FROM calibration_scores c \
         JOIN calibration_items ci ON ci.id = c.item_id \
         WHERE c.session_id = $1 AND c.user_id = $2 ORDER BY ci.position",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(score_row).collect()
}

/// One stored score.
pub async fn score_of(
    conn: &mut AnyConnection,
    item_id: &str,
    user_id: &str,
) -> ApiResult<CalibrationScore> {
    let row = sqlx::query(
        "SELECT item_id, rating, note, created_at, updated_at FROM calibration_scores \
         WHERE item_id = $1 AND user_id = $2",
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    score_row(&row)
}

/// The scale of an item of the session, if it is one.
pub async fn item_scale(
    conn: &mut AnyConnection,
    session_id: &str,
    item_id: &str,
) -> ApiResult<Option<(i64, i64)>> {
    let Some(item) = sqlx::query(
        "SELECT scale_min, scale_max FROM calibration_items WHERE id = $1 AND session_id = $2",
    )
    .bind(item_id)
    .bind(session_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        item.try_get("scale_min")?,
        item.try_get("scale_max")?,
    )))
}

/// Writes (or replaces) a participant's score, `false` (writing nothing)
/// when they have submitted meanwhile.
pub async fn put_score(
    conn: &mut AnyConnection,
    session_id: &str,
    item_id: &str,
    user_id: &str,
    rating: i64,
    note: Option<&str>,
    now: Millis,
) -> ApiResult<bool> {
    // Taking the participant row's lock (and re-checking it is unsubmitted)
    // orders this write against a concurrent submit on PostgreSQL: whichever
    // commits first, a score never lands after the lock.
    let touched = sqlx::query(
        "UPDATE calibration_participants SET updated_at = $1 \
         WHERE session_id = $2 AND user_id = $3 AND submitted_at IS NULL",
    )
    .bind(now)
    .bind(session_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if touched == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO calibration_scores (session_id, item_id, user_id, rating, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (item_id, user_id) DO UPDATE SET \
           rating = excluded.rating, note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(session_id)
    .bind(item_id)
    .bind(user_id)
    .bind(rating)
    .bind(note.map(str::to_string))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Holds `user_id`'s participant row until the transaction ends, so a
/// submit reads its time only after every score write that got the row
/// first has committed (their `updated_at` then never passes the
/// `submitted_at`). On PostgreSQL this is `SELECT ... FOR UPDATE`; SQLite
/// needs no row lock, as `Db::begin_write` runs one writer at a time.
pub async fn lock_participant(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
) -> ApiResult<()> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    sqlx::query(&format!(
        "SELECT user_id FROM calibration_participants WHERE session_id = $1 AND user_id = $2{lock}"
    ))
    .bind(session_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(())
}

/// Locks a participant's scores; `false` when they had already submitted.
/// Run it before [`unscored_positions`] so that the participant row is held
/// while completeness is checked (see [`put_score`]).
pub async fn submit(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE calibration_participants SET submitted_at = $1, updated_at = $1 \
         WHERE session_id = $2 AND user_id = $3 AND submitted_at IS NULL",
    )
    .bind(now)
    .bind(session_id)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated > 0)
}

/// Positions of the items `user_id` has not scored, in order.
pub async fn unscored_positions(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
) -> ApiResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT ci.position FROM calibration_items ci WHERE ci.session_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM calibration_scores c WHERE c.item_id = ci.id AND c.user_id = $2) \
         ORDER BY ci.position",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i64, _>("position"))
        .collect::<Result<_, _>>()?)
}

/// Raters (submitted participants, by name) and the items × raters table of
/// their ratings, items in position order.
pub async fn submitted_table(
    conn: &mut AnyConnection,
    session_id: &str,
) -> ApiResult<(Vec<String>, Vec<Vec<Option<i64>>>)> {
    let raters: Vec<String> = sqlx::query(
        "SELECT p.user_id FROM calibration_participants p JOIN users u ON u.id = p.user_id \
         WHERE p.session_id = $1 AND p.submitted_at IS NOT NULL ORDER BY u.name, p.user_id",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("user_id"))
    .collect::<Result<_, _>>()?;
    let items = super::sessions::item_ids(conn, session_id).await?;
    let mut table = vec![vec![None; raters.len()]; items.len()];
    let scores = sqlx::query(
        "SELECT c.item_id, c.user_id, c.rating FROM calibration_scores c \
         JOIN calibration_participants p ON p.session_id = c.session_id AND p.user_id = c.user_id \
         WHERE c.session_id = $1 AND p.submitted_at IS NOT NULL",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    for s in &scores {
        let item: String = s.try_get("item_id")?;
        let user: String = s.try_get("user_id")?;
        if let (Some(u), Some(r)) = (
            items.iter().position(|i| *i == item),
            raters.iter().position(|r| *r == user),
        ) {
            if let Some(cell) = table.get_mut(u).and_then(|row| row.get_mut(r)) {
                *cell = Some(s.try_get::<i64, _>("rating")?);
            }
        }
    }
    Ok((raters, table))
}
