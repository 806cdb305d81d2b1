//! Sends the calls owed to Lever (`lever_writebacks`), oldest first per
//! interview, each claimed with a lease so several servers on one
//! database never send one twice at once.
//!
//! * 2xx: delivered. 4xx other than 408/429: Lever will not take it
//!   (unknown opportunity, a key without the scope): `failed` at once,
//!   with Lever's message, for admins to see and retry.
//! * 429, 408, 5xx and no answer: retried on the Standard Webhooks
//!   schedule (`webhooks::backoff`, about three days), never sooner than
//!   Lever's `Retry-After`; 429 (and 502/504) also hold every call back,
//!   since Lever's limit is per API key. Past the schedule: `failed`.
//! * Restarts: the attempt is counted before the request goes out. An
//!   attempt that may have reached Lever without its answer being
//!   recorded (a crash, a timeout, a 5xx) leaves `maybe_sent_at`; a note
//!   is then looked for in Lever, by its unique results link, and only
//!   sent again if it is not there. Tags and stage moves are idempotent
//!   in Lever and are simply sent again.

use std::time::Duration;

use rand::Rng;

use super::calls::{self, Answer};
use crate::ats::config::{LeverConfig, LeverWriteback};
use crate::clock::{Millis, SECOND};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::lever_writeback::{self as store, Due, Finish};
use crate::webhooks::backoff;
use crate::worker::{Schedule, Worker, WorkerHandle};

/// How often to look for due calls (real time).
const POLL: Duration = Duration::from_millis(250);
/// A claimed row is left alone by other workers this long.
pub const LEASE: Millis = 5 * 60 * SECOND;
const BATCH: i64 = 20;

/// The Lever write-back worker of `state`; idle while
/// `[ats.lever.writeback]` is not configured.
pub fn spawn(state: AppState) -> WorkerHandle {
    let writer = Writer {
        state,
        owner: new_id(),
        held_until: 0,
    };
    WorkerHandle::spawn(writer, Schedule::every(POLL))
}

struct Writer {
    state: AppState,
    /// Marks this worker's leases.
    owner: String,
    /// Lever asked us to slow down: nothing is sent before this.
    held_until: Millis,
}

impl Worker for Writer {
    const NAME: &'static str = "lever-writeback";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        let Some(cfg) = self.state.config.ats.lever.clone() else {
            return Ok(false);
        };
        let Some(wb) = cfg.writeback.clone() else {
            return Ok(false);
        };
        if self.state.clock.now() < self.held_until {
            return Ok(false);
        }
        if let Some(until) = round(&self.state, &cfg, &wb, &self.owner).await? {
            self.held_until = until;
        }
        Ok(false)
    }
}

/// What an attempt came to.
enum Outcome {
    Delivered {
        status: Option<u16>,
    },
    /// Lever will not take it however often it is sent.
    Refused {
        status: u16,
        error: String,
    },
    Retry {
        status: Option<u16>,
        error: String,
        maybe_sent: bool,
        retry_after: Option<Millis>,
        slow_down: bool,
    },
}

/// Sends what is due; returns when to resume if Lever asked to slow down.
async fn round(
    state: &AppState,
    cfg: &LeverConfig,
    wb: &LeverWriteback,
    owner: &str,
) -> anyhow::Result<Option<Millis>> {
    let now = state.clock.now();
    for job in store::due(&state.db, now, BATCH).await? {
        let now = state.clock.now();
        {
            let mut w = state.db.begin_write().await?;
            let claimed = store::claim(&mut w.tx, &job, owner, now + LEASE, now).await?;
            w.commit().await?;
            if !claimed {
                continue;
            }
        }
        let outcome = attempt(cfg, wb, &job, now).await;
        match record(state, owner, &job, now, outcome).await {
            Ok(Some(hold)) => return Ok(Some(hold)),
            Ok(None) => {}
            // The lease keeps the row from being sent again at once.
            Err(err) => tracing::error!(error = %err, writeback = %job.id,
                "cannot record a Lever write-back attempt"),
        }
    }
    Ok(None)
}

