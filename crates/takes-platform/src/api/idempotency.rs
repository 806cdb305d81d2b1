//! `Idempotency-Key` for writes that clients retry (score writes): the
//! HTTP half. The key and a hash of the request are read here; the first
//! answer is stored by `store::idempotency` in the same transaction as the
//! write and replayed verbatim for the same key; the same key with a
//! different request is refused.

pub(super) mod score;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};
use crate::ids::sha256_hex;
use crate::store::idempotency::Answer;

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

/// A stored (or fresh) answer as the response it was.
pub fn respond(answer: Answer) -> Response {
    json_answer(answer.status, answer.body)
}

fn json_answer(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
