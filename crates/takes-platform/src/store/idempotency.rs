//! Stored answers to writes made with an Idempotency-Key: the first answer
//! is kept with a hash of its request, in the same transaction as the
//! write, so a retry gets it back instead of writing again.

use axum::http::StatusCode;
use sqlx::Row;

use crate::clock::Millis;
use crate::db::{Db, WriteTx};
use crate::error::{ApiError, ApiResult};

/// Who asked, with which key, for what. Keys are per user; the hash names
/// the request (route and body).
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub user_id: &'a str,
    pub key: Option<&'a str>,
    pub request_hash: &'a str,
}

/// A JSON answer, as sent the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
}

/// The stored answer to an earlier request with this claim's key, if any.
/// The same key with a different request is a 422.
pub async fn stored(conn: &mut sqlx::AnyConnection, claim: Claim<'_>) -> ApiResult<Option<Answer>> {
    let Some(key) = claim.key else {
        return Ok(None);
    };
    let Some(row) = sqlx::query(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(claim.user_id)
    .bind(key)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    if row.try_get::<String, _>("request_hash")? != claim.request_hash {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            format!("Idempotency-Key {key:?} was already used for a different request"),
        )
        .with_field(takes_api::IDEMPOTENCY_KEY));
    }
    let status = u16::try_from(row.try_get::<i64, _>("status")?)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    Ok(Some(Answer {
        status,
        body: row.try_get("body")?,
    }))
}

/// Stores the 200 answer `body` under the claim's key (when there is one)
/// and commits the write. If a concurrent request with the same key
/// committed first (PostgreSQL only; SQLite writers are serialised), this
/// write is rolled back and that request's answer is returned.
pub async fn commit(
    db: &Db,
    mut w: WriteTx,
    claim: Claim<'_>,
    body: String,
    now: Millis,
) -> ApiResult<Answer> {
    if let Some(key) = claim.key {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, body, created_at) \
             VALUES ($1, $2, $3, 200, $4, $5) ON CONFLICT (user_id, idem_key) DO NOTHING",
        )
        .bind(claim.user_id)
        .bind(key)
        .bind(claim.request_hash)
        .bind(&body)
        .bind(now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            w.tx.rollback().await?;
            let mut conn = db.pool.acquire().await?;
            return stored(&mut conn, claim).await?.ok_or_else(|| {
                ApiError::conflict("a request with this Idempotency-Key is still in progress")
            });
        }
    }
    w.commit().await?;
    Ok(Answer {
        status: StatusCode::OK,
        body,
    })
}
