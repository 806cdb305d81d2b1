//! Recruiters' intro videos: uploaded raw, streamed to disk, checked with
//! ffprobe exactly as candidates' answers are, stored once per content
//! (SHA-256), and named by that hash in a process document.

use axum::body::Body;
use takes_api::process::IntroVideoUpload;

use crate::candidate::probe;
use crate::candidate::upload::{receive, too_large, TempFile};
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::media::store::MediaStore;
use crate::state::AppState;
use crate::store::invitations::responses;
use crate::store::process as store;

fn answer(v: store::IntroVideo) -> IntroVideoUpload {
    IntroVideoUpload {
        sha256: v.sha256,
        media_id: v.media_object_id,
        bytes: v.bytes,
        content_type: v.content_type,
        duration_s: v.duration_s,
    }
}

/// The path a role's uploaded intro video is served at.
pub fn url(media_id: &str) -> String {
    format!("/v1/media/intro-videos/{media_id}")
}

/// Stores an intro video; uploading the same bytes again answers with the
/// stored one. `(created, answer)`.
pub async fn upload(
    state: &AppState,
    uploader: &str,
    declared_len: Option<u64>,
    body: Body,
) -> ApiResult<(bool, IntroVideoUpload)> {
    let max = state.config.invitations.max_upload_bytes;
    if let Some(len) = declared_len.filter(|&n| n > max) {
        crate::extract::discard(body, 8 * 1024 * 1024).await;
        return Err(too_large(len, max));
    }
    let temp_key = MediaStore::new_key("part");
    let temp = TempFile {
        path: state
            .media
            .path_of(&temp_key)
            .map_err(|e| ApiError::internal(format!("media store: {e}")))?,
        keep: false,
    };
    let (bytes, sha) = receive(body, &temp.path, max).await?;
    if bytes == 0 {
        return Err(ApiError::invalid("body", "the upload is empty"));
    }
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(v) = store::intro_video(&mut conn, &sha).await? {
            return Ok((false, answer(v)));
        }
    }
    let probed = probe::probe(&temp.path, false)
        .await
        .map_err(|reason| ApiError::invalid("body", reason))?;
    let key = MediaStore::new_key(probed.extension);
    let final_path = state
        .media
        .path_of(&key)
        .map_err(|e| ApiError::internal(format!("media store: {e}")))?;
    tokio::fs::rename(&temp.path, &final_path)
        .await
        .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
    drop(temp);
    let mut stored = TempFile {
        path: final_path,
        keep: false,
    };
    let now = state.clock.now();
    let media_id = new_id();
    let mut w = state.db.begin_write().await?;
    let media = responses::NewMedia {
        id: &media_id,
        storage_key: &key,
        content_type: probed.content_type,
        bytes: bytes as i64,
        sha256: &sha,
        at: now,
    };
    responses::insert_media(&mut w.tx, media).await?;
    let inserted =
        store::insert_intro_video(&mut w.tx, &sha, &media_id, probed.duration_s, uploader, now)
            .await?;
    if !inserted {
        // The same file, uploaded concurrently, was stored first.
        drop(w);
        let mut conn = state.db.pool.acquire().await?;
        let v = store::intro_video(&mut conn, &sha)
            .await?
            .ok_or_else(|| ApiError::conflict("the upload raced another; retry it"))?;
        return Ok((false, answer(v)));
    }
    crate::store::audit::record_by(
        &mut w.tx,
        now,
        uploader,
        "intro_video.uploaded",
        ("media_object", &media_id),
        serde_json::json!({"sha256": sha, "bytes": bytes, "duration_s": probed.duration_s}),
    )
    .await?;
    w.commit().await?;
    stored.keep = true;
    Ok((
        true,
        IntroVideoUpload {
            sha256: sha,
            media_id,
            bytes: bytes as i64,
            content_type: probed.content_type.to_string(),
            duration_s: probed.duration_s,
        },
    ))
}
