//! Tells Greenhouse when a test it sent has results: one PATCH, with no
//! body (as Greenhouse documents "PATCH Completed Test"), to the `url` it
//! gave in send_test, after which Greenhouse fetches `test_status` and
//! stops polling.
//!
//! The worker derives what is owed from committed state rather than from
//! events: a completed interview of a Greenhouse test owes its `reviewed`
//! notice once every assigned reviewer has submitted or a recruiter has
//! decided — not when the candidate finishes, since `test_status` then
//! has no results yet. The notice is one row, unique per test, so however
//! often the worker looks it is announced once. Rows are claimed with a
//! lease before the PATCH and retried with backoff, on the injected clock,
//! until Greenhouse answers 2xx. A 4xx (Greenhouse refuses: the candidate
//! was hired or is inactive) is final: recorded with why, not retried.

use std::time::Duration;

use rand::Rng;

use super::config::GreenhouseConfig;
use crate::clock::{Millis, DAY, HOUR, SECOND};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::ats::{self as store, DuePatch};
use crate::worker::{Schedule, Worker, WorkerHandle};

/// How often to look for owed notices (real time).
const POLL: Duration = Duration::from_millis(500);
/// A claimed row is left alone by other workers this long.
const LEASE: Millis = 5 * 60 * SECOND;
/// Greenhouse keeps a test open for eight weeks; past a week of failures
/// the notice is given up and left for an operator (it stays in the table).
const GIVE_UP_AFTER: Millis = 7 * DAY;
const BATCH: i64 = 20;

/// The wait after `failures` failed PATCHes: 30 s doubling to at most 6 h,
/// ±20 % jitter.
fn retry_delay(failures: i64, jitter: f64) -> Millis {
    let exp = (failures.max(1) - 1).min(30) as u32;
    let base = (30 * SECOND).saturating_mul(1i64 << exp).min(6 * HOUR);
    (base as f64 * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as Millis
}

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
        if (t.assigned > 0 && t.submitted == t.assigned) || t.decided {
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
        let outcome = patch(cfg, &job).await;
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

async fn patch(cfg: &GreenhouseConfig, job: &DuePatch) -> Outcome {
    // The allowed hosts may have changed since send_test.
    super::greenhouse::check_callback(cfg, &job.url).map_err(|e| e.detail)?;
    // The key of the organisation that sent the test: Greenhouse answers
    // each customer's tests under that customer's key.
    let key = cfg.key_of(job.organisation.as_deref()).ok_or_else(|| {
        format!(
            "the Greenhouse organisation {:?} that sent this test is no longer in \
             [[ats.greenhouse.organisations]]; restore its entry to deliver",
            job.organisation
                .as_deref()
                .unwrap_or("[ats.greenhouse] api_key")
        )
    })?;
    let sent = super::http()
        .patch(&job.url)
        .basic_auth(key.expose(), Some(""))
        .send()
        .await;
    match sent {
        Ok(resp) => Ok(resp.status().as_u16()),
        Err(err) => Err(error_chain(&err)),
    }
}

/// Greenhouse will not take this PATCH however often it is sent: the
/// candidate is hired or inactive, or the test is gone. Timeouts and rate
/// limits are the exception: those pass.
fn refused(code: u16) -> bool {
    (400..500).contains(&code) && !matches!(code, 408 | 425 | 429)
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
        Ok(code) if refused(*code) => (
            Some(*code),
            Some(format!(
                "Greenhouse refused the completion with {code} (is the candidate hired or \
                 inactive, or the test deleted?); not retried"
            )),
        ),
        Ok(code) => (Some(*code), Some(format!("Greenhouse answered {code}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let (state_after, next, finished) = if error.is_none() {
        ("delivered", at, Some(at))
    } else if code.is_some_and(refused) {
        tracing::warn!(interview = %job.interview_id, error = ?error,
            "Greenhouse refused a completion notice");
        ("dead", at, Some(at))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_final_but_throttles_are_not() {
        assert!(refused(400) && refused(403) && refused(404) && refused(422));
        assert!(!refused(408) && !refused(429) && !refused(500) && !refused(200));
    }
}
