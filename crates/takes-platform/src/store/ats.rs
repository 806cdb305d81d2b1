//! ATS integrations: inbound message ids already handled, the Greenhouse
//! tests we were sent, and the PATCHes owed to Greenhouse when a test is
//! done (one row per test and milestone, claimed with a lease).

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;
use crate::ids::new_id;
use crate::store::lease;

/// The answer first given to a signed message, if its id was seen before.
pub async fn seen_message(
    db: &Db,
    source: &str,
    message_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT response FROM ats_inbound_messages WHERE source = $1 AND message_id = $2",
    )
    .bind(source)
    .bind(message_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| r.try_get("response")).transpose()
}

/// Remembers a handled message (a concurrent duplicate keeps the first) and
/// forgets those received before `forget_before`.
pub async fn remember_message(
    conn: &mut AnyConnection,
    source: &str,
    message_id: &str,
    response: &str,
    at: Millis,
    forget_before: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ats_inbound_messages (source, message_id, received_at, response) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (source, message_id) DO NOTHING",
    )
    .bind(source)
    .bind(message_id)
    .bind(at)
    .bind(response)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM ats_inbound_messages WHERE received_at < $1")
        .bind(forget_before)
        .execute(conn)
        .await?;
    Ok(())
}

/// `(id, title, department)` of every role with a question set, by title.
pub async fn roles_with_questions(db: &Db) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query(
        "SELECT r.id, r.title, r.department FROM job_roles r \
         WHERE EXISTS (SELECT 1 FROM question_sets s WHERE s.job_role_id = r.id) \
         ORDER BY r.title, r.department, r.id",
    )
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("title")?,
            r.try_get("department")?,
        ))
    })
    .collect()
}

/// Every role id, to check the configured organisations' roles at start.
pub async fn role_ids(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT id FROM job_roles")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect()
}

/// A test Greenhouse sent, as first recorded.
pub struct SentTest<'a> {
    pub interview_id: &'a str,
    pub partner_test_id: &'a str,
    pub patch_url: &'a str,
    pub profile_url: Option<&'a str>,
    /// The organisation whose key sent it; `None`: the single key.
    pub organisation: Option<&'a str>,
    pub at: Millis,
}

/// Records a sent test; a repeated send keeps the first record.
pub async fn record_test(conn: &mut AnyConnection, t: SentTest<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO greenhouse_tests (interview_id, partner_test_id, patch_url, profile_url, \
           organisation, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (interview_id) DO NOTHING",
    )
    .bind(t.interview_id)
    .bind(t.partner_test_id)
    .bind(t.patch_url)
    .bind(t.profile_url.map(str::to_string))
    .bind(t.organisation.map(str::to_string))
    .bind(t.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// What Greenhouse's test status is made of.
pub struct TestFacts {
    pub status: String,
    pub completed_at: Option<Millis>,
    pub assigned: i64,
    pub submitted: i64,
    /// Mean of the submitted ratings.
    pub mean_rating: Option<f64>,
    pub scale_min: Option<i64>,
    pub scale_max: Option<i64>,
    /// The latest decision's action.
    pub decision: Option<String>,
    /// The organisation that sent the test; `None`: the single key.
    pub organisation: Option<String>,
}

/// The facts of a Greenhouse test's interview; `None` when no test was sent
/// for it.
pub async fn test_facts(db: &Db, interview_id: &str) -> Result<Option<TestFacts>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.status, i.completed_at, i.question_set_id, g.organisation, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.withdrawn_at IS NULL) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.status = 'submitted') AS submitted, \
           (SELECT CAST(AVG(CAST(s.rating AS DOUBLE PRECISION)) AS DOUBLE PRECISION) FROM scores s \
              JOIN assignments a ON a.id = s.assignment_id \
              WHERE a.interview_id = i.id AND a.status = 'submitted') AS mean_rating, \
           (SELECT MIN(q.scale_min) FROM questions q WHERE q.question_set_id = i.question_set_id) AS scale_min, \
           (SELECT MAX(q.scale_max) FROM questions q WHERE q.question_set_id = i.question_set_id) AS scale_max \
         FROM greenhouse_tests g JOIN interviews i ON i.id = g.interview_id WHERE g.interview_id = $1",
    )
    .bind(interview_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let decision = sqlx::query(
        "SELECT action FROM decisions WHERE interview_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1",
    )
    .bind(interview_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|d| d.try_get("action"))
    .transpose()?;
    Ok(Some(TestFacts {
        status: row.try_get("status")?,
        completed_at: row.try_get("completed_at")?,
        assigned: row.try_get("assigned")?,
        submitted: row.try_get("submitted")?,
        mean_rating: row.try_get("mean_rating")?,
        scale_min: row.try_get("scale_min")?,
        scale_max: row.try_get("scale_max")?,
        decision,
        organisation: row.try_get("organisation")?,
    }))
}

/// A completed Greenhouse test whose `reviewed` notice is not yet noted.
pub struct Unannounced {
    pub interview_id: String,
    pub assigned: i64,
    pub submitted: i64,
    /// A recruiter has decided (which closes the review).
    pub decided: bool,
}

