//! The candidate's answers (responses) and their media objects: recorded
//! through the candidate's access secret, one final take per question, and
//! read back for playback by those allowed to see them.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;

/// The interview an access secret opens: `(interview id, status, expires
/// at, question set id)`.
pub async fn by_secret_hash(
    db: &Db,
    secret_hash: &str,
) -> Result<Option<(String, String, Millis, String)>, sqlx::Error> {
    sqlx::query(
        "SELECT i.id, i.status, i.expires_at, i.question_set_id FROM invitations v \
         JOIN interviews i ON i.id = v.interview_id WHERE v.secret_hash = $1",
    )
    .bind(secret_hash)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("status")?,
            r.try_get("expires_at")?,
            r.try_get("question_set_id")?,
        ))
    })
    .transpose()
}

/// What the candidate sees at the top of their interview.
pub struct Head {
    pub candidate_name: String,
    pub role_id: String,
    pub title: String,
    pub department: String,
    pub intro_video_url: Option<String>,
    /// The media id and language of the intro video's captions.
    pub intro_captions: Option<(String, String)>,
    pub retakes_allowed: i64,
    pub allow_audio_only: bool,
    pub allow_low_resolution: bool,
}

pub async fn head(db: &Db, interview_id: &str) -> Result<Head, sqlx::Error> {
    let r = sqlx::query(
        "SELECT c.name, r.id AS role_id, r.title, r.department, \
           COALESCE('/v1/media/intro-videos/' || r.intro_video_media_id, r.intro_video_url) AS intro, s.retakes_allowed, \
           r.intro_captions_media_id, r.intro_captions_language, r.allow_audio_only, r.allow_low_resolution \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         JOIN question_sets s ON s.id = i.question_set_id WHERE i.id = $1",
    )
    .bind(interview_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(Head {
        candidate_name: r.try_get("name")?,
        role_id: r.try_get("role_id")?,
        title: r.try_get("title")?,
        department: r.try_get("department")?,
        intro_video_url: r.try_get("intro")?,
        intro_captions: match r.try_get::<Option<String>, _>("intro_captions_media_id")? {
            Some(id) => Some((
                id,
                r.try_get::<Option<String>, _>("intro_captions_language")?
                    .unwrap_or_else(|| "en".into()),
            )),
            None => None,
        },
        retakes_allowed: r.try_get("retakes_allowed")?,
        allow_audio_only: r.try_get::<i64, _>("allow_audio_only")? != 0,
        allow_low_resolution: r.try_get::<i64, _>("allow_low_resolution")? != 0,
    })
}

/// A question of the interview and the retakes its answer used, `None`
/// while unanswered.
pub struct QuestionState {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    pub time_limit_s: i64,
    pub retakes_used: Option<i64>,
    /// Takes started (`question_takes`), uploaded or not.
    pub takes_started: i64,
}

pub async fn questions(
    db: &Db,
    interview_id: &str,
    question_set_id: &str,
) -> Result<Vec<QuestionState>, sqlx::Error> {
    sqlx::query(
        "SELECT q.id, q.position, q.prompt, q.time_limit_s, r.retakes_used, COALESCE(t.started, 0) AS started \
         FROM questions q LEFT JOIN responses r ON r.question_id = q.id AND r.interview_id = $1 \
         LEFT JOIN question_takes t ON t.question_id = q.id AND t.interview_id = $1 \
         WHERE q.question_set_id = $2 ORDER BY q.position",
    )
    .bind(interview_id)
    .bind(question_set_id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(QuestionState {
            id: r.try_get("id")?,
            position: r.try_get("position")?,
            prompt: r.try_get("prompt")?,
            time_limit_s: r.try_get("time_limit_s")?,
            retakes_used: r.try_get("retakes_used")?,
            takes_started: r.try_get("started")?,
        })
    })
    .collect()
}

/// `(time limit in seconds, retakes allowed, the role allows sound only)`
/// of a question of the set.
pub async fn question_terms(
    db: &Db,
    question_id: &str,
    question_set_id: &str,
) -> Result<Option<(i64, i64, bool)>, sqlx::Error> {
    sqlx::query(
        "SELECT q.time_limit_s, s.retakes_allowed, r.allow_audio_only FROM questions q \
         JOIN question_sets s ON s.id = q.question_set_id JOIN job_roles r ON r.id = s.job_role_id \
         WHERE q.id = $1 AND q.question_set_id = $2",
    )
    .bind(question_id)
    .bind(question_set_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| {
        Ok((
            r.try_get("time_limit_s")?,
            r.try_get("retakes_allowed")?,
            r.try_get::<i64, _>("allow_audio_only")? != 0,
        ))
    })
    .transpose()
}

