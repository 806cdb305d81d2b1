//! Resumable answer uploads (the tus 1.0 core protocol): the page creates
//! an upload with its length, sends it in `PATCH`es at the offset the
//! server acknowledged, and asks that offset again (`HEAD`) after a dropped
//! connection or a reload. The bytes live beside the media they may
//! become; once the last byte arrives the take is checked and stored like
//! any other answer (see [`super::upload::finish`]).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use axum::body::Body;
use axum::http::StatusCode;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::access::CandidateAccess;
use super::upload::{self, Received, Stored, TempFile};
use crate::error::{ApiError, ApiResult};
use crate::media::store::MediaStore;
use crate::state::AppState;
use crate::store::invitations::responses;

/// What the server remembers of an upload between requests.
#[derive(Serialize, Deserialize)]
struct Meta {
    interview_id: String,
    question_id: String,
    length: u64,
    /// The take it carries (0 for the first), counted when it was started.
    #[serde(default)]
    take: i64,
}

/// The result of a `PATCH`.
pub enum Appended {
    /// More bytes are expected; the new offset.
    Partial(u64),
    /// The last byte arrived and the take was stored.
    Complete(Stored),
}

/// Uploads a request is writing to: a second concurrent `PATCH` of the
/// same upload is refused instead of interleaving bytes.
fn busy() -> &'static Mutex<HashSet<String>> {
    static BUSY: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    BUSY.get_or_init(|| Mutex::new(HashSet::new()))
}

struct Writing(String);

impl Writing {
    fn claim(id: &str) -> ApiResult<Writing> {
        let mut set = busy().lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.to_string()) {
            return Err(ApiError::conflict(
                "another request is writing this upload; ask its offset (HEAD) and continue from there",
            )
            .with_field("upload_id"));
        }
        Ok(Writing(id.to_string()))
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let mut set = busy().lock().unwrap_or_else(|p| p.into_inner());
        set.remove(&self.0);
    }
}

fn paths(state: &AppState, upload_id: &str) -> ApiResult<(PathBuf, PathBuf)> {
    // Server-made ids only: 32 hex digits, so the id never shapes a path.
    if upload_id.len() != 32 || !upload_id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(no_such(upload_id));
    }
    let data = state.media.path_of(&format!("{upload_id}.tus"));
    let meta = state.media.path_of(&format!("{upload_id}.tusmeta"));
    match (data, meta) {
        (Ok(d), Ok(m)) => Ok((d, m)),
        _ => Err(no_such(upload_id)),
    }
}

fn no_such(upload_id: &str) -> ApiError {
    ApiError::not_found(format!(
        "upload {upload_id:?} does not exist for this question (finished, refused or never created)"
    ))
    .with_field("upload_id")
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("upload storage: {e}"))
}

/// Starts an upload of `length` bytes; returns its id. Everything that can
/// be refused before a byte is sent is refused here: a closed interview, an
/// unknown question, a take with no retakes left, a file over the limit.
pub async fn create(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
    length: u64,
) -> ApiResult<String> {
    access.ensure_open(state.clock.now())?;
    super::terms::require(state, access, question_id).await?;
    let max = state.config.invitations.max_upload_bytes;
    if length == 0 {
        return Err(ApiError::invalid(
            "Upload-Length",
            "Upload-Length must be at least 1",
        ));
    }
    if length > max {
        return Err(upload::too_large(length, max).with_field("Upload-Length"));
    }
    let mut conn = state.db.pool.acquire().await?;
    super::access::ensure_consented(&mut conn, &access.interview_id).await?;
    let started =
        crate::store::invitations::takes::started(&mut conn, &access.interview_id, question_id)
            .await?;
    if started == 0 {
        return Err(upload::take_not_started(question_id));
    }
    let take = started - 1;
    if let Some(stored) = responses::take(&mut conn, &access.interview_id, question_id).await? {
        if stored.retakes_used >= take {
            return Err(upload::take_not_started(question_id));
        }
    }
    drop(conn);
    let key = MediaStore::new_key("tus");
    let id = key.trim_end_matches(".tus").to_string();
    let (data, meta) = paths(state, &id)?;
    let text = serde_json::to_vec(&Meta {
        interview_id: access.interview_id.clone(),
        question_id: question_id.to_string(),
        length,
        take,
    })
    .map_err(internal)?;
    tokio::fs::write(&data, b"").await.map_err(internal)?;
    tokio::fs::write(&meta, text).await.map_err(internal)?;
    Ok(id)
}

