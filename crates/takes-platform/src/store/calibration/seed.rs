//! What the demo seed reads to pick calibration samples, its direct writes
//! of scores already submitted, and the two statements it needs on users
//! and roles.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;

/// `(question_set_id, name)` of the question set with the most interviews
/// that two or more reviewers have submitted and none is still reviewing
/// (calibration refuses interviews under review).
pub async fn demo_sample_set(
    conn: &mut AnyConnection,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let Some(set) = sqlx::query(
        "SELECT i.question_set_id, qs.name, COUNT(*) AS n FROM interviews i \
         JOIN question_sets qs ON qs.id = i.question_set_id \
         WHERE (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id \
                AND a.status = 'submitted') >= 2 \
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.interview_id = i.id \
                AND a.status <> 'submitted' AND a.withdrawn_at IS NULL) \
         GROUP BY i.question_set_id, qs.name ORDER BY n DESC, qs.name LIMIT 1",
    )
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        set.try_get("question_set_id")?,
        set.try_get("name")?,
    )))
}

/// A response that could be a calibration sample.
pub struct SamplePoolRow {
    pub response_id: String,
    pub interview_id: String,
    pub scale: (i64, i64),
    /// Mean of the live panel's submitted ratings of it, if any.
    pub mean: Option<f64>,
}

/// The responses of a question set's interviews that two or more
/// reviewers have submitted and none is still reviewing, with their
/// panel's mean rating.
pub async fn demo_sample_pool(
    conn: &mut AnyConnection,
    question_set_id: &str,
) -> Result<Vec<SamplePoolRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.id, r.interview_id, q.scale_min, q.scale_max, \
           (SELECT CAST(AVG(CAST(s.rating AS DOUBLE PRECISION)) AS DOUBLE PRECISION) FROM scores s \
              JOIN assignments a ON a.id = s.assignment_id \
              WHERE a.interview_id = r.interview_id AND s.question_id = r.question_id \
                AND a.status = 'submitted') AS mean \
         FROM responses r JOIN interviews i ON i.id = r.interview_id \
         JOIN questions q ON q.id = r.question_id \
         WHERE i.question_set_id = $1 AND (SELECT COUNT(*) FROM assignments a \
           WHERE a.interview_id = i.id AND a.status = 'submitted') >= 2 \
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.interview_id = i.id \
           AND a.status <> 'submitted' AND a.withdrawn_at IS NULL)",
    )
    .bind(question_set_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SamplePoolRow {
                response_id: r.try_get("id")?,
                interview_id: r.try_get("interview_id")?,
                scale: (r.try_get("scale_min")?, r.try_get("scale_max")?),
                mean: r.try_get("mean")?,
            })
        })
        .collect()
}

/// A participant's score, written directly (the seed's reviewers scored
/// before the demo starts).
pub async fn seed_score(
    conn: &mut AnyConnection,
    session_id: &str,
    item_id: &str,
    user_id: &str,
    rating: i64,
    note: Option<&str>,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calibration_scores (session_id, item_id, user_id, rating, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(session_id)
    .bind(item_id)
    .bind(user_id)
    .bind(rating)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}
