//! The candidate's own API, authenticated by the invitation's access secret
//! (`Authorization: Bearer SECRET` or `X-Candidate-Secret`), never by a user
//! token.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use takes_api::accommodations::{CandidateOptions, SpeedTest, SPEED_TEST_MAX_BYTES};
use takes_api::{
    CandidateConsent, CandidateInterview, CandidateQuestion, CandidateTake, CandidateUpload,
    InterviewStatus, Problem, Recording, ResumableUpload, WebhookJobRole,
};

use crate::candidate::access::CandidateAccess;
use crate::candidate::page;
use crate::candidate::resumable::{self, Appended};
use crate::candidate::upload::{self, Upload};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::invitations::{consent, responses};

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
    let granted = crate::candidate::terms::granted(&state, &access.interview_id).await?;
    let consented = {
        let mut conn = state.db.pool.acquire().await?;
        consent::decision(&mut conn, &access.interview_id)
            .await?
            .as_deref()
            == Some("agreed")
    };
    let retakes_allowed = head.retakes_allowed + granted.extra_retakes;
    let rows =
        responses::questions(&state.db, &access.interview_id, &access.question_set_id).await?;
    let mut questions = Vec::with_capacity(rows.len());
    for r in rows {
        // Every take started counts, uploaded or not.
        let used = r.retakes_used.unwrap_or(0).max(r.takes_started - 1).max(0);
        questions.push(CandidateQuestion {
            id: r.id,
            position: r.position,
            prompt: r.prompt,
            time_limit_s: r.time_limit_s + granted.extra_seconds_per_question,
            answered: r.retakes_used.is_some(),
            retakes_used: used,
            retakes_left: if r.retakes_used.is_none() && r.takes_started == 0 {
                retakes_allowed
            } else {
                (retakes_allowed - used).max(0)
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
        intro_captions: head
            .intro_captions
            .map(|(id, language)| takes_api::IntroCaptions {
                url: crate::process::captions::url(&id),
                language,
            }),
        support_contact: state.config.email.support_contact.clone(),
        max_upload_bytes: state.config.invitations.max_upload_bytes,
        questions,
        options: CandidateOptions {
            audio_only: head.allow_audio_only || granted.audio_only,
            low_resolution: head.allow_low_resolution,
            extra_seconds_per_question: granted.extra_seconds_per_question,
            extra_retakes: granted.extra_retakes,
        },
        consented,
    }))
}

/// Starts a take of a question, before the page records it: every take
/// started counts against the retake allowance, uploaded or not. Answers
/// what is left; `409` naming `question_id` when the allowance is used up.
/// A resumable upload must belong to a started take; a whole-body `PUT`
/// starts its own.
#[utoipa::path(post, path = "/v1/candidate/responses/{question_id}/takes", tag = "candidate",
    security(("candidate_secret" = [])),
    params(("question_id" = String, Path, description = "Question id")),
    responses((status = 201, body = CandidateTake, description = "Started"),
              (status = 401, body = Problem),
              (status = 403, body = Problem, description = "The candidate declined consent to being recorded"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "No consent to being recorded yet, or no retakes left"),
              (status = 410, body = Problem)))]
pub async fn start_take(
    State(state): State<AppState>,
    access: CandidateAccess,
    Path(question_id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<CandidateTake>)> {
    let take = crate::candidate::takes::start(&state, &access, &question_id).await?;
    Ok((StatusCode::CREATED, axum::Json(take)))
}

/// Uploads the answer to one question (the raw video as the body, WebM or
/// MP4), once the candidate agreed to being recorded. It is checked with
/// ffprobe and a WebM without a seek index is remuxed, exactly as a
/// resumable upload is, before it is accepted; a second upload
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
              (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem, description = "The candidate declined consent to being recorded"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "No consent to being recorded yet, or no retakes left"),
              (status = 410, body = Problem), (status = 413, body = Problem),
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

/// The candidate's recording page. The invitation links to
/// `/candidate#SECRET`: the secret stays in the fragment, which browsers
/// never send, so it appears in no request line or server log.
#[utoipa::path(get, path = "/candidate", tag = "candidate",
    security(()),
    responses((status = 200, description = "The recording page", content_type = "text/html")))]
pub async fn page() -> Response {
    serve(&page::INDEX)
}

/// A script, style sheet or string table of the recording page.
#[utoipa::path(get, path = "/candidate/assets/{name}", tag = "candidate",
    security(()),
    params(("name" = String, Path, description = "`app.js`, `app.css` or a language's strings (`en.json`)")),
    responses((status = 200, description = "The asset"),
              (status = 404, body = Problem, description = "No such asset")))]
