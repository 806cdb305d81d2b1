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

use super::config::GreenhouseConfig;
use crate::clock::{Millis, DAY, SECOND};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::ats::{self as store, DuePatch};
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
    let mut owed = Vec::new();
    for t in store::unannounced_tests(&state.db).await? {
        if !t.completed_noted {
            owed.push((t.interview_id.clone(), "completed"));
        }
        if t.assigned > 0 && t.submitted == t.assigned {
            owed.push((t.interview_id, "reviewed"));
        }
    }
    // Most rounds owe nothing; they take no write lock.
    if owed.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    for (interview_id, milestone) in owed {
        store::owe_patch(&mut w.tx, &interview_id, milestone, now).await?;
    }
    w.commit().await?;
    Ok(())
}

async fn deliver(state: &AppState, cfg: &GreenhouseConfig, owner: &str) -> anyhow::Result<()> {
    let now = state.clock.now();
    for job in store::due_patches(&state.db, now, BATCH).await? {
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
    let claimed = store::claim_patch(&mut w.tx, id, owner, now + LEASE, now).await?;
    w.commit().await?;
    Ok(claimed)
}

/// What one PATCH came to: the HTTP status, or why there was none.
type Outcome = Result<u16, String>;

async fn patch(state: &AppState, cfg: &GreenhouseConfig, job: &DuePatch) -> Outcome {
    // The allowed hosts may have changed since send_test.
    super::greenhouse::check_callback(cfg, &job.url).map_err(|e| e.detail)?;
    // Greenhouse needs no body; the status rides along for people reading
    // their logs, and Greenhouse fetches test_status for the real thing.
    let status = super::greenhouse::status(state, cfg, &job.interview_id)
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
    job: &DuePatch,
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
    let outcome = store::PatchOutcome {
        state: state_after,
        attempts,
        next_attempt_at: next,
        first_attempt_at: first,
        attempted_at: at,
        status: code,
        error,
        finished_at: finished,
    };
    store::finish_patch(&mut w.tx, &job.id, owner, outcome).await?;
    w.commit().await?;
    Ok(())
}
