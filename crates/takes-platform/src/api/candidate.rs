//! The candidate's own API, authenticated by the invitation's access secret
//! (`Authorization: Bearer SECRET` or `X-Candidate-Secret`), never by a user
//! token.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use takes_api::{
    CandidateInterview, CandidateQuestion, CandidateUpload, InterviewStatus, Problem, Recording,
    WebhookJobRole,
};

use crate::candidate::access::CandidateAccess;
use crate::candidate::upload::{self, Upload};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::state::AppState;
use crate::store::invitations::responses;

/// The candidate's interview: questions, deadline, retakes left.
#[utoipa::path(get, path = "/v1/candidate/interview", tag = "candidate",
    security(("candidate_secret" = [])),
    responses((status = 200, body = CandidateInterview), (status = 401, body = Problem),
              (status = 410, body = Problem, description = "The interview is completed or its window has closed")))]
pub async fn interview(
    State(state): State<AppState>,
    access: CandidateAccess,
) -> ApiResult<axum::Json<CandidateInterview>> {
    access.ensure_open(state.clock.now())?;
    let head = responses::head(&state.db, &access.interview_id).await?;
    let retakes_allowed = head.retakes_allowed;
    let rows =
        responses::questions(&state.db, &access.interview_id, &access.question_set_id).await?;
    let mut questions = Vec::with_capacity(rows.len());
    for r in rows {
        let used = r.retakes_used;
        questions.push(CandidateQuestion {
            id: r.id,
            position: r.position,
            prompt: r.prompt,
            time_limit_s: r.time_limit_s,
            answered: used.is_some(),
            retakes_used: used.unwrap_or(0),
            retakes_left: match used {
                Some(u) => (retakes_allowed - u).max(0),
                None => retakes_allowed,
            },
        });
    }
    Ok(axum::Json(CandidateInterview {
        interview_id: access.interview_id.clone(),
        candidate_name: head.candidate_name,
        role: WebhookJobRole {
            id: head.role_id,
            title: head.title,
            department: head.department,
        },
        status: InterviewStatus::parse(&access.status).ok_or_else(|| {
            ApiError::internal(format!(
                "stored interview status {:?} is unknown",
                access.status
            ))
        })?,
        expires_at: rfc3339(access.expires_at),
        retakes_allowed,
        intro_video_url: head.intro_video_url,
        support_contact: state.config.email.support_contact.clone(),
        max_upload_bytes: state.config.invitations.max_upload_bytes,
        questions,
    }))
}

/// Uploads the answer to one question (the raw video as the body, WebM or
/// MP4). It is checked with ffprobe before it is accepted; a second upload
/// is a retake (`409` past the allowance); repeating an accepted upload
/// (same `Idempotency-Key`, or the same bytes) answers `200` and uses no
/// retake, while the same key with other bytes is a `422`. When every
/// question has an answer the interview is completed; after that, or once
/// the window has closed, uploads answer `410` (but for a retry of the
/// final upload, which still answers `200`).
#[utoipa::path(put, path = "/v1/candidate/responses/{question_id}", tag = "candidate",
    security(("candidate_secret" = [])),
    params(("question_id" = String, Path, description = "Question id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried upload safe")),
    request_body(content = Recording, content_type = "video/webm", description = "The recording: WebM or MP4 (`video/mp4`)"),
    responses((status = 201, body = CandidateUpload, description = "Stored as the final take"),
              (status = 200, body = CandidateUpload, description = "A repeat of the stored take; nothing changed"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 410, body = Problem), (status = 413, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_response(
    State(state): State<AppState>,
    access: CandidateAccess,
    Path(question_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, axum::Json<CandidateUpload>)> {
    let idempotency_key = match headers.get(takes_api::IDEMPOTENCY_KEY) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::invalid("Idempotency-Key", "Idempotency-Key is not text"))?
                .to_string(),
        ),
        None => None,
    };
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<u64>().ok());
    let stored = upload::store(
        &state,
        access,
        Upload {
            question_id,
            idempotency_key,
            declared_len,
            body,
        },
    )
    .await?;
    let status = if stored.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(stored.answer)))
}
