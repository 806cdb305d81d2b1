//! Tells Greenhouse when a test it sent is done: a PATCH to the `url` it
//! gave in send_test, after which Greenhouse fetches `test_status`.
//!
//! The worker derives what is owed from committed state rather than from
//! events: an interview of a Greenhouse test that is completed owes a
//! `completed` notice, and one whose reviewers have all submitted owes a
//! `reviewed` notice (so the score reaches Greenhouse too). Each notice is
//! one row, unique per test and milestone, so however the interview got
//! there and however often the worker looks, it is announced once. Rows
//! are claimed with a lease before the PATCH and retried with backoff, on
//! the injected clock, until Greenhouse answers 2xx.

use std::time::Duration;

use rand::Rng;
use sqlx::Row;

use super::config::GreenhouseConfig;
use crate::clock::{Millis, DAY, SECOND};
use crate::ids::new_id;
use crate::state::AppState;
use crate::webhooks::worker::retry_delay;
use crate::worker::{Schedule, Worker, WorkerHandle};

/// How often to look for owed notices (real time).
const POLL: Duration = Duration::from_millis(500);
/// A claimed row is left alone by other workers this long.
const LEASE: Millis = 5 * 60 * SECOND;
/// Greenhouse keeps a test open for eight weeks; past a week of failures
/// the notice is given up and left for an operator (it stays in the table).
const GIVE_UP_AFTER: Millis = 7 * DAY;
const BATCH: i64 = 20;

/// The Greenhouse notifier of `state`; idle while `[ats.greenhouse]` is
/// not configured.
pub fn spawn(state: AppState) -> WorkerHandle {
    let notifier = Notifier {
        state,
        owner: new_id(),
    };
    WorkerHandle::spawn(notifier, Schedule::every(POLL))
}

struct Notifier {
    state: AppState,
    /// Marks this worker's leases.
    owner: String,
}

impl Worker for Notifier {
    const NAME: &'static str = "greenhouse-notifier";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        if let Some(cfg) = self.state.config.ats.greenhouse.clone() {
            round(&self.state, &cfg, &self.owner).await?;
        }
        Ok(false)
    }
}

/// One pass: note what is owed, then send what is due.
pub async fn round(state: &AppState, cfg: &GreenhouseConfig, owner: &str) -> anyhow::Result<()> {
    enqueue(state).await?;
    deliver(state, cfg, owner).await
}

async fn enqueue(state: &AppState) -> anyhow::Result<()> {
    // Tests whose last milestone is not yet noted; finished ones drop out.
    let rows = sqlx::query(
        "SELECT g.interview_id, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = g.interview_id) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = g.interview_id \
              AND a.status = 'submitted') AS submitted, \
           (SELECT COUNT(*) FROM greenhouse_patches p WHERE p.interview_id = g.interview_id \
              AND p.milestone = 'completed') AS noted \
         FROM greenhouse_tests g JOIN interviews i ON i.id = g.interview_id \
         WHERE i.status = 'completed' AND NOT EXISTS (SELECT 1 FROM greenhouse_patches p \
              WHERE p.interview_id = g.interview_id AND p.milestone = 'reviewed')",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut owed = Vec::new();
    for r in &rows {
        let interview_id: String = r.try_get("interview_id")?;
        let assigned: i64 = r.try_get("assigned")?;
        let submitted: i64 = r.try_get("submitted")?;
        if r.try_get::<i64, _>("noted")? == 0 {
            owed.push((interview_id.clone(), "completed"));
        }
        if assigned > 0 && submitted == assigned {
            owed.push((interview_id, "reviewed"));
        }
    }
    // Most rounds owe nothing; they take no write lock.
    if owed.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    for (interview_id, milestone) in owed {
        sqlx::query(
            "INSERT INTO greenhouse_patches (id, interview_id, milestone, state, attempts, \
               next_attempt_at, created_at) VALUES ($1, $2, $3, 'pending', 0, $4, $4) \
             ON CONFLICT (interview_id, milestone) DO NOTHING",
        )
        .bind(new_id())
        .bind(&interview_id)
        .bind(milestone)
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
    }
    w.commit().await?;
    Ok(())
}

struct Job {
    id: String,
    interview_id: String,
    url: String,
    attempts: i64,
    first_attempt_at: Option<Millis>,
}

async fn deliver(state: &AppState, cfg: &GreenhouseConfig, owner: &str) -> anyhow::Result<()> {
    let now = state.clock.now();
    let rows = sqlx::query(
        "SELECT p.id, p.interview_id, p.attempts, p.first_attempt_at, g.patch_url \
         FROM greenhouse_patches p JOIN greenhouse_tests g ON g.interview_id = p.interview_id \
         WHERE p.state = 'pending' AND p.next_attempt_at <= $1 \
           AND (p.lease_until IS NULL OR p.lease_until <= $1) \
         ORDER BY p.next_attempt_at, p.created_at, p.id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    for r in &rows {
        let job = Job {
            id: r.try_get("id")?,
            interview_id: r.try_get("interview_id")?,
            url: r.try_get("patch_url")?,
            attempts: r.try_get("attempts")?,
            first_attempt_at: r.try_get("first_attempt_at")?,
        };
        if !claim(state, owner, &job.id, now).await? {
            continue;
        }
        let at = state.clock.now();
        let outcome = patch(state, cfg, &job).await;
        record(state, owner, &job, at, outcome).await?;
    }
    Ok(())
}

/// Takes the row unless another worker holds it (several servers may
/// share one PostgreSQL database).
async fn claim(state: &AppState, owner: &str, id: &str, now: Millis) -> anyhow::Result<bool> {
    let mut w = state.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE greenhouse_patches SET lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $4)",
    )
    .bind(owner)
    .bind(now + LEASE)
    .bind(id)
    .bind(now)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    w.commit().await?;
    Ok(n == 1)
}

