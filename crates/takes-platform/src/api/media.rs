use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use takes_api::{Cue, Problem, TranscriptPending, TRANSCRIPT_STATE_HEADER};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::media::range::{self, RangeError};
use crate::media::webvtt;
use crate::state::AppState;
use crate::store::invitations::responses;
use crate::store::transcripts;

struct Media {
    storage_key: String,
    content_type: String,
    bytes: i64,
    sha256: String,
    transcript_json: String,
}

/// A response is visible to reviewers assigned to its interview, to
/// participants of a calibration session that uses it as a sample, and to
/// recruiters and admins.
async fn load(state: &AppState, caller: &Caller, response_id: &str) -> ApiResult<Media> {
    let missing =
        || ApiError::not_found(format!("no response {response_id:?}")).with_field("response_id");
    let row = responses::playback(&state.db, response_id)
        .await?
        .ok_or_else(missing)?;
    if !caller.role.can_decide()
        && !responses::reviewer_may_watch(&state.db, response_id, &row.interview_id, &caller.id)
            .await?
    {
        return Err(missing());
    }
    Ok(Media {
        storage_key: row.storage_key,
        content_type: row.content_type,
        bytes: row.bytes,
        sha256: row.sha256,
        transcript_json: row.transcript_json,
    })
}

/// The video of a response. Supports `Range` (206 with `Content-Range`;
/// 416 when no byte of the range exists) so players can seek without
/// downloading the whole file.
#[utoipa::path(get, path = "/v1/media/{response_id}", tag = "media",
    params(("response_id" = String, Path, description = "Response id"),
           ("Range" = Option<String>, Header, description = "`bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX`")),
    responses((status = 200, description = "The whole file", content_type = "video/webm"),
              (status = 206, description = "The requested range", content_type = "video/webm"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 416, body = Problem)))]
pub async fn media(
    State(state): State<AppState>,
    caller: Caller,
    Path(response_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let m = load(&state, &caller, &response_id).await?;
    let file = StoredFile {
        storage_key: &m.storage_key,
        content_type: &m.content_type,
        bytes: m.bytes,
        sha256: &m.sha256,
    };
    serve(&state, file, &headers, &format!("response {response_id}")).await
}

/// A media file as stored.
pub struct StoredFile<'a> {
    pub storage_key: &'a str,
    pub content_type: &'a str,
    pub bytes: i64,
    pub sha256: &'a str,
}

/// Serves a stored file, whole or the `Range` asked for.
pub async fn serve(
    state: &AppState,
    m: StoredFile<'_>,
    headers: &HeaderMap,
    what: &str,
) -> ApiResult<Response> {
    let path = state
        .media
        .path_of(m.storage_key)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut file = tokio::fs::File::open(&path).await.map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "media file missing");
        ApiError::not_found(format!("the media of {what} is missing from the store"))
    })?;
    let len = file
        .metadata()
        .await
        .map(|meta| meta.len())
        .unwrap_or(m.bytes.max(0) as u64);
    let etag = format!("\"{}\"", m.sha256);

    let range_header =
        match headers.get(header::RANGE) {
            None => None,
            Some(v) => Some(v.to_str().map_err(|_| {
                ApiError::bad_request("Range header is not text").with_field("Range")
            })?),
        };
    let (status, start, count) = match range_header {
        None => (StatusCode::OK, 0, len),
        Some(h) => match range::parse(h, len) {
            Ok(r) => (StatusCode::PARTIAL_CONTENT, r.start, r.byte_count()),
            Err(RangeError::Malformed(detail)) => {
                return Err(ApiError::bad_request(detail).with_field("Range"))
            }
            Err(RangeError::Unsatisfiable(detail)) => {
                let mut resp = ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range-not-satisfiable",
                    detail,
                )
                .with_field("Range")
                .into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(resp);
            }
        },
    };
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| ApiError::internal(format!("cannot seek in media: {e}")))?;
    }
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(count), 64 * 1024));
    let mut resp = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, m.content_type)
        .header(header::CONTENT_LENGTH, count)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, "private, max-age=3600");
    if status == StatusCode::PARTIAL_CONTENT {
        resp = resp.header(
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{}", start, start + count - 1, len),
        );
    }
    resp.body(body)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// How long a client should wait before asking again for a pending
/// transcript, in seconds.
const RETRY_AFTER_S: &str = "10";

