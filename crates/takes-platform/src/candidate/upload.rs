//! Storing a candidate's answer. The body is streamed to a temporary file in
//! the media store (never held in memory), hashed on the way, checked with
//! ffprobe, and only then becomes the question's final take, in one
//! transaction that may also complete the interview. Anything refused
//! leaves nothing behind.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::StatusCode;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use takes_api::{CandidateUpload, InterviewStatus};
use tokio::io::AsyncWriteExt;

use super::access::CandidateAccess;
use super::probe;
use super::terms::Terms;
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::media::store::MediaStore;
use crate::state::AppState;
use crate::store::invitations::responses;
use crate::webhooks::outbox::{interview_stream, next_seq};

/// Bytes read (and dropped) from a refused request's body so the client
/// sees the answer instead of a connection reset.
const DRAIN_CAP: usize = 8 * 1024 * 1024;
const KEY_MAX: usize = 200;

pub struct Upload {
    pub question_id: String,
    pub idempotency_key: Option<String>,
    pub declared_len: Option<u64>,
    pub body: Body,
}

/// What became of an upload: `created` is false for a replay.
pub struct Stored {
    pub created: bool,
    pub answer: CandidateUpload,
}

struct Finishing {
    question_id: String,
    idempotency_key: Option<String>,
}

/// A temporary file that removes itself unless kept.
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    pub(crate) keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

async fn drain(body: Body) {
    // Discarded as it arrives: a refused upload holds no memory.
    crate::extract::discard(body, DRAIN_CAP as u64).await;
}

/// Refusals that need no body: a completed or closed interview (410).
fn check_open(access: &CandidateAccess, now: Millis) -> ApiResult<()> {
    access.ensure_open(now)
}

pub async fn store(state: &AppState, access: CandidateAccess, up: Upload) -> ApiResult<Stored> {
    let config = &state.config.invitations;
    let max = config.max_upload_bytes;
    let question = super::terms::of_question(state, &access, &up.question_id).await?;
    let Some(terms) = question else {
        drain(up.body).await;
        return Err(ApiError::not_found(format!(
            "question {:?} is not part of this interview",
            up.question_id
        ))
        .with_field("question_id"));
    };
    // A completed interview is refused after the body is read: the upload
    // may be a retry of the answer that completed it.
    if access.status != "completed" {
        if let Err(e) = check_open(&access, state.clock.now()) {
            drain(up.body).await;
            return Err(e);
        }
    }
    if let Some(k) = &up.idempotency_key {
        if k.is_empty() || k.len() > KEY_MAX || !k.chars().all(|c| c.is_ascii_graphic()) {
            drain(up.body).await;
            return Err(ApiError::invalid(
                "Idempotency-Key",
                format!("Idempotency-Key must be 1 to {KEY_MAX} printable ASCII characters"),
            ));
        }
    }
    if let Some(len) = up.declared_len.filter(|&n| n > max) {
        drain(up.body).await;
        return Err(too_large(len, max));
    }
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Err(e) = super::access::ensure_consented(&mut conn, &access.interview_id).await {
            drop(conn);
            drain(up.body).await;
            return Err(e);
        }
    }

    // Stream to a temporary file beside the media it may become.
    let temp_key = MediaStore::new_key("part");
    let temp = TempFile {
        path: state
            .media
            .path_of(&temp_key)
            .map_err(|e| ApiError::internal(format!("media store: {e}")))?,
        keep: false,
    };
    let (bytes, sha) = receive(up.body, &temp.path, max).await?;
    if bytes == 0 {
        return Err(ApiError::invalid("body", "the upload is empty"));
    }
    finish(
        state,
        &access,
        Received {
            question_id: up.question_id,
            idempotency_key: up.idempotency_key,
            temp,
            bytes,
            sha,
            // MediaRecorder's WebM needs the same remux whichever way it
            // arrives, or a whole-body upload would play without seeking.
            remux: true,
            // Scripts send a whole take at once: that starts it.
            take: None,
        },
        terms,
    )
    .await
}

