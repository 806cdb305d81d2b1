//! A candidate is identified by their invitation's access secret, never by a
//! user token: it opens exactly one interview and nothing else.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use takes_api::CANDIDATE_SECRET_HEADER;

use crate::clock::{rfc3339, Millis};
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

impl CandidateAccess {
    /// The secret opens the interview only while it can still be answered:
    /// once it is completed or its window has closed, every candidate
    /// endpoint answers 410 Gone, so a leaked link is worth nothing after
    /// the candidate is done.
    pub fn ensure_open(&self, now: Millis) -> Result<(), ApiError> {
        match self.status.as_str() {
            "completed" => Err(ApiError::new(
                StatusCode::GONE,
                "interview-completed",
                "the interview is completed: the answers were handed in and this access secret \
                 no longer opens it",
            )),
            "expired" => Err(closed(self.expires_at)),
            _ if now >= self.expires_at => Err(closed(self.expires_at)),
            _ => Ok(()),
        }
    }
}

/// The answer for an interview whose window has passed.
pub fn closed(expires_at: Millis) -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "expired",
        format!(
            "the interview closed at {}; this access secret no longer opens it and answers \
             are no longer accepted",
            rfc3339(expires_at)
        ),
    )
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

/// Nothing is recorded for the candidate before they agreed to it: an
/// upload without consent is refused (409, or 403 after a decline) before
/// any byte is kept. Checked again in the transaction that stores a take,
/// so a decline sent meanwhile wins.
pub async fn ensure_consented(
    conn: &mut sqlx::AnyConnection,
    interview_id: &str,
) -> Result<(), ApiError> {
    match crate::store::invitations::consent::decision(conn, interview_id)
        .await?
        .as_deref()
    {
        Some("agreed") => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "consent-declined",
            "the candidate declined consent to being recorded, so no answer is accepted; \
             agree first (PUT /v1/candidate/consent with decision \"agreed\") to record",
        )
        .with_field("consent")),
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent-required",
            "consent to being recorded is required before any upload: \
             PUT /v1/candidate/consent with decision \"agreed\" first",
        )
        .with_field("consent")),
    }
}
