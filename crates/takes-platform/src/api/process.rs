//! The hiring process as a document (admins): export it with its ETag, plan
//! a document against it, apply one in one transaction (optionally only if
//! the ETag still matches), and upload the intro videos a document names.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use takes_api::process::{
    ApplyResult, IntroCaptionsUpload, IntroVideoUpload, Plan, ProcessDocument, ProcessRequest,
};
use takes_api::{Problem, UserRole};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A process document may be far larger than other bodies (every role
/// with its questions and rubrics).
pub const DOCUMENT_LIMIT: u64 = 1024 * 1024;

/// Reads a [`ProcessRequest`] of up to [`DOCUMENT_LIMIT`] bytes; errors name
/// the field (`document.roles[0].questions[1].rubric`).
async fn read_request(headers: &HeaderMap, body: axum::body::Body) -> ApiResult<ProcessRequest> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    let too_large = |len: u64| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!(
                "the document of {len} bytes is larger than the limit of {DOCUMENT_LIMIT} bytes"
            ),
        )
        .with_field("body")
    };
    let declared = declared_length(headers);
    if let Some(len) = declared.filter(|&n| n > DOCUMENT_LIMIT) {
        tokio::spawn(crate::extract::discard(body, 4 * DOCUMENT_LIMIT));
        return Err(too_large(len));
    }
    if !json {
        tokio::spawn(crate::extract::discard(body, 4 * DOCUMENT_LIMIT));
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as JSON with `Content-Type: application/json`",
        )
        .with_field("Content-Type"));
    }
    let bytes = axum::body::to_bytes(body, DOCUMENT_LIMIT as usize)
        .await
        .map_err(|_| too_large(DOCUMENT_LIMIT + 1))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("body is not valid JSON: {inner}"))
        } else {
            ApiError::invalid(&path, format!("invalid body: {path}: {inner}"))
        }
    })
}

pub fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.role == UserRole::Admin {
        return Ok(());
    }
    Err(ApiError::forbidden(format!(
        "this needs the admin role; {} is a {}",
        caller.name,
        caller.role.as_str()
    )))
}

/// The process as it is: active users with an email and the roles not
/// archived, as a document that plans to no changes. The `ETag` names this
/// state; send it as `If-Match` to apply only onto it.
#[utoipa::path(get, path = "/v1/process", tag = "process", operation_id = "export_process",
    responses((status = 200, body = ProcessDocument, headers(("ETag" = String, description = "The state's tag"))),
              (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn export(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    require_admin(&caller)?;
    let (doc, etag) = crate::process::export(&state).await?;
    let mut response = axum::Json(doc).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// What applying the document would change, one line per change, with the
/// seed's advice it does not follow. Nothing changes.
#[utoipa::path(post, path = "/v1/process/plan", tag = "process", operation_id = "plan_process",
    request_body = ProcessRequest,
    responses((status = 200, body = Plan), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<axum::Json<Plan>> {
    if let Err(e) = require_admin(&caller) {
        tokio::spawn(crate::extract::discard(body, 4 * DOCUMENT_LIMIT));
        return Err(e);
    }
    let req = read_request(&headers, body).await?;
    Ok(axum::Json(
        crate::process::plan(&state, &caller.id, &req).await?,
    ))
}

/// The `If-Match` tag, if one was sent (quotes kept: tags are compared as
/// the `ETag` header gave them).
fn if_match(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v
        .to_str()
        .map_err(|_| ApiError::bad_request("If-Match is not text").with_field("If-Match"))?;
    let tag = text.trim().trim_start_matches("W/");
    if tag.is_empty() {
        return Err(ApiError::bad_request("If-Match is empty").with_field("If-Match"));
    }
    let tag = if tag == "*" || tag.starts_with('"') {
        tag.to_string()
    } else {
        format!("\"{tag}\"")
    };
    Ok(Some(tag))
}

/// Applies the document in one transaction: all of it or nothing. With
/// `If-Match`, only if the process is still in the state that tag names
/// (else 412 and nothing changes). New users' tokens are in the answer,
/// once.
#[utoipa::path(put, path = "/v1/process", tag = "process", operation_id = "apply_process",
    params(("If-Match" = Option<String>, Header, description = "The ETag the plan was made against")),
    request_body = ProcessRequest,
    responses((status = 200, body = ApplyResult, headers(("ETag" = String, description = "The state after"))),
              (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 412, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Response> {
    if let Err(e) = require_admin(&caller) {
        tokio::spawn(crate::extract::discard(body, 4 * DOCUMENT_LIMIT));
        return Err(e);
    }
    let tag = if_match(&headers)?;
    let req = read_request(&headers, body).await?;
    let result = crate::process::apply(&state, &caller.id, &req, tag.as_deref()).await?;
    let etag = HeaderValue::from_str(&result.etag).ok();
    let mut response = axum::Json(result).into_response();
    if let Some(v) = etag {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// Uploads an intro video (the raw file as the body, WebM or MP4, up to
/// `[invitations] max_upload_bytes`), checked as candidates' answers are.
/// A document names it by the `sha256` answered. The same bytes again
/// answer 200 with the stored video.
#[utoipa::path(put, path = "/v1/process/intro-videos", tag = "process",
    request_body(content = Vec<u8>, content_type = "video/webm", description = "The video: WebM or MP4 (`video/mp4`)"),
    responses((status = 201, body = IntroVideoUpload, description = "Stored"),
              (status = 200, body = IntroVideoUpload, description = "Already stored; nothing changed"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_intro_video(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(axum::http::StatusCode, axum::Json<IntroVideoUpload>)> {
    if let Err(e) = caller.require_decider() {
        crate::extract::discard(body, 8 * 1024 * 1024).await;
        return Err(e);
    }
    let declared = declared_length(&headers);
    let (created, answer) =
        crate::process::intro::upload(&state, &caller.id, declared, body).await?;
    Ok((stored_status(created), axum::Json(answer)))
}

/// Uploads captions for an intro video (a WebVTT file as the body, up to
/// 1 MiB). Every cue is checked: a malformed one is a 422 naming its line,
/// and nothing is stored. A document names the file by the `sha256`
/// answered, under its `intro_video.captions`. The same bytes again answer
/// 200 with the stored file.
#[utoipa::path(put, path = "/v1/process/intro-captions", tag = "process",
    request_body(content = String, content_type = "text/vtt", description = "The captions: WebVTT"),
    responses((status = 201, body = IntroCaptionsUpload, description = "Stored"),
              (status = 200, body = IntroCaptionsUpload, description = "Already stored; nothing changed"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem),
              (status = 422, body = Problem, description = "Not WebVTT, or a malformed cue (the detail names its line)")))]
pub async fn upload_intro_captions(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(axum::http::StatusCode, axum::Json<IntroCaptionsUpload>)> {
    if let Err(e) = caller.require_decider() {
        crate::extract::discard(body, 8 * 1024 * 1024).await;
        return Err(e);
    }
    let declared = declared_length(&headers);
    let (created, answer) =
        crate::process::captions::upload(&state, &caller.id, declared, body).await?;
    Ok((stored_status(created), axum::Json(answer)))
}

/// The body length the client declared, checked against a limit before
/// anything is read.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<u64>().ok())
}

/// 201 for newly stored bytes, 200 for bytes already stored.
fn stored_status(created: bool) -> axum::http::StatusCode {
    if created {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
    }
}