/// What one PATCH came to: the HTTP status, or why there was none.
type Outcome = Result<u16, String>;

async fn patch(state: &AppState, cfg: &GreenhouseConfig, job: &Job) -> Outcome {
    // The allowed hosts may have changed since send_test.
    super::greenhouse::check_callback(cfg, &job.url).map_err(|e| e.detail)?;
    // Greenhouse needs no body; the status rides along for people reading
    // their logs, and Greenhouse fetches test_status for the real thing.
    let status = super::greenhouse::status(state, cfg, &job.interview_id, None)
        .await
        .map_err(|e| e.detail)?;
    let body = match status {
        Some(s) => serde_json::json!({
            "partner_interview_id": job.interview_id,
            "partner_status": s.partner_status,
            "partner_profile_url": s.partner_profile_url,
            "partner_score": s.partner_score,
        }),
        None => serde_json::json!({"partner_interview_id": job.interview_id}),
    };
    let sent = super::http()
        .patch(&job.url)
        .basic_auth(cfg.api_key.expose(), Some(""))
        .json(&body)
        .send()
        .await;
    match sent {
        Ok(resp) => Ok(resp.status().as_u16()),
        Err(err) => Err(error_chain(&err)),
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.replace('\0', "")
}

async fn record(
    state: &AppState,
    owner: &str,
    job: &Job,
    at: Millis,
    outcome: Outcome,
) -> anyhow::Result<()> {
    let attempts = job.attempts + 1;
    let first = job.first_attempt_at.unwrap_or(at);
    let (code, error) = match &outcome {
        Ok(code) if (200..300).contains(code) => (Some(*code), None),
        Ok(code) => (Some(*code), Some(format!("Greenhouse answered {code}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let (state_after, next, finished) = if error.is_none() {
        ("delivered", at, Some(at))
    } else if at - first >= GIVE_UP_AFTER {
        tracing::error!(interview = %job.interview_id, error = ?error,
            "giving up telling Greenhouse that a test is done");
        ("dead", at, Some(at))
    } else {
        let jitter: f64 = rand::thread_rng().gen();
        ("pending", at + retry_delay(attempts, jitter), None)
    };
    let mut w = state.db.begin_write().await?;
    sqlx::query(
        "UPDATE greenhouse_patches SET state = $1, attempts = $2, next_attempt_at = $3, \
           first_attempt_at = $4, last_attempt_at = $5, last_status = $6, last_error = $7, \
           finished_at = $8, lease_owner = NULL, lease_until = NULL \
         WHERE id = $9 AND lease_owner = $10 AND state = 'pending'",
    )
    .bind(state_after)
    .bind(attempts)
    .bind(next)
    .bind(first)
    .bind(at)
    .bind(code.map(i64::from))
    .bind(error)
    .bind(finished)
    .bind(&job.id)
    .bind(owner)
    .execute(&mut *w.tx)
    .await?;
    w.commit().await?;
    Ok(())
}
