//! The email outbox: messages written by the transaction that causes them,
//! at most one per kind and interview, sent by the email worker under a
//! lease and retried until the SMTP server accepts them, or dead-lettered
//! (`state = 'dead'`) when they cannot be delivered. The candidate's access
//! secret is stored sealed and erased in both final states.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;
use crate::store::lease;

/// A rendered message about to be queued.
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    /// Messages with the same key are queued once.
    pub dedupe_key: &'a str,
    pub interview_id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub message_id: &'a str,
    pub secret: Option<String>,
    pub at: Millis,
}

/// Queues the message unless one with its dedupe key exists; returns
/// whether it was queued.
pub async fn enqueue(conn: &mut AnyConnection, m: NewMessage<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO email_outbox (id, kind, dedupe_key, interview_id, to_address, subject, body, \
           message_id, secret, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(m.id)
    .bind(m.kind)
    .bind(m.dedupe_key)
    .bind(m.interview_id)
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.message_id)
    .bind(m.secret)
    .bind(m.at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Messages not yet sent.
pub async fn pending_count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM email_outbox WHERE state = 'pending'")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")
}

/// A message due to be sent.
pub struct Due {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub secret: Option<String>,
    pub attempts: i64,
}

/// Pending messages due at `now` and not leased, at most `batch`.
pub async fn due(db: &Db, now: Millis, batch: i64) -> Result<Vec<Due>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, to_address, subject, body, message_id, secret, attempts FROM email_outbox \
         WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(batch)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                id: r.try_get("id")?,
                to: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                message_id: r.try_get("message_id")?,
                secret: r.try_get("secret")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

const QUEUE: lease::Queue = lease::Queue {
    table: "email_outbox",
    key: "id",
    also: "",
};

/// Leases a pending message until `until`; `false` when another worker
/// holds it or it was sent.
pub async fn claim(
    conn: &mut AnyConnection,
    id: &str,
    until: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    lease::take(conn, &QUEUE, id, None, until, now).await
}

/// The SMTP server accepted the message: the secret is forgotten.
pub async fn mark_sent(
    conn: &mut AnyConnection,
    id: &str,
    attempts: i64,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_outbox SET state = 'sent', sent_at = $1, attempts = $2, secret = NULL, \
           lease_until = NULL, last_error = NULL WHERE id = $3",
    )
    .bind(at)
    .bind(attempts)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The attempt failed: the message is due again at `retry_at`.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: &str,
    attempts: i64,
    retry_at: Millis,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, \
           lease_until = NULL WHERE id = $4",
    )
    .bind(attempts)
    .bind(retry_at)
    .bind(error)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The message cannot be delivered (refused for good, or out of
/// attempts): it is kept, with why, but the secret is erased.
pub async fn mark_dead(
    conn: &mut AnyConnection,
    id: &str,
    attempts: i64,
    at: Millis,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_outbox SET state = 'dead', dead_at = $1, attempts = $2, secret = NULL, \
           lease_until = NULL, last_error = $3 WHERE id = $4",
    )
    .bind(at)
    .bind(attempts)
    .bind(error)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Pending messages whose secret is still stored in plain text (queued by
/// a version before secrets were sealed): `(id, secret)`.
pub async fn unsealed(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, secret FROM email_outbox \
         WHERE state = 'pending' AND secret IS NOT NULL AND secret NOT LIKE 'v1:%'",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("secret")?)))
        .collect()
}

/// Replaces a plain secret by its sealed form (unless it changed meanwhile).
pub async fn reseal(
    conn: &mut AnyConnection,
    id: &str,
    plain: &str,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE email_outbox SET secret = $1 WHERE id = $2 AND secret = $3")
        .bind(sealed)
        .bind(id)
        .bind(plain)
        .execute(conn)
        .await?;
    Ok(())
}