/// The transcript of a response as WebVTT, once the transcription stage has
/// written it (header `Transcript-State: done`). Until then `202` with
/// `Transcript-State: pending`, `Retry-After` and a JSON status; when the
/// stage gave up, `409` (`transcript-failed`) whose `detail` is the reason
/// and `Transcript-State: failed`.
#[utoipa::path(get, path = "/v1/responses/{response_id}/transcript", tag = "media",
    params(("response_id" = String, Path, description = "Response id")),
    responses((status = 200, description = "WebVTT (`Transcript-State: done`)", content_type = "text/vtt",
                  headers(("Transcript-State" = String, description = "`done`"))),
              (status = 202, description = "Not transcribed yet; ask again after `Retry-After` seconds",
                  body = takes_api::TranscriptPending,
                  headers(("Transcript-State" = String, description = "`pending`"),
                          ("Retry-After" = u32, description = "Seconds to wait"))),
              (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "Transcription failed for good; `detail` says why", body = Problem,
                  content_type = "application/problem+json",
                  headers(("Transcript-State" = String, description = "`failed`")))))]
pub async fn transcript(
    State(state): State<AppState>,
    caller: Caller,
    Path(response_id): Path<String>,
) -> ApiResult<Response> {
    let m = load(&state, &caller, &response_id).await?;
    let state_header = |s: &'static str| (TRANSCRIPT_STATE_HEADER, s);
    match transcripts::state_of(&state.db, &response_id).await? {
        transcripts::State::Pending {
            attempts,
            last_error,
        } => {
            let body = TranscriptPending {
                state: "pending".into(),
                attempts,
                last_error,
            };
            return Ok((
                StatusCode::ACCEPTED,
                [
                    state_header("pending"),
                    (header::RETRY_AFTER.as_str(), RETRY_AFTER_S),
                ],
                axum::Json(body),
            )
                .into_response());
        }
        transcripts::State::Failed { reason } => {
            let mut resp = ApiError::new(
                StatusCode::CONFLICT,
                "transcript-failed",
                format!("transcript failed: {reason}"),
            )
            .into_response();
            resp.headers_mut()
                .insert(TRANSCRIPT_STATE_HEADER, HeaderValue::from_static("failed"));
            return Ok(resp);
        }
        transcripts::State::Done | transcripts::State::Untracked => {}
    }
    let cues: Vec<Cue> = serde_json::from_str(&m.transcript_json)?;
    Ok((
        [
            (header::CONTENT_TYPE.as_str(), "text/vtt; charset=utf-8"),
            state_header("done"),
        ],
        webvtt::render(&cues),
    )
        .into_response())
}

/// A role's intro video, uploaded with `PUT /v1/process/intro-videos`.
/// Public, like any link in an invitation: candidates' players fetch it
/// without credentials. Supports `Range`.
#[utoipa::path(get, path = "/v1/media/intro-videos/{id}", tag = "media",
    security(()),
    params(("id" = String, Path, description = "The intro video's media id"),
           ("Range" = Option<String>, Header, description = "`bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX`")),
    responses((status = 200, description = "The whole file", content_type = "video/webm"),
              (status = 206, description = "The requested range", content_type = "video/webm"),
              (status = 400, body = Problem), (status = 404, body = Problem), (status = 416, body = Problem)))]
pub async fn intro_video(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = crate::store::process::intro_video_by_media(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no intro video {id:?}")).with_field("id"))?;
    drop(conn);
    let file = StoredFile {
        storage_key: &v.storage_key,
        content_type: &v.content_type,
        bytes: v.bytes,
        sha256: &v.sha256,
    };
    serve(&state, file, &headers, &format!("intro video {id}")).await
}

/// Captions of a role's intro video (WebVTT), uploaded with `PUT
/// /v1/process/intro-captions`. Public, like the video they caption.
#[utoipa::path(get, path = "/v1/media/intro-captions/{id}", tag = "media",
    security(()),
    params(("id" = String, Path, description = "The captions' media id")),
    responses((status = 200, description = "The WebVTT file", content_type = "text/vtt"),
              (status = 400, body = Problem), (status = 404, body = Problem), (status = 416, body = Problem)))]
pub async fn intro_captions(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let c = crate::store::process::intro_captions_by_media(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no intro captions {id:?}")).with_field("id"))?;
    drop(conn);
    let file = StoredFile {
        storage_key: &c.storage_key,
        content_type: crate::process::captions::CONTENT_TYPE,
        bytes: c.bytes,
        sha256: &c.sha256,
    };
    serve(&state, file, &headers, &format!("intro captions {id}")).await
}
