//! A candidate is identified by their invitation's access secret, never by a
//! user token: it opens exactly one interview and nothing else.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use takes_api::CANDIDATE_SECRET_HEADER;

use crate::clock::Millis;
use crate::error::ApiError;
use crate::ids::hash_token;
use crate::state::AppState;
use crate::store::invitations::responses;

/// The interview the presented secret opens.
#[derive(Debug, Clone)]
pub struct CandidateAccess {
    pub interview_id: String,
    pub status: String,
    pub expires_at: Millis,
    pub question_set_id: String,
}

fn presented(parts: &Parts) -> Result<String, ApiError> {
    if let Some(v) = parts.headers.get(CANDIDATE_SECRET_HEADER) {
        let s = v.to_str().map_err(|_| {
            ApiError::unauthorized(format!("{CANDIDATE_SECRET_HEADER} is not text"))
                .with_field(CANDIDATE_SECRET_HEADER)
        })?;
        return Ok(s.trim().to_string());
    }
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing `Authorization: Bearer SECRET` with the access secret from the invitation",
            )
            .with_field("Authorization")
        })?
        .to_str()
        .map_err(|_| {
            ApiError::unauthorized("Authorization header is not text").with_field("Authorization")
        })?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("Authorization header must be `Bearer SECRET`")
                .with_field("Authorization")
        })
}

impl FromRequestParts<AppState> for CandidateAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = presented(parts)?;
        let (interview_id, status, expires_at, question_set_id) =
            responses::by_secret_hash(&state.db, &hash_token(&secret))
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "the access secret (token) is not one this server issued",
                    )
                    .with_field("Authorization")
                })?;
        Ok(CandidateAccess {
            interview_id,
            status,
            expires_at,
            question_set_id,
        })
    }
}
