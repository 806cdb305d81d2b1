//! Candidates, interviews, responses and their media objects.

use sqlx::{AnyConnection, Row};
use takes_api::{Cue, InterviewPage, InterviewStatus, InterviewSummary, JobRoleView};

use super::assignments::candidate_view;
use super::decisions;
use super::page::PageRequest;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::pseudonym;

/// Adds a candidate with a pseudonym no other candidate has (see
/// [`candidates`]).
pub async fn candidate(
    c: &mut AnyConnection,
    now: Millis,
    name: &str,
    email: &str,
) -> Result<String, sqlx::Error> {
    let ids = candidates(c, now, &[(name, email)]).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| sqlx::Error::Protocol("a candidate insert returned no id".into()))
}

/// Rows per INSERT: 5 parameters each stays far below SQLite's (32,766)
/// and PostgreSQL's (65,535) limits.
const BATCH: usize = 500;

/// Adds candidates (name, email), returning their ids in order, each with a
/// pseudonym no other candidate has: when a derived pseudonym is taken (the
/// unique index `candidates_by_pseudonym` decides, so concurrent writers
/// cannot both win), that candidate's next choice is tried. `ON CONFLICT DO
/// NOTHING` rather than catching the error, because a failed statement
/// aborts the whole transaction on PostgreSQL; many rows per statement, so
/// an import of thousands is a few round trips.
pub async fn candidates(
    c: &mut AnyConnection,
    now: Millis,
    people: &[(&str, &str)],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> = people.iter().map(|_| new_id()).collect();
    let mut pending: Vec<usize> = (0..people.len()).collect();
    for n in 0..pseudonym::ATTEMPTS {
        if pending.is_empty() {
            return Ok(ids);
        }
        let mut taken = Vec::new();
        for chunk in pending.chunks(BATCH) {
            let values = (0..chunk.len())
                .map(|k| {
                    let p = 5 * k;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO candidates (id, name, email, pseudonym, created_at) VALUES {values} \
                 ON CONFLICT (pseudonym) DO NOTHING RETURNING id"
            );
            let mut insert = sqlx::query(&sql);
            for &i in chunk {
                let (name, email) = people[i];
                insert = insert
                    .bind(&ids[i])
                    .bind(name)
                    .bind(email)
                    .bind(pseudonym::attempt(&ids[i], n))
                    .bind(now);
            }
            let inserted = insert
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("id"))
                .collect::<Result<std::collections::HashSet<_>, _>>()?;
            taken.extend(chunk.iter().filter(|&&i| !inserted.contains(&ids[i])));
        }
        pending = taken;
    }
    match pending.first() {
        Some(&i) => Err(no_free_pseudonym(&ids[i])),
        None => Ok(ids),
    }
}

fn no_free_pseudonym(id: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!(
        "no free pseudonym for candidate {id} after {} attempts",
        pseudonym::ATTEMPTS
    ))
}