/// `(status, expires at)` of an interview, read afresh.
pub async fn interview_state(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<(String, Millis), sqlx::Error> {
    let r = sqlx::query("SELECT status, expires_at FROM interviews WHERE id = $1")
        .bind(interview_id)
        .fetch_one(conn)
        .await?;
    Ok((r.try_get("status")?, r.try_get("expires_at")?))
}

/// The take stored for a question.
pub struct Take {
    pub id: String,
    pub duration_ms: i64,
    pub retakes_used: i64,
    pub upload_key: Option<String>,
    pub media_id: String,
    pub storage_key: String,
    pub sha256: String,
    /// The interview's status.
    pub interview_status: String,
}

pub async fn take(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_id: &str,
) -> Result<Option<Take>, sqlx::Error> {
    sqlx::query(
        "SELECT r.id, r.duration_ms, r.retakes_used, r.upload_key, m.id AS media_id, m.storage_key, \
           m.sha256, i.status \
         FROM responses r JOIN media_objects m ON m.id = r.media_object_id \
         JOIN interviews i ON i.id = r.interview_id \
         WHERE r.interview_id = $1 AND r.question_id = $2",
    )
    .bind(interview_id)
    .bind(question_id)
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(Take {
            id: r.try_get("id")?,
            duration_ms: r.try_get("duration_ms")?,
            retakes_used: r.try_get("retakes_used")?,
            upload_key: r.try_get("upload_key")?,
            media_id: r.try_get("media_id")?,
            storage_key: r.try_get("storage_key")?,
            sha256: r.try_get("sha256")?,
            interview_status: r.try_get("status")?,
        })
    })
    .transpose()
}

/// A stored media file.
pub struct NewMedia<'a> {
    pub id: &'a str,
    pub storage_key: &'a str,
    pub content_type: &'a str,
    pub bytes: i64,
    pub sha256: &'a str,
    pub at: Millis,
}

pub async fn insert_media(conn: &mut AnyConnection, m: NewMedia<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO media_objects (id, storage_key, content_type, bytes, sha256, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(m.id)
    .bind(m.storage_key)
    .bind(m.content_type)
    .bind(m.bytes)
    .bind(m.sha256)
    .bind(m.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_media(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM media_objects WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A take as recorded; a new take has an empty transcript.
pub struct Recorded<'a> {
    pub media_id: &'a str,
    pub duration_ms: i64,
    pub recorded_at: Millis,
    pub upload_key: Option<&'a str>,
}

/// Replaces the take of response `id`.
pub async fn retake(
    conn: &mut AnyConnection,
    id: &str,
    retakes_used: i64,
    r: Recorded<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE responses SET media_object_id = $1, duration_ms = $2, transcript_json = '[]', \
           retakes_used = $3, recorded_at = $4, upload_key = $5 WHERE id = $6",
    )
    .bind(r.media_id)
    .bind(r.duration_ms)
    .bind(retakes_used)
    .bind(r.recorded_at)
    .bind(r.upload_key.map(str::to_string))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The first take of a question stored; `retakes_used` counts the takes
/// started before it and never uploaded.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    interview_id: &str,
    question_id: &str,
    (r, retakes_used): (Recorded<'_>, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO responses (id, interview_id, question_id, media_object_id, duration_ms, \
           transcript_json, retakes_used, recorded_at, upload_key) \
         VALUES ($1, $2, $3, $4, $5, '[]', $8, $6, $7)",
    )
    .bind(id)
    .bind(interview_id)
    .bind(question_id)
    .bind(r.media_id)
    .bind(r.duration_ms)
    .bind(r.recorded_at)
    .bind(r.upload_key.map(str::to_string))
    .bind(retakes_used)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an invited interview started.
pub async fn mark_started(
    conn: &mut AnyConnection,
    interview_id: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE interviews SET status = 'started', started_at = $1 WHERE id = $2 AND status = 'invited'",
    )
    .bind(at)
    .bind(interview_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(questions, answered)` of an interview.
pub async fn progress(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_set_id: &str,
) -> Result<(i64, i64), sqlx::Error> {
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM questions WHERE question_set_id = $1) AS total, \
                (SELECT COUNT(*) FROM responses WHERE interview_id = $2) AS answered",
    )
    .bind(question_set_id)
    .bind(interview_id)
    .fetch_one(conn)
    .await?;
    Ok((counts.try_get("total")?, counts.try_get("answered")?))
}

/// A response's media, for playback.
pub struct Playback {
    pub interview_id: String,
    pub storage_key: String,
    pub content_type: String,
    pub bytes: i64,
    pub sha256: String,
    pub transcript_json: String,
}

pub async fn playback(db: &Db, response_id: &str) -> Result<Option<Playback>, sqlx::Error> {
    sqlx::query(
        "SELECT r.interview_id, m.storage_key, m.content_type, m.bytes, m.sha256, r.transcript_json \
         FROM responses r JOIN media_objects m ON m.id = r.media_object_id WHERE r.id = $1",
    )
    .bind(response_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| {
        Ok(Playback {
            interview_id: r.try_get("interview_id")?,
            storage_key: r.try_get("storage_key")?,
            content_type: r.try_get("content_type")?,
            bytes: r.try_get("bytes")?,
            sha256: r.try_get("sha256")?,
            transcript_json: r.try_get("transcript_json")?,
        })
    })
    .transpose()
}

/// Whether `user_id` may watch a response as a reviewer: assigned to its
/// interview, or a participant of a calibration session that samples it.
pub async fn reviewer_may_watch(
    db: &Db,
    response_id: &str,
    interview_id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let assigned =
        sqlx::query("SELECT 1 AS x FROM assignments WHERE interview_id = $1 AND reviewer_id = $2 AND withdrawn_at IS NULL")
            .bind(interview_id)
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?;
    if assigned.is_some() {
        return Ok(true);
    }
    let sampled = sqlx::query(
        "SELECT 1 AS x FROM calibration_items ci JOIN calibration_participants cp \
         ON cp.session_id = ci.session_id WHERE ci.response_id = $1 AND cp.user_id = $2",
    )
    .bind(response_id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(sampled.is_some())
}
