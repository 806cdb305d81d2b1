//! What the process as a whole needs from storage: the lock every change
//! to it takes first, and the uploaded intro videos.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;

/// Takes the process lock for this transaction (held until commit or
/// rollback): concurrent changes to the process queue here on both
/// databases, and the next one reads the state the previous one left.
pub async fn lock(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("UPDATE process_lock SET revision = revision + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query("SELECT revision FROM process_lock WHERE id = 1")
        .fetch_one(conn)
        .await?
        .try_get("revision")
}

/// An uploaded intro video.
pub struct IntroVideo {
    pub sha256: String,
    pub media_object_id: String,
    pub bytes: i64,
    pub content_type: String,
    pub duration_s: f64,
    pub storage_key: String,
}

pub async fn intro_video(
    conn: &mut AnyConnection,
    sha256: &str,
) -> Result<Option<IntroVideo>, sqlx::Error> {
    sqlx::query(
        "SELECT v.sha256, v.media_object_id, v.duration_s, m.bytes, m.content_type, m.storage_key \
         FROM intro_videos v JOIN media_objects m ON m.id = v.media_object_id WHERE v.sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(IntroVideo {
            sha256: r.try_get("sha256")?,
            media_object_id: r.try_get("media_object_id")?,
            bytes: r.try_get("bytes")?,
            content_type: r.try_get("content_type")?,
            duration_s: r.try_get("duration_s")?,
            storage_key: r.try_get("storage_key")?,
        })
    })
    .transpose()
}

/// The intro video stored as media object `id`, if it is one.
pub async fn intro_video_by_media(
    conn: &mut AnyConnection,
    media_id: &str,
) -> Result<Option<IntroVideo>, sqlx::Error> {
    let sha: Option<String> =
        sqlx::query("SELECT sha256 FROM intro_videos WHERE media_object_id = $1")
            .bind(media_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("sha256"))
            .transpose()?;
    match sha {
        Some(sha) => intro_video(conn, &sha).await,
        None => Ok(None),
    }
}

/// Records an uploaded intro video; `false` when one with this hash exists.
pub async fn insert_intro_video(
    conn: &mut AnyConnection,
    sha256: &str,
    media_object_id: &str,
    duration_s: f64,
    uploaded_by: &str,
    at: Millis,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO intro_videos (sha256, media_object_id, duration_s, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(media_object_id)
    .bind(duration_s)
    .bind(uploaded_by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An uploaded captions file of an intro video.
pub struct IntroCaptions {
    pub sha256: String,
    pub media_object_id: String,
    pub bytes: i64,
    pub cues: i64,
    pub storage_key: String,
}

pub async fn intro_captions(
    conn: &mut AnyConnection,
    sha256: &str,
) -> Result<Option<IntroCaptions>, sqlx::Error> {
    captions_where(conn, "c.sha256 = $1", sha256).await
}

/// The captions stored as media object `id`, if they are some.
pub async fn intro_captions_by_media(
    conn: &mut AnyConnection,
    media_id: &str,
) -> Result<Option<IntroCaptions>, sqlx::Error> {
    captions_where(conn, "c.media_object_id = $1", media_id).await
}

async fn captions_where(
    conn: &mut AnyConnection,
    filter: &str,
    value: &str,
) -> Result<Option<IntroCaptions>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT c.sha256, c.media_object_id, c.cues, m.bytes, m.storage_key \
         FROM intro_captions c JOIN media_objects m ON m.id = c.media_object_id WHERE {filter}"
    ))
    .bind(value)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(IntroCaptions {
            sha256: r.try_get("sha256")?,
            media_object_id: r.try_get("media_object_id")?,
            bytes: r.try_get("bytes")?,
            cues: r.try_get("cues")?,
            storage_key: r.try_get("storage_key")?,
        })
    })
    .transpose()
}

/// Records uploaded captions; `false` when a file with this hash exists.
pub async fn insert_intro_captions(
    conn: &mut AnyConnection,
    sha256: &str,
    media_object_id: &str,
    cues: i64,
    uploaded_by: &str,
    at: Millis,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO intro_captions (sha256, media_object_id, cues, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(media_object_id)
    .bind(cues)
    .bind(uploaded_by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