/// A complete upload on disk, ready to be checked and kept.
pub(crate) struct Received {
    pub(crate) question_id: String,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) temp: TempFile,
    pub(crate) bytes: u64,
    pub(crate) sha: String,
    /// Rewrite a WebM with `ffmpeg -c copy` so it gets a duration and a
    /// seek index (MediaRecorder writes neither).
    pub(crate) remux: bool,
    /// The started take it carries (0 for the first); `None` starts one
    /// as it is stored.
    pub(crate) take: Option<i64>,
}

/// Checks a received upload and makes it the question's final take.
pub(crate) async fn finish(
    state: &AppState,
    access: &CandidateAccess,
    got: Received,
    terms: Terms,
) -> ApiResult<Stored> {
    let config = &state.config.invitations;
    let Terms {
        time_limit_s,
        retakes_allowed,
        audio_only,
    } = terms;
    let Received {
        question_id,
        idempotency_key,
        temp,
        bytes,
        sha,
        remux,
        take,
    } = got;
    let access = access.clone();
    let up = Finishing {
        question_id,
        idempotency_key,
    };

    // A repeat of the take already stored changes nothing.
    if let Some(stored) = replay(
        state,
        &access,
        &up.question_id,
        up.idempotency_key.as_deref(),
        &sha,
        retakes_allowed,
    )
    .await?
    {
        return Ok(stored);
    }
    check_open(&access, state.clock.now())?;
    let probed = probe::probe(&temp.path, audio_only)
        .await
        .map_err(|reason| ApiError::invalid("body", reason))?;
    let limit = (time_limit_s + config.duration_margin_seconds.max(0)) as f64;
    if probed.duration_s > limit {
        return Err(ApiError::invalid(
            "body",
            format!(
                "the answer runs {:.1} s; this question allows {} s",
                probed.duration_s, time_limit_s
            ),
        ));
    }
    let temp = if remux
        && probed.extension == "webm"
        && super::remux::needed(&temp.path, probed.declares_duration).await
    {
        let out = TempFile {
            path: state
                .media
                .path_of(&MediaStore::new_key("part"))
                .map_err(|e| ApiError::internal(format!("media store: {e}")))?,
            keep: false,
        };
        super::remux::webm(&temp.path, &out.path)
            .await
            .map_err(|reason| ApiError::invalid("body", reason))?;
        drop(temp);
        out
    } else {
        temp
    };
    let key = MediaStore::new_key(probed.extension);
    let final_path = state
        .media
        .path_of(&key)
        .map_err(|e| ApiError::internal(format!("media store: {e}")))?;
    tokio::fs::rename(&temp.path, &final_path)
        .await
        .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
    let mut stored_file = TempFile {
        path: final_path,
        keep: false,
    };
    drop(temp);

    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    // First: locks the interview's stream, ordering this upload against
    // another answer's completion and against expiry.
    let seq = next_seq(&mut w.tx, &interview_stream(&access.interview_id)).await?;
    let (status, expires_at) = responses::interview_state(&mut w.tx, &access.interview_id).await?;
    let fresh = CandidateAccess {
        status,
        expires_at,
        ..access.clone()
    };
    check_open(&fresh, now)?;
    super::access::ensure_consented(&mut w.tx, &access.interview_id).await?;
    let previous = responses::take(&mut w.tx, &access.interview_id, &up.question_id).await?;
    if let Some(p) = &previous {
        let same_key = up.idempotency_key.is_some() && p.upload_key == up.idempotency_key;
        if same_key || p.sha256 == sha {
            // A concurrent identical upload won the race.
            drop(w);
            return replay(
                state,
                &access,
                &up.question_id,
                up.idempotency_key.as_deref(),
                &sha,
                retakes_allowed,
            )
            .await?
            .ok_or_else(|| ApiError::conflict("the upload raced another; retry it"));
        }
    }
    let retakes_used = match take {
        // Only a take newer than the stored one may replace it.
        Some(t) => {
            if previous.as_ref().is_some_and(|p| p.retakes_used >= t) {
                return Err(take_not_started(&up.question_id));
            }
            t
        }
        None => {
            crate::store::invitations::takes::start(
                &mut w.tx,
                &access.interview_id,
                &up.question_id,
                retakes_allowed + 1,
                now,
            )
            .await?
            .ok_or_else(|| no_retakes_left(retakes_allowed))?
                - 1
        }
    };
    // What is kept, which a remux made smaller or larger than what was sent.
    let stored_bytes = tokio::fs::metadata(&stored_file.path)
        .await
        .map(|m| m.len())
        .unwrap_or(bytes);
    let media_id = new_id();
    let media = responses::NewMedia {
        id: &media_id,
        storage_key: &key,
        content_type: probed.content_type,
        bytes: stored_bytes as i64,
        sha256: &sha,
        at: now,
    };
    responses::insert_media(&mut w.tx, media).await?;
    let duration_ms = (probed.duration_s * 1000.0).round() as i64;
    let mut old_file = None;
    let recorded = responses::Recorded {
        media_id: &media_id,
        duration_ms,
        recorded_at: now,
        upload_key: up.idempotency_key.as_deref(),
    };
    let response_id = match &previous {
        Some(p) => {
            responses::retake(&mut w.tx, &p.id, retakes_used, recorded).await?;
            // Reviewers only ever see the final take; the earlier one goes.
            responses::delete_media(&mut w.tx, &p.media_id).await?;
            old_file = Some(p.storage_key.clone());
            p.id.clone()
        }
        None => {
            let id = new_id();
            responses::insert(
                &mut w.tx,
                &id,
                &access.interview_id,
                &up.question_id,
                (recorded, retakes_used),
            )
            .await?;
            id
        }
    };
    crate::store::transcripts::enqueue(&mut w.tx, &response_id, now).await?;
    responses::mark_started(&mut w.tx, &access.interview_id, now).await?;
    crate::store::audit::record(
        &mut w.tx,
        now,
        crate::store::audit::Entry {
            actor_id: None,
            action: "response.recorded",
            entity_type: "interview",
            entity_id: &access.interview_id,
            detail: serde_json::json!({"question_id": up.question_id, "response_id": response_id,
                "retakes_used": retakes_used, "bytes": bytes, "sha256": sha}),
        },
    )
    .await?;
    let (total, answered) =
        responses::progress(&mut w.tx, &access.interview_id, &access.question_set_id).await?;
    let mut status = InterviewStatus::Started;
    if answered >= total
        && crate::invitations::completion::complete(
            &mut w.tx,
            state,
            now,
            &access.interview_id,
            seq,
        )
        .await?
    {
        status = InterviewStatus::Completed;
    }
    w.commit().await?;
    stored_file.keep = true;
    if let Some(old) = old_file {
        if let Ok(path) = state.media.path_of(&old) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
    let (acknowledgement, review_by) = if status == InterviewStatus::Completed {
        state.webhooks.wake();
        acknowledgement(state, &access.interview_id).await
    } else {
        (None, None)
    };
    Ok(Stored {
        created: true,
        answer: CandidateUpload {
            response_id,
            question_id: up.question_id,
            duration_s: duration_ms as f64 / 1000.0,
            retakes_used,
            retakes_left: (retakes_allowed - retakes_used).max(0),
            replayed: false,
            interview_status: status,
            acknowledgement,
            review_by,
        },
    })
}

pub(crate) fn too_large(len: u64, max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        format!("the upload of {len} bytes is larger than the limit of {max} bytes"),
    )
    .with_field("body")
}