async fn load(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
    upload_id: &str,
) -> ApiResult<(Meta, PathBuf, PathBuf)> {
    let (data, meta_path) = paths(state, upload_id)?;
    let text = match tokio::fs::read(&meta_path).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_such(upload_id)),
        Err(e) => return Err(internal(e)),
    };
    let meta: Meta = serde_json::from_slice(&text).map_err(internal)?;
    // Another interview's upload is as unknown as one never made.
    if meta.interview_id != access.interview_id || meta.question_id != question_id {
        return Err(no_such(upload_id));
    }
    Ok((meta, data, meta_path))
}

/// The acknowledged offset and the total length.
pub async fn offset(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
    upload_id: &str,
) -> ApiResult<(u64, u64)> {
    access.ensure_open(state.clock.now())?;
    let (meta, data, _) = load(state, access, question_id, upload_id).await?;
    let len = tokio::fs::metadata(&data).await.map_err(internal)?.len();
    Ok((len, meta.length))
}

/// Appends `body` at `at`, which must be the acknowledged offset. Bytes
/// that arrived before a connection dropped are kept and acknowledged by
/// the next `HEAD`.
pub async fn append(
    state: &AppState,
    access: &CandidateAccess,
    question_id: &str,
    upload_id: &str,
    at: u64,
    body: Body,
) -> ApiResult<Appended> {
    access.ensure_open(state.clock.now())?;
    let (meta, data, meta_path) = load(state, access, question_id, upload_id).await?;
    let _writing = Writing::claim(upload_id)?;
    let current = tokio::fs::metadata(&data).await.map_err(internal)?.len();
    if at != current {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "offset-mismatch",
            format!(
                "Upload-Offset is {at} but the server has {current} bytes; continue from {current}"
            ),
        )
        .with_field("Upload-Offset"));
    }
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(&data)
        .await
        .map_err(internal)?;
    let mut total = current;
    let mut stream = body.into_data_stream();
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                failure = Some(
                    ApiError::bad_request(format!("the upload was interrupted: {e}"))
                        .with_field("body"),
                );
                break;
            }
        };
        if total + chunk.len() as u64 > meta.length {
            failure = Some(ApiError::invalid(
                "body",
                format!(
                    "the chunk runs past Upload-Length {}; send at most {} more bytes",
                    meta.length,
                    meta.length - total
                ),
            ));
            break;
        }
        if let Err(e) = file.write_all(&chunk).await {
            failure = Some(internal(e));
            break;
        }
        total += chunk.len() as u64;
    }
    // What arrived is acknowledged only once it is on disk.
    file.sync_all().await.map_err(internal)?;
    drop(file);
    if let Some(e) = failure {
        return Err(e);
    }
    if total < meta.length {
        return Ok(Appended::Partial(total));
    }
    let terms = super::terms::require(state, access, question_id).await?;
    // From here the upload is a take being stored: its bytes move to a
    // temporary file that goes away whatever the outcome.
    let temp = TempFile {
        path: state
            .media
            .path_of(&MediaStore::new_key("part"))
            .map_err(internal)?,
        keep: false,
    };
    tokio::fs::rename(&data, &temp.path)
        .await
        .map_err(internal)?;
    let _ = tokio::fs::remove_file(&meta_path).await;
    let sha = sha256_of(&temp.path).await.map_err(internal)?;
    let stored = upload::finish(
        state,
        access,
        Received {
            question_id: question_id.to_string(),
            idempotency_key: Some(format!("tus-{upload_id}")),
            temp,
            bytes: total,
            sha,
            remux: true,
            take: Some(meta.take),
        },
        terms,
    )
    .await?;
    Ok(Appended::Complete(stored))
}

async fn sha256_of(path: &std::path::Path) -> std::io::Result<String> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
