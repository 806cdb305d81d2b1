//! Captions of recruiters' intro videos: a WebVTT file, checked cue by cue
//! (a malformed one is refused naming its line, and nothing is stored),
//! kept once per content (SHA-256) and named by that hash in a process
//! document, beside the video it captions.

use axum::body::Body;
use takes_api::process::IntroCaptionsUpload;

use super::vtt;
use crate::candidate::upload::too_large;
use crate::error::{ApiError, ApiResult};
use crate::ids::{new_id, sha256_hex};
use crate::media::store::MediaStore;
use crate::state::AppState;
use crate::store::invitations::responses;
use crate::store::process as store;

/// Largest captions file accepted: hours of text.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The content type captions are stored and served with.
pub const CONTENT_TYPE: &str = "text/vtt; charset=utf-8";

/// The path a role's captions are served at.
pub fn url(media_id: &str) -> String {
    format!("/v1/media/intro-captions/{media_id}")
}

fn answer(c: store::IntroCaptions) -> IntroCaptionsUpload {
    IntroCaptionsUpload {
        sha256: c.sha256,
        media_id: c.media_object_id,
        bytes: c.bytes,
        cues: c.cues,
    }
}

/// Stores a captions file; the same bytes again answer with the stored
/// one. `(created, answer)`.
pub async fn upload(
    state: &AppState,
    uploader: &str,
    declared_len: Option<u64>,
    body: Body,
) -> ApiResult<(bool, IntroCaptionsUpload)> {
    if let Some(len) = declared_len.filter(|&n| n > MAX_BYTES) {
        crate::extract::discard(body, 8 * 1024 * 1024).await;
        return Err(too_large(len, MAX_BYTES));
    }
    let bytes = axum::body::to_bytes(body, MAX_BYTES as usize)
        .await
        .map_err(|_| too_large(MAX_BYTES + 1, MAX_BYTES))?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("body", "the upload is empty"));
    }
    let cues = vtt::check(&bytes).map_err(|vtt::Malformed(why)| ApiError::invalid("body", why))?;
    let sha = sha256_hex(&bytes);
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(c) = store::intro_captions(&mut conn, &sha).await? {
            return Ok((false, answer(c)));
        }
    }
    let key = MediaStore::new_key("vtt");
    let path = state
        .media
        .path_of(&key)
        .map_err(|e| ApiError::internal(format!("media store: {e}")))?;
    write_synced(&path, &bytes)
        .await
        .map_err(|e| ApiError::internal(format!("cannot store the captions: {e}")))?;
    let mut stored = crate::candidate::upload::TempFile { path, keep: false };
    let now = state.clock.now();
    let media_id = new_id();
    let mut w = state.db.begin_write().await?;
    let media = responses::NewMedia {
        id: &media_id,
        storage_key: &key,
        content_type: CONTENT_TYPE,
        bytes: bytes.len() as i64,
        sha256: &sha,
        at: now,
    };
    responses::insert_media(&mut w.tx, media).await?;
    let inserted =
        store::insert_intro_captions(&mut w.tx, &sha, &media_id, cues as i64, uploader, now)
            .await?;
    if !inserted {
        // The same file, uploaded concurrently, was stored first.
        drop(w);
        let mut conn = state.db.pool.acquire().await?;
        let c = store::intro_captions(&mut conn, &sha)
            .await?
            .ok_or_else(|| ApiError::conflict("the upload raced another; retry it"))?;
        return Ok((false, answer(c)));
    }
    crate::store::audit::record_by(
        &mut w.tx,
        now,
        uploader,
        "intro_captions.uploaded",
        ("media_object", &media_id),
        serde_json::json!({"sha256": sha, "bytes": bytes.len(), "cues": cues}),
    )
    .await?;
    w.commit().await?;
    stored.keep = true;
    Ok((
        true,
        IntroCaptionsUpload {
            sha256: sha,
            media_id,
            bytes: bytes.len() as i64,
            cues: cues as i64,
        },
    ))
}

async fn write_synced(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(path).await?;
    file.write_all(bytes).await?;
    // On disk before the database says it exists.
    file.sync_all().await
}