pub async fn asset(Path(name): Path<String>) -> ApiResult<Response> {
    let found = page::asset(&name).ok_or_else(|| {
        ApiError::not_found(format!("the candidate page has no asset {name:?}")).with_field("name")
    })?;
    Ok(serve(&found))
}

fn serve(asset: &page::Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (
                header::CONTENT_SECURITY_POLICY,
                page::CONTENT_SECURITY_POLICY,
            ),
            (
                header::HeaderName::from_static("permissions-policy"),
                page::PERMISSIONS_POLICY,
            ),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        asset.body,
    )
        .into_response()
}

/// The tus protocol version every resumable-upload answer names.
const TUS_VERSION: &str = "1.0.0";

fn number_header(headers: &HeaderMap, name: &str) -> ApiResult<u64> {
    let value = headers
        .get(name)
        .ok_or_else(|| ApiError::invalid(name, format!("the {name} header is required")))?;
    value
        .to_str()
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .ok_or_else(|| ApiError::invalid(name, format!("{name} must be a whole number of bytes")))
}

fn check_tus_version(headers: &HeaderMap) -> ApiResult<()> {
    match headers.get("tus-resumable") {
        Some(v) if v.as_bytes() != TUS_VERSION.as_bytes() => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "tus-version",
            format!("Tus-Resumable must be {TUS_VERSION}"),
        )
        .with_field("Tus-Resumable")),
        _ => Ok(()),
    }
}

fn upload_location(question_id: &str, upload_id: &str) -> String {
    format!("/v1/candidate/responses/{question_id}/uploads/{upload_id}")
}

/// Starts a resumable upload of an answer (tus 1.0 creation): the total
/// size in `Upload-Length`, no body. A closed interview, an unknown
/// question, a question without retakes left or a file over the limit are
/// refused here, before any byte is sent.
#[utoipa::path(post, path = "/v1/candidate/responses/{question_id}/uploads", tag = "candidate",
    security(("candidate_secret" = [])),
    params(("question_id" = String, Path, description = "Question id"),
           ("Upload-Length" = u64, Header, description = "The recording's size in bytes"),
           ("Tus-Resumable" = Option<String>, Header, description = "`1.0.0`")),
    responses((status = 201, body = ResumableUpload, description = "Created; `Location` is where to PATCH"),
              (status = 401, body = Problem),
              (status = 403, body = Problem, description = "The candidate declined consent to being recorded"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "No consent to being recorded yet, or no retakes left"),
              (status = 410, body = Problem), (status = 412, body = Problem), (status = 413, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_upload(
    State(state): State<AppState>,
    access: CandidateAccess,
    Path(question_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    let length = number_header(&headers, "Upload-Length")?;
    let id = resumable::create(&state, &access, &question_id, length).await?;
    let location = upload_location(&question_id, &id);
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, location.clone()),
            (
                header::HeaderName::from_static("tus-resumable"),
                TUS_VERSION.into(),
            ),
            (header::HeaderName::from_static("upload-offset"), "0".into()),
        ],
        axum::Json(ResumableUpload {
            upload_id: id,
            location,
            offset: 0,
            length,
        }),
    )
        .into_response())
}