/// A resumable upload for no started take, or for one already replaced.
pub(crate) fn take_not_started(question_id: &str) -> ApiError {
    ApiError::conflict(format!(
        "no take of question {question_id:?} is waiting for an upload: start one first \
         (POST /v1/candidate/responses/{question_id}/takes)"
    ))
    .with_field("question_id")
}

pub(crate) fn no_retakes_left(allowed: i64) -> ApiError {
    ApiError::conflict(format!(
        "no retakes left: this question allows {allowed} re-recording(s) and all are used"
    ))
    .with_field("question_id")
}

/// Writes the body to `path`, hashing it; refuses beyond `max` bytes.
pub(crate) async fn receive(
    body: Body,
    path: &std::path::Path,
    max: u64,
) -> ApiResult<(u64, String)> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| ApiError::internal(format!("cannot create a temporary file: {e}")))?;
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("the upload was interrupted: {e}")).with_field("body")
        })?;
        total += chunk.len() as u64;
        if total > max {
            return Err(too_large(total, max));
        }
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|e| ApiError::internal(format!("cannot write the upload: {e}")))?;
    }
    // On disk before the database says it exists.
    file.sync_all()
        .await
        .map_err(|e| ApiError::internal(format!("cannot write the upload: {e}")))?;
    Ok((total, hex::encode(hasher.finalize())))
}