/// Run after the migrations at every start: gives every candidate but the
/// oldest of each group sharing a pseudonym (possible in databases from
/// before pseudonyms were unique) its next free choice, then creates the
/// unique index that keeps them apart from then on. A no-op once done.
pub async fn install_unique_pseudonyms(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let shared = sqlx::query(
        "SELECT id, pseudonym FROM candidates WHERE pseudonym IN \
           (SELECT pseudonym FROM candidates GROUP BY pseudonym HAVING COUNT(*) > 1) \
         ORDER BY pseudonym, created_at, id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut group = None::<String>;
    for row in &shared {
        let id: String = row.try_get("id")?;
        let current: String = row.try_get("pseudonym")?;
        if group.as_deref() != Some(current.as_str()) {
            // The oldest keeps the name reviewers may already know.
            group = Some(current);
            continue;
        }
        let mut renamed = false;
        for n in 1..pseudonym::ATTEMPTS {
            let next = pseudonym::attempt(&id, n);
            let taken = sqlx::query("SELECT id FROM candidates WHERE pseudonym = $1")
                .bind(&next)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !taken {
                sqlx::query("UPDATE candidates SET pseudonym = $1 WHERE id = $2")
                    .bind(&next)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                renamed = true;
                break;
            }
        }
        if !renamed {
            return Err(no_free_pseudonym(&id));
        }
    }
    sqlx::query(
        "CREATE UNIQUE INDEX IF NOT EXISTS candidates_by_pseudonym ON candidates (pseudonym)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub struct NewInterview<'a> {
    pub candidate_id: &'a str,
    pub role_id: &'a str,
    pub question_set_id: &'a str,
    pub status: &'a str,
    pub invited_at: Millis,
    pub expires_at: Millis,
    pub started_at: Option<Millis>,
    pub completed_at: Option<Millis>,
}

pub async fn interview(c: &mut AnyConnection, i: NewInterview<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO interviews (id, candidate_id, job_role_id, question_set_id, status, invited_at, expires_at, \
         started_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(i.candidate_id)
    .bind(i.role_id)
    .bind(i.question_set_id)
    .bind(i.status)
    .bind(i.invited_at)
    .bind(i.expires_at)
    .bind(i.started_at)
    .bind(i.completed_at)
    .execute(c)
    .await?;
    Ok(id)
}

/// Records a file already written to the media store under `storage_key`.
pub async fn media_object(
    c: &mut AnyConnection,
    now: Millis,
    storage_key: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO media_objects (id, storage_key, content_type, bytes, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(storage_key)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(crate::ids::sha256_hex(bytes))
    .bind(now)
    .execute(c)
    .await?;
    Ok(id)
}

pub struct NewResponse<'a> {
    pub interview_id: &'a str,
    pub question_id: &'a str,
    pub media_object_id: &'a str,
    pub duration_ms: i64,
    pub cues: &'a [Cue],
    pub retakes_used: i64,
    pub recorded_at: Millis,
}

pub async fn response(c: &mut AnyConnection, r: NewResponse<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let cues = serde_json::to_string(r.cues).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO responses (id, interview_id, question_id, media_object_id, duration_ms, transcript_json, \
         retakes_used, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(r.interview_id)
    .bind(r.question_id)
    .bind(r.media_object_id)
    .bind(r.duration_ms)
    .bind(cues)
    .bind(r.retakes_used)
    .bind(r.recorded_at)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn exists(conn: &mut AnyConnection, id: &str) -> ApiResult<bool> {
    Ok(sqlx::query("SELECT id FROM interviews WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// One page of interviews, newest invitation first (`status` empty for
/// every state), with review progress and the latest decision.
pub async fn list(
    conn: &mut AnyConnection,
    status: &str,
    page: &PageRequest,
) -> ApiResult<InterviewPage> {
    let rows = sqlx::query(
        "SELECT i.id, i.status, i.invited_at, i.expires_at, i.completed_at, c.name, r.title, r.department, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.withdrawn_at IS NULL) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.status = 'submitted') AS submitted, \
           (SELECT CAST(AVG(CAST(s.rating AS DOUBLE PRECISION)) AS DOUBLE PRECISION) FROM scores s \
              JOIN assignments a ON a.id = s.assignment_id \
              WHERE a.interview_id = i.id AND a.status = 'submitted') AS mean_rating \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE ($1 = '' OR i.status = $1) AND (i.invited_at < $2 OR (i.invited_at = $2 AND i.id < $3)) \
         ORDER BY i.invited_at DESC, i.id DESC LIMIT $4",
    )
    .bind(status)
    .bind(page.after_key)
    .bind(&page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(&mut *conn)
    .await?;
    let (rows, next_cursor) = page.finish(rows, |r| {
        Ok::<_, sqlx::Error>((r.try_get("invited_at")?, r.try_get("id")?))
    })?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        items.push(InterviewSummary {
            decision: decisions::latest(conn, &id).await?,
            candidate: candidate_view(row.try_get("name")?, String::new(), true),
            role: JobRoleView {
                title: row.try_get("title")?,
                department: row.try_get("department")?,
            },
            status: InterviewStatus::parse(&status).ok_or_else(|| {
                ApiError::internal(format!("stored interview status {status:?} is unknown"))
            })?,
            invited_at: rfc3339(row.try_get("invited_at")?),
            expires_at: rfc3339(row.try_get("expires_at")?),
            completed_at: row.try_get::<Option<i64>, _>("completed_at")?.map(rfc3339),
            reviewers_assigned: row.try_get("assigned")?,
            reviewers_submitted: row.try_get("submitted")?,
            mean_rating: row.try_get("mean_rating")?,
            id,
        });
    }
    Ok(InterviewPage { items, next_cursor })
}

/// Whom an interview is with, for its scorecard.
pub struct ScorecardHead {
    pub candidate_id: String,
    pub name: String,
    pub title: String,
    pub question_set_id: String,
    pub completed_at: Option<Millis>,
}

pub async fn scorecard_head(
    conn: &mut AnyConnection,
    id: &str,
) -> ApiResult<Option<ScorecardHead>> {
    let Some(head) = sqlx::query(
        "SELECT c.id AS candidate_id, c.name, r.title, i.question_set_id, i.completed_at \
         FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(ScorecardHead {
        candidate_id: head.try_get("candidate_id")?,
        name: head.try_get("name")?,
        title: head.try_get("title")?,
        question_set_id: head.try_get("question_set_id")?,
        completed_at: head.try_get("completed_at")?,
    }))
}

/// A question as a scorecard shows it.
pub struct ScorecardQuestion {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub scale: (i64, i64),
}

/// A question set's questions in order. (Reads the roles aggregate for the
/// scorecard export.)
pub async fn scorecard_questions(
    conn: &mut AnyConnection,
    question_set_id: &str,
) -> ApiResult<Vec<ScorecardQuestion>> {
    let rows = sqlx::query(
        "SELECT id, position, prompt, competency, scale_min, scale_max FROM questions \
         WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(question_set_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|q| {
            Ok(ScorecardQuestion {
                id: q.try_get("id")?,
                position: q.try_get("position")?,
                prompt: q.try_get("prompt")?,
                competency: q.try_get("competency")?,
                scale: (q.try_get("scale_min")?, q.try_get("scale_max")?),
            })
        })
        .collect()
}