/// How many bytes of the upload the server has (tus `HEAD`): continue
/// from `Upload-Offset`.
#[utoipa::path(head, path = "/v1/candidate/responses/{question_id}/uploads/{upload_id}", tag = "candidate",
    security(("candidate_secret" = [])),
    params(("question_id" = String, Path, description = "Question id"),
           ("upload_id" = String, Path, description = "Upload id from the creation")),
    responses((status = 200, description = "`Upload-Offset` and `Upload-Length` headers"),
              (status = 401, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn upload_offset(
    State(state): State<AppState>,
    access: CandidateAccess,
    Path((question_id, upload_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (offset, length) = resumable::offset(&state, &access, &question_id, &upload_id).await?;
    Ok((
        StatusCode::OK,
        [
            (
                header::HeaderName::from_static("tus-resumable"),
                TUS_VERSION.to_string(),
            ),
            (
                header::HeaderName::from_static("upload-offset"),
                offset.to_string(),
            ),
            (
                header::HeaderName::from_static("upload-length"),
                length.to_string(),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response())
}

/// Sends bytes of the upload from `Upload-Offset` (tus `PATCH`, body
/// `application/offset+octet-stream`). `204` acknowledges them; the
/// `PATCH` that brings the last byte answers `201` with the stored take
/// once it is checked (the same checks as the single-request upload, and
/// a WebM is remuxed so it has a duration and a seek index).
#[utoipa::path(patch, path = "/v1/candidate/responses/{question_id}/uploads/{upload_id}", tag = "candidate",
    security(("candidate_secret" = [])),
    params(("question_id" = String, Path, description = "Question id"),
           ("upload_id" = String, Path, description = "Upload id from the creation"),
           ("Upload-Offset" = u64, Header, description = "The offset the server acknowledged")),
    request_body(content = Recording, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "Acknowledged; the new `Upload-Offset` header"),
              (status = 201, body = CandidateUpload, description = "The last byte arrived; stored as the final take"),
              (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem, description = "The candidate declined consent to being recorded"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Wrong offset, a concurrent PATCH, no consent, or no retakes left"),
              (status = 410, body = Problem), (status = 412, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn upload_chunk(
    State(state): State<AppState>,
    access: CandidateAccess,
    Path((question_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    check_tus_version(&headers)?;
    let is_offset_stream = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "application/offset+octet-stream");
    if !is_offset_stream {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Content-Type must be application/offset+octet-stream",
        )
        .with_field("Content-Type"));
    }
    let at = number_header(&headers, "Upload-Offset")?;
    let tus = (
        header::HeaderName::from_static("tus-resumable"),
        TUS_VERSION.to_string(),
    );
    match resumable::append(&state, &access, &question_id, &upload_id, at, body).await? {
        Appended::Partial(offset) => Ok((
            StatusCode::NO_CONTENT,
            [
                tus,
                (
                    header::HeaderName::from_static("upload-offset"),
                    offset.to_string(),
                ),
            ],
        )
            .into_response()),
        Appended::Complete(stored) => {
            Ok((StatusCode::CREATED, [tus], axum::Json(stored.answer)).into_response())
        }
    }
}

/// Records the candidate's decision on being recorded, with the version of
/// the consent text the page showed. A decline is kept (and audited) too,
/// so the recruiter learns of it rather than waiting for the window.
#[utoipa::path(put, path = "/v1/candidate/consent", tag = "candidate",
    security(("candidate_secret" = [])),
    request_body = CandidateConsent,
    responses((status = 200, body = CandidateConsent, description = "Recorded"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 410, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn consent(
    State(state): State<AppState>,
    access: CandidateAccess,
    Json(body): Json<CandidateConsent>,
) -> ApiResult<axum::Json<CandidateConsent>> {
    let now = state.clock.now();
    access.ensure_open(now)?;
    if !["agreed", "declined"].contains(&body.decision.as_str()) {
        return Err(ApiError::invalid(
            "decision",
            format!(
                "decision must be \"agreed\" or \"declined\", not {:?}",
                body.decision
            ),
        ));
    }
    let version = body.text_version.trim();
    if version.is_empty() || version.len() > 100 || version.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "text_version",
            "text_version must name the consent text shown, in 1 to 100 characters",
        ));
    }
    let mut w = state.db.begin_write().await?;
    consent::record(
        &mut w.tx,
        &access.interview_id,
        &body.decision,
        version,
        now,
    )
    .await?;
    crate::store::audit::record(
        &mut w.tx,
        now,
        crate::store::audit::Entry {
            actor_id: None,
            action: "candidate.consent",
            entity_type: "interview",
            entity_id: &access.interview_id,
            detail: serde_json::json!({"decision": body.decision, "text_version": version}),
        },
    )
    .await?;
    if body.decision == "declined" {
        let domain = state.config.email.message_domain();
        consent::notify_declined(&mut w.tx, &access.interview_id, now, &domain).await?;
    }
    w.commit().await?;
    Ok(axum::Json(CandidateConsent {
        decision: body.decision,
        text_version: version.to_string(),
        decided_at: Some(rfc3339(now)),
    }))
}

/// A timed upload for the device check: the page sends a few hundred
/// kilobytes and measures how long they take, to advise a lower video
/// quality on a slow connection. The bytes are counted and dropped.
#[utoipa::path(post, path = "/v1/candidate/speed-test", tag = "candidate",
    security(("candidate_secret" = [])),
    request_body(content = Recording, content_type = "application/octet-stream", description = "Any bytes, at most 4 MiB"),
    responses((status = 200, body = SpeedTest), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 410, body = Problem), (status = 413, body = Problem)))]
pub async fn speed_test(
    State(state): State<AppState>,
    access: CandidateAccess,
    body: Body,
) -> ApiResult<axum::Json<SpeedTest>> {
    use futures::StreamExt;
    access.ensure_open(state.clock.now())?;
    let mut received: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("the test upload was interrupted: {e}"))
                .with_field("body")
        })?;
        received += chunk.len() as u64;
        // Read on (up to twice the cap) so the client sees the answer
        // rather than a reset connection.
        if received > 2 * SPEED_TEST_MAX_BYTES {
            break;
        }
    }
    if received > SPEED_TEST_MAX_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!("a speed test sends at most {SPEED_TEST_MAX_BYTES} bytes"),
        )
        .with_field("body"));
    }
    Ok(axum::Json(SpeedTest {
        received_bytes: received,
    }))
}