async fn attempt(cfg: &LeverConfig, wb: &LeverWriteback, job: &Due, now: Millis) -> Outcome {
    if let (Some(_), "note", Some(marker)) = (job.maybe_sent_at, job.action.as_str(), &job.marker) {
        match calls::note_exists(cfg, &job.opportunity_id, marker).await {
            Ok(true) => return Outcome::Delivered { status: None },
            Ok(false) => {}
            Err(error) => {
                return Outcome::Retry {
                    status: None,
                    error,
                    maybe_sent: true,
                    retry_after: None,
                    slow_down: false,
                }
            }
        }
    }
    let answer = calls::send(
        cfg,
        &wb.perform_as,
        &job.opportunity_id,
        &job.action,
        &job.body,
        now,
    )
    .await;
    match answer {
        Answer::Status { code, .. } if (200..300).contains(&code) => {
            Outcome::Delivered { status: Some(code) }
        }
        Answer::Status {
            code,
            retry_after,
            message,
        } => {
            let said = message.map(|m| format!(": {m}")).unwrap_or_default();
            if (400..500).contains(&code) && !matches!(code, 408 | 429) {
                Outcome::Refused {
                    status: code,
                    error: format!(
                        "Lever refused the {} with {code}{said}; not retried",
                        job.action
                    ),
                }
            } else {
                Outcome::Retry {
                    status: Some(code),
                    error: format!("Lever answered {code}{said}"),
                    // A rate-limited request was not carried out.
                    maybe_sent: code >= 500,
                    retry_after,
                    slow_down: code == 429 || backoff::is_slow_down(code),
                }
            }
        }
        Answer::NoAnswer { error, maybe_sent } => Outcome::Retry {
            status: None,
            error,
            maybe_sent,
            retry_after: None,
            slow_down: false,
        },
    }
}

/// Records the attempt; returns until when every call is held back.
async fn record(
    state: &AppState,
    owner: &str,
    job: &Due,
    at: Millis,
    outcome: Outcome,
) -> anyhow::Result<Option<Millis>> {
    let attempts = job.attempts + 1;
    let mut hold = None;
    let (finish, error) = match outcome {
        Outcome::Delivered { status } => (
            Finish {
                state: "delivered",
                next_attempt_at: at,
                status,
                error: None,
                maybe_sent: false,
                finished_at: Some(at),
            },
            None,
        ),
        Outcome::Refused { status, error } => {
            tracing::warn!(interview = %job.interview_id, %error, "Lever refused a write-back");
            (
                Finish {
                    state: "failed",
                    next_attempt_at: at,
                    status: Some(status),
                    error: None,
                    maybe_sent: false,
                    finished_at: Some(at),
                },
                Some(error),
            )
        }
        Outcome::Retry {
            status,
            error,
            maybe_sent,
            retry_after,
            slow_down,
        } => {
            let jitter: f64 = rand::thread_rng().gen();
            match backoff::retry_delay(attempts, jitter) {
                None => {
                    tracing::error!(interview = %job.interview_id, %error,
                        "giving up a Lever write-back");
                    (
                        Finish {
                            state: "failed",
                            next_attempt_at: at,
                            status,
                            error: None,
                            maybe_sent,
                            finished_at: Some(at),
                        },
                        Some(format!("gave up after {attempts} attempts: {error}")),
                    )
                }
                Some(delay) => {
                    let mut wait = delay.max(retry_after.unwrap_or(0));
                    if slow_down {
                        wait = wait.max(backoff::SLOW_DOWN);
                        hold = Some(at + wait);
                    }
                    (
                        Finish {
                            state: "pending",
                            next_attempt_at: at + wait,
                            status,
                            error: None,
                            maybe_sent,
                            finished_at: None,
                        },
                        Some(error),
                    )
                }
            }
        }
    };
    let error = error.map(|e| e.replace('\0', ""));
    let mut w = state.db.begin_write().await?;
    let finish = Finish {
        error: error.as_deref(),
        ..finish
    };
    store::finish(&mut w.tx, &job.id, owner, finish).await?;
    w.commit().await?;
    Ok(hold)
}
