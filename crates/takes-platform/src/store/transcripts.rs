//! The transcription queue: one row per accepted answer whose transcript the
//! background stage owes (`pending`), has written (`done`) or gave up on
//! (`failed`, with the reason admins see). Written by the transaction that
//! accepts the answer, claimed under a lease by the transcription worker.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;
use crate::store::lease;

/// Queues the transcription of `response_id`, accepted at `now`; a retake
/// starts the job afresh (attempts and error cleared). Call it in the
/// transaction that writes the response, so no answer goes untranscribed.
pub async fn enqueue(
    conn: &mut AnyConnection,
    response_id: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO transcriptions (response_id, state, attempts, next_attempt_at, created_at, updated_at) \
         VALUES ($1, 'pending', 0, $2, $2, $2) \
         ON CONFLICT (response_id) DO UPDATE SET state = 'pending', attempts = 0, last_error = NULL, \
           next_attempt_at = $2, lease_until = NULL, updated_at = $2",
    )
    .bind(response_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a response's transcript stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// No job: the transcript stored with the response is final.
    Untracked,
    Pending {
        attempts: i64,
        last_error: Option<String>,
    },
    Done,
    Failed {
        reason: String,
    },
}

pub async fn state_of(db: &Db, response_id: &str) -> Result<State, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT state, attempts, last_error FROM transcriptions WHERE response_id = $1",
    )
    .bind(response_id)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(State::Untracked);
    };
    let state: String = row.try_get("state")?;
    let last_error: Option<String> = row.try_get("last_error")?;
    Ok(match state.as_str() {
        "done" => State::Done,
        "failed" => State::Failed {
            reason: last_error.unwrap_or_default(),
        },
        _ => State::Pending {
            attempts: row.try_get("attempts")?,
            last_error,
        },
    })
}

/// A job due for an attempt.
pub struct Due {
    pub response_id: String,
    pub attempts: i64,
    pub storage_key: String,
}

/// Pending jobs due at `now` and not leased, oldest first, at most `batch`.
pub async fn due(db: &Db, now: Millis, batch: i64) -> Result<Vec<Due>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.response_id, t.attempts, m.storage_key FROM transcriptions t \
         JOIN responses r ON r.id = t.response_id JOIN media_objects m ON m.id = r.media_object_id \
         WHERE t.state = 'pending' AND t.next_attempt_at <= $1 \
           AND (t.lease_until IS NULL OR t.lease_until <= $1) \
         ORDER BY t.next_attempt_at, t.response_id LIMIT $2",
    )
    .bind(now)
    .bind(batch)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                response_id: r.try_get("response_id")?,
                attempts: r.try_get("attempts")?,
                storage_key: r.try_get("storage_key")?,
            })
        })
        .collect()
}

const QUEUE: lease::Queue = lease::Queue {
    table: "transcriptions",
    key: "response_id",
    also: "",
};

/// Leases a pending job until `until`; `false` when another worker holds it
/// or it is no longer pending.
pub async fn claim(
    conn: &mut AnyConnection,
    response_id: &str,
    until: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    lease::take(conn, &QUEUE, response_id, None, until, now).await
}

/// Stores the transcript (JSON cues) and closes the job. The take must still
/// be `storage_key`: a retake uploaded during the attempt is left pending.
pub async fn mark_done(
    conn: &mut AnyConnection,
    response_id: &str,
    storage_key: &str,
    cues_json: &str,
    engine: &str,
    at: Millis,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE responses SET transcript_json = $1 WHERE id = $2 AND media_object_id IN \
           (SELECT id FROM media_objects WHERE storage_key = $3)",
    )
    .bind(cues_json)
    .bind(response_id)
    .bind(storage_key)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE transcriptions SET state = 'done', attempts = attempts + 1, last_error = NULL, \
           lease_until = NULL, engine = $1, updated_at = $2 WHERE response_id = $3",
    )
    .bind(engine)
    .bind(at)
    .bind(response_id)
    .execute(conn)
    .await?;
    Ok(true)
}

/// The attempt failed: due again at `retry_at`, or, with `retry_at` `None`,
/// failed for good with `error` as the reason.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    response_id: &str,
    attempts: i64,
    retry_at: Option<Millis>,
    error: &str,
    engine: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    let state = if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    };
    sqlx::query(
        "UPDATE transcriptions SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
           engine = $5, lease_until = NULL, updated_at = $6 WHERE response_id = $7",
    )
    .bind(state)
    .bind(attempts)
    .bind(retry_at.unwrap_or(at))
    .bind(error)
    .bind(engine)
    .bind(at)
    .bind(response_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A transcription that failed for good, or is failing and being retried.
pub struct Failure {
    pub response_id: String,
    pub interview_id: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: String,
    pub engine: Option<String>,
    pub next_attempt_at: Option<Millis>,
    pub updated_at: Millis,
}

/// Failed jobs and pending ones whose last attempt failed, newest first.
pub async fn failures(db: &Db, limit: i64) -> Result<Vec<Failure>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.response_id, r.interview_id, t.state, t.attempts, t.last_error, t.engine, \
           t.next_attempt_at, t.updated_at FROM transcriptions t JOIN responses r ON r.id = t.response_id \
         WHERE t.state = 'failed' OR (t.state = 'pending' AND t.last_error IS NOT NULL) \
         ORDER BY t.updated_at DESC, t.response_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            let next: Millis = r.try_get("next_attempt_at")?;
            Ok(Failure {
                response_id: r.try_get("response_id")?,
                interview_id: r.try_get("interview_id")?,
                next_attempt_at: (state == "pending").then_some(next),
                state,
                attempts: r.try_get("attempts")?,
                last_error: r
                    .try_get::<Option<String>, _>("last_error")?
                    .unwrap_or_default(),
                engine: r.try_get("engine")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect()
}