/// The stored take, when this upload repeats it (same key or same bytes);
/// a 422 for the stored take's key with different bytes.
async fn replay(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
    key: Option<&str>,
    sha: &str,
    retakes_allowed: i64,
) -> ApiResult<Option<Stored>> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(take) = responses::take(&mut conn, &access.interview_id, question_id).await? else {
        return Ok(None);
    };
    let same_key = key.is_some() && take.upload_key.as_deref() == key;
    if same_key && take.sha256 != sha {
        // A key names one request: reusing it for other bytes is a client
        // bug, and answering `replayed` would silently keep the old take.
        return Err(ApiError::invalid(
            "Idempotency-Key",
            format!(
                "Idempotency-Key {:?} was already used for a different upload to question {question_id:?}; \
                 send a new key to record a retake",
                key.unwrap_or_default()
            ),
        ));
    }
    if !same_key && take.sha256 != sha {
        return Ok(None);
    }
    let retakes_used = take.retakes_used;
    let status = take.interview_status;
    let (acknowledgement, review_by) = if status == "completed" {
        drop(conn);
        acknowledgement(state, &access.interview_id).await
    } else {
        (None, None)
    };
    Ok(Some(Stored {
        created: false,
        answer: CandidateUpload {
            response_id: take.id,
            question_id: question_id.to_string(),
            duration_s: take.duration_ms as f64 / 1000.0,
            retakes_used,
            retakes_left: (retakes_allowed - retakes_used).max(0),
            replayed: true,
            interview_status: InterviewStatus::parse(&status).unwrap_or(InterviewStatus::Started),
            acknowledgement,
            review_by,
        },
    }))
}

/// For a completed interview: the acknowledgement email's text, and the
/// review-by time (RFC 3339) its sentence names, which the page renders
/// from the same localised string in the candidate's time zone. A failed
/// read only costs the page the date (it falls back to a sentence without
/// one), never the stored answer.
async fn acknowledgement(state: &AppState, interview_id: &str) -> (Option<String>, Option<String>) {
    use crate::store::invitations::acknowledgement as store;
    let Ok(mut conn) = state.db.pool.acquire().await else {
        return (None, None);
    };
    let body = store::body(&mut conn, interview_id).await;
    let completed_at = store::completed_at(&mut conn, interview_id).await;
    match (body, completed_at) {
        (Ok(body), Ok(at)) => (
            body,
            at.map(|at| {
                crate::clock::rfc3339(super::acknowledgement::review_by(
                    &state.config.invitations,
                    at,
                ))
            }),
        ),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot read the acknowledgement back");
            (None, None)
        }
    }
}