pub async fn unannounced_tests(db: &Db) -> Result<Vec<Unannounced>, sqlx::Error> {
    sqlx::query(
        "SELECT g.interview_id, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = g.interview_id AND a.withdrawn_at IS NULL) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = g.interview_id \
              AND a.status = 'submitted') AS submitted, \
           (SELECT COUNT(*) FROM decisions d WHERE d.interview_id = g.interview_id) AS decided \
         FROM greenhouse_tests g JOIN interviews i ON i.id = g.interview_id \
         WHERE i.status = 'completed' AND NOT EXISTS (SELECT 1 FROM greenhouse_patches p \
              WHERE p.interview_id = g.interview_id AND p.milestone = 'reviewed')",
    )
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Unannounced {
            interview_id: r.try_get("interview_id")?,
            assigned: r.try_get("assigned")?,
            submitted: r.try_get("submitted")?,
            decided: r.try_get::<i64, _>("decided")? > 0,
        })
    })
    .collect()
}

/// Notes a notice owed to Greenhouse, once per test and milestone.
pub async fn owe_patch(
    conn: &mut AnyConnection,
    interview_id: &str,
    milestone: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO greenhouse_patches (id, interview_id, milestone, state, attempts, \
           next_attempt_at, created_at) VALUES ($1, $2, $3, 'pending', 0, $4, $4) \
         ON CONFLICT (interview_id, milestone) DO NOTHING",
    )
    .bind(new_id())
    .bind(interview_id)
    .bind(milestone)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A notice due to be sent.
pub struct DuePatch {
    pub id: String,
    pub interview_id: String,
    pub url: String,
    pub attempts: i64,
    pub first_attempt_at: Option<Millis>,
    /// Whose key the PATCH carries; `None`: the single key.
    pub organisation: Option<String>,
}

/// Pending notices due at `now` and not leased, at most `batch`.
pub async fn due_patches(db: &Db, now: Millis, batch: i64) -> Result<Vec<DuePatch>, sqlx::Error> {
    sqlx::query(
        "SELECT p.id, p.interview_id, p.attempts, p.first_attempt_at, g.patch_url, g.organisation \
         FROM greenhouse_patches p JOIN greenhouse_tests g ON g.interview_id = p.interview_id \
         WHERE p.state = 'pending' AND p.next_attempt_at <= $1 \
           AND (p.lease_until IS NULL OR p.lease_until <= $1) \
         ORDER BY p.next_attempt_at, p.created_at, p.id LIMIT $2",
    )
    .bind(now)
    .bind(batch)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(DuePatch {
            id: r.try_get("id")?,
            interview_id: r.try_get("interview_id")?,
            url: r.try_get("patch_url")?,
            attempts: r.try_get("attempts")?,
            first_attempt_at: r.try_get("first_attempt_at")?,
            organisation: r.try_get("organisation")?,
        })
    })
    .collect()
}

const PATCHES: lease::Queue = lease::Queue {
    table: "greenhouse_patches",
    key: "id",
    also: "",
};

/// Leases a notice to `owner` until `until`, unless another worker holds
/// it (several servers may share one PostgreSQL database).
pub async fn claim_patch(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    until: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    lease::take(conn, &PATCHES, id, Some(owner), until, now).await
}

/// Where a notice stands after a PATCH.
pub struct PatchOutcome<'a> {
    /// `pending`, `delivered` or `dead`.
    pub state: &'a str,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub first_attempt_at: Millis,
    pub attempted_at: Millis,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub finished_at: Option<Millis>,
}

/// Records a PATCH and releases the lease, if `owner` still holds it.
pub async fn finish_patch(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    o: PatchOutcome<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE greenhouse_patches SET state = $1, attempts = $2, next_attempt_at = $3, \
           first_attempt_at = $4, last_attempt_at = $5, last_status = $6, last_error = $7, \
           finished_at = $8, lease_owner = NULL, lease_until = NULL \
         WHERE id = $9 AND lease_owner = $10 AND state = 'pending'",
    )
    .bind(o.state)
    .bind(o.attempts)
    .bind(o.next_attempt_at)
    .bind(o.first_attempt_at)
    .bind(o.attempted_at)
    .bind(o.status.map(i64::from))
    .bind(o.error)
    .bind(o.finished_at)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(())
}

/// A completion notice as admins see it.
pub struct Notice {
    pub interview_id: String,
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Millis>,
    pub created_at: Millis,
}

/// Notices, newest first, in `state` when given.
pub async fn notices(db: &Db, state: Option<&str>, limit: i64) -> Result<Vec<Notice>, sqlx::Error> {
    sqlx::query(
        "SELECT interview_id, state, attempts, last_status, last_error, last_attempt_at, created_at \
         FROM greenhouse_patches WHERE ($1 = '' OR state = $1) \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(state.unwrap_or_default())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Notice {
            interview_id: r.try_get("interview_id")?,
            state: r.try_get("state")?,
            attempts: r.try_get("attempts")?,
            last_status: r.try_get("last_status")?,
            last_error: r.try_get("last_error")?,
            last_attempt_at: r.try_get("last_attempt_at")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}
