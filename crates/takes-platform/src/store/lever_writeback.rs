//! The calls owed to the Lever API (notes, tags, stage moves): one row
//! each, written by the transaction that owes it, claimed with a lease by
//! the worker that sends it, and listed for admins.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;
use crate::ids::new_id;

/// The Lever opportunity an interview was invited for, if it came from
/// Lever (the invitation's ATS id).
pub async fn opportunity_of(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query(
        "SELECT external_id FROM invitations WHERE interview_id = $1 AND external_source = 'lever'",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?
    .map(|r| r.try_get("external_id"))
    .transpose()
}

/// Whether anything is owed for this event already.
pub async fn event_known(conn: &mut AnyConnection, event_key: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT 1 AS one FROM lever_writebacks WHERE event_key = $1 LIMIT 1")
        .bind(event_key)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// A call to owe.
pub struct NewWriteback<'a> {
    pub interview_id: &'a str,
    pub opportunity_id: &'a str,
    pub event_key: &'a str,
    /// `note`, `tags` or `stage`.
    pub action: &'a str,
    pub body: &'a str,
    pub marker: Option<&'a str>,
    pub at: Millis,
}

/// Owes a call, after the interview's earlier ones; a call already owed
/// for this event is kept as it is. The caller holds the interview's
/// event stream lock, so `seq` cannot be taken twice.
pub async fn owe(conn: &mut AnyConnection, w: NewWriteback<'_>) -> Result<(), sqlx::Error> {
    let seq: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM lever_writebacks WHERE interview_id = $1",
    )
    .bind(w.interview_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("next")?;
    sqlx::query(
        "INSERT INTO lever_writebacks (id, interview_id, seq, opportunity_id, event_key, action, \
           body, marker, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9) \
         ON CONFLICT (event_key, action) DO NOTHING",
    )
    .bind(new_id())
    .bind(w.interview_id)
    .bind(seq)
    .bind(w.opportunity_id)
    .bind(w.event_key)
    .bind(w.action)
    .bind(w.body)
    .bind(w.marker)
    .bind(w.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A call due to be sent.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub interview_id: String,
    pub opportunity_id: String,
    pub action: String,
    pub body: String,
    pub marker: Option<String>,
    pub attempts: i64,
    pub first_attempt_at: Option<Millis>,
    /// An earlier attempt may have reached Lever unanswered.
    pub maybe_sent_at: Option<Millis>,
}

/// Pending calls due at `now`, not leased, and not behind an earlier
/// pending call of the same interview; at most `batch`.
pub async fn due(db: &Db, now: Millis, batch: i64) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query(
        "SELECT w.id, w.interview_id, w.opportunity_id, w.action, w.body, w.marker, w.attempts, \
           w.first_attempt_at, w.maybe_sent_at FROM lever_writebacks w \
         WHERE w.state = 'pending' AND w.next_attempt_at <= $1 \
           AND (w.lease_until IS NULL OR w.lease_until <= $1) \
           AND NOT EXISTS (SELECT 1 FROM lever_writebacks e WHERE e.interview_id = w.interview_id \
                AND e.seq < w.seq AND e.state = 'pending') \
         ORDER BY w.next_attempt_at, w.created_at, w.seq LIMIT $2",
    )
    .bind(now)
    .bind(batch)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Due {
            id: r.try_get("id")?,
            interview_id: r.try_get("interview_id")?,
            opportunity_id: r.try_get("opportunity_id")?,
            action: r.try_get("action")?,
            body: r.try_get("body")?,
            marker: r.try_get("marker")?,
            attempts: r.try_get("attempts")?,
            first_attempt_at: r.try_get("first_attempt_at")?,
            maybe_sent_at: r.try_get("maybe_sent_at")?,
        })
    })
    .collect()
}

/// Leases a call to `owner` until `until` and counts the attempt as
/// started (so a crash during it is known afterwards), unless another
/// worker took or finished it since `seen` was read.
pub async fn claim(
    conn: &mut AnyConnection,
    seen: &Due,
    owner: &str,
    until: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE lever_writebacks SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, \
           first_attempt_at = COALESCE(first_attempt_at, $3), last_attempt_at = $3, \
           maybe_sent_at = $3 \
         WHERE id = $4 AND state = 'pending' AND attempts = $5 \
           AND (lease_until IS NULL OR lease_until <= $3)",
    )
    .bind(owner)
    .bind(until)
    .bind(now)
    .bind(&seen.id)
    .bind(seen.attempts)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Where a call stands after an attempt.
pub struct Finish<'a> {
    /// `pending`, `delivered` or `failed`.
    pub state: &'a str,
    pub next_attempt_at: Millis,
    pub status: Option<u16>,
    pub error: Option<&'a str>,
    /// The attempt may have reached Lever without an answer.
    pub maybe_sent: bool,
    pub finished_at: Option<Millis>,
}

/// Records an attempt and releases the lease, if `owner` still holds it.
pub async fn finish(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    f: Finish<'_>,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE lever_writebacks SET state = $1, next_attempt_at = $2, last_status = $3, \
           last_error = $4, maybe_sent_at = CASE WHEN $5 = 1 THEN maybe_sent_at ELSE NULL END, \
           finished_at = $6, lease_owner = NULL, lease_until = NULL \
         WHERE id = $7 AND lease_owner = $8 AND state = 'pending'",
    )
    .bind(f.state)
    .bind(f.next_attempt_at)
    .bind(f.status.map(i64::from))
    .bind(f.error)
    .bind(i64::from(f.maybe_sent))
    .bind(f.finished_at)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// A call as admins see it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub interview_id: String,
    pub opportunity_id: String,
    pub event_key: String,
    pub action: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Millis>,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

const LISTED: &str = "id, interview_id, opportunity_id, event_key, action, state, attempts, \
     next_attempt_at, last_status, last_error, last_attempt_at, created_at, finished_at";

fn listed(r: &sqlx::any::AnyRow) -> Result<Listed, sqlx::Error> {
    Ok(Listed {
        id: r.try_get("id")?,
        interview_id: r.try_get("interview_id")?,
        opportunity_id: r.try_get("opportunity_id")?,
        event_key: r.try_get("event_key")?,
        action: r.try_get("action")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// Calls, newest first, in `state` when given.
pub async fn list(db: &Db, state: Option<&str>, limit: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {LISTED} FROM lever_writebacks WHERE ($1 = '' OR state = $1) \
         ORDER BY created_at DESC, interview_id, seq DESC LIMIT $2"
    ))
    .bind(state.unwrap_or_default())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(listed)
    .collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Listed>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {LISTED} FROM lever_writebacks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(listed)
    .transpose()
}

/// Makes a failed call due again at `now` with a fresh retry schedule;
/// whether it was failed.
pub async fn retry(conn: &mut AnyConnection, id: &str, now: Millis) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE lever_writebacks SET state = 'pending', attempts = 0, first_attempt_at = NULL, \
           next_attempt_at = $1, finished_at = NULL WHERE id = $2 AND state = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
