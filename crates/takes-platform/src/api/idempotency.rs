//! `Idempotency-Key` for writes that clients retry (score writes): the first
//! answer is stored with a hash of the request, in the same transaction as
//! the write, and replayed verbatim for the same key; the same key with a
//! different request is refused.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::Row;

use crate::clock::Millis;
use crate::db::WriteTx;
use crate::error::{ApiError, ApiResult};
use crate::ids::sha256_hex;
use crate::state::AppState;

/// The request's key, if it sent one.
pub fn key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(takes_api::IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters")
                .with_field(takes_api::IDEMPOTENCY_KEY)
        })?;
    Ok(Some(key.to_string()))
}

/// What makes two requests "the same": the route and the body. Keys are per
/// user, shared by every idempotent route, so the route is part of the hash.
pub fn request_hash(route: &str, body: &impl serde::Serialize) -> ApiResult<String> {
    Ok(sha256_hex(
        format!("{route}\n{}", serde_json::to_string(body)?).as_bytes(),
    ))
}

pub fn json_answer(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The stored answer to an earlier request with this key, if any.
pub async fn replay(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
) -> ApiResult<Option<Response>> {
    let Some(row) =
        sqlx::query("SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2")
            .bind(user_id)
            .bind(key)
            .fetch_optional(conn)
            .await?
    else {
        return Ok(None);
    };
    if row.try_get::<String, _>("request_hash")? != request_hash {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            format!("Idempotency-Key {key:?} was already used for a different request"),
        )
        .with_field(takes_api::IDEMPOTENCY_KEY));
    }
    let status =
        StatusCode::from_u16(row.try_get::<i64, _>("status")? as u16).unwrap_or(StatusCode::OK);
    Ok(Some(json_answer(status, row.try_get("body")?)))
}

/// Stores the 200 answer `body` under `key` (when there is one) and commits
/// the write. If a concurrent request with the same key committed first
/// (PostgreSQL only; SQLite writers are serialised), this write is rolled
/// back and that request's answer is returned.
pub async fn commit_with_answer(
    state: &AppState,
    mut w: WriteTx,
    user_id: &str,
    key: Option<&str>,
    request_hash: &str,
    body: String,
    now: Millis,
) -> ApiResult<Response> {
    if let Some(key) = key {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, body, created_at) \
             VALUES ($1, $2, $3, 200, $4, $5) ON CONFLICT (user_id, idem_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(request_hash)
        .bind(&body)
        .bind(now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            w.tx.rollback().await?;
            let mut conn = state.db.pool.acquire().await?;
            return replay(&mut conn, user_id, key, request_hash)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict("a request with this Idempotency-Key is still in progress")
                });
        }
    }
    w.commit().await?;
    Ok(json_answer(StatusCode::OK, body))
}
