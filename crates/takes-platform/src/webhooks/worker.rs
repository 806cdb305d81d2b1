//! The delivery worker: one tokio task per server. It sends every due
//! delivery, records each attempt, and schedules retries.
//!
//! * Wake-up: the API wakes it after every successful write request (see
//!   `api::wake_webhooks`); it also polls every `poll` so rows written by
//!   another process (a CLI replay, a second server on PostgreSQL) and due
//!   retries are found. All schedule arithmetic uses the injected `Clock`,
//!   so tests move time and call [`Hub::wake`] instead of sleeping.
//! * Ordering: a delivery is due only when no earlier event of the same
//!   interview is still pending for the same endpoint.
//! * Restart safety: everything lives in the database. A worker claims a
//!   row with a lease; if it dies mid-attempt the lease runs out and the
//!   row is due again (at-least-once; receivers dedupe on `webhook-id`).

use std::time::Instant;

use futures::StreamExt;
use rand::Rng;

use super::backoff::{self, retry_delay};
use super::{notice, signing};
use crate::clock::{rfc3339, Millis, SECOND};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::webhooks::deliveries::Due;
use crate::store::webhooks::{self as store, deliveries};
use crate::worker::{Schedule, Worker, WorkerHandle};

/// A claimed row is left alone by other workers this long.
const LEASE: Millis = 5 * 60 * SECOND;
/// Receivers' answers are read up to this many bytes ...
const EXCERPT_BYTES: usize = 512;
/// ... and kept (and shown to admins) up to this many characters: enough
/// to recognise an error page, too little to read a service out through
/// the deliveries API.
const EXCERPT_CHARS: usize = 80;

/// The delivery worker of `state`, woken by its [`Hub`] and polling every
/// `poll` besides.
pub fn spawn(state: AppState) -> WorkerHandle {
    let hub = state.webhooks.clone();
    let schedule = Schedule::every(hub.config().poll).woken_by(hub.notify());
    WorkerHandle::spawn(
        Deliveries {
            state,
            owner: new_id(),
        },
        schedule,
    )
}

struct Deliveries {
    state: AppState,
    /// Marks this worker's leases.
    owner: String,
}

impl Worker for Deliveries {
    const NAME: &'static str = "webhooks";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        Ok(round(&self.state, &self.owner).await? > 0)
    }
}

/// What one attempt came to.
struct Outcome {
    at: Millis,
    status: Option<u16>,
    error: Option<String>,
    duration_ms: i64,
    excerpt: Option<String>,
    /// The receiver's `Retry-After`, as a wait.
    retry_after: Option<Millis>,
}

/// Sends every due delivery once; returns how many attempts were made.
async fn round(state: &AppState, owner: &str) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let due = deliveries::due(&state.db, now, state.webhooks.config().batch).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut jobs = Vec::with_capacity(due.len());
    {
        let mut w = state.db.begin_write().await?;
        for job in due {
            // Re-checks due-ness and order: another worker may have taken
            // the row, or a replay of an earlier event may now be pending.
            if deliveries::claim(&mut w.tx, &job.id, owner, now + LEASE, now).await? {
                jobs.push(job);
            }
        }
        w.commit().await?;
    }
    let attempted = jobs.len();
    let concurrency = state.webhooks.config().concurrency.max(1);
    let mut results = futures::stream::iter(jobs)
        .map(|job| async move {
            let outcome = attempt(state, &job).await;
            (job, outcome)
        })
        .buffer_unordered(concurrency);
    while let Some((job, outcome)) = results.next().await {
        if let Err(err) = record(state, owner, &job, &outcome).await {
            // The lease keeps the row from being retried at once; it is
            // attempted again once the lease runs out.
            tracing::error!(error = %err, delivery = %job.id, "cannot record a webhook attempt");
        }
    }
    Ok(attempted)
}

async fn attempt(state: &AppState, job: &Due) -> Outcome {
    let at = state.clock.now();
    let started = Instant::now();
    let elapsed = |s: Instant| s.elapsed().as_millis().min(i64::MAX as u128) as i64;
    // The current secret first, then the one being rotated out.
    let keys: Option<Vec<Vec<u8>>> = std::iter::once(&job.secret)
        .chain(job.previous_secret.as_ref())
        .map(|s| signing::key_of(s))
        .collect();
    let Some(keys) = keys else {
        return Outcome {
            at,
            status: None,
            error: Some("the endpoint's stored secret is not a whsec_ secret".into()),
            duration_ms: 0,
            excerpt: None,
            retry_after: None,
        };
    };
    // An address in the URL is not resolved, so the client's guarded
    // resolver never sees it: check it here. Names are checked there.
    let refused = reqwest::Url::parse(&job.url)
        .map_err(|e| format!("the endpoint URL is not a URL: {e}"))
        .and_then(|u| state.webhooks.policy().check_url_host(&u));
    if let Err(why) = refused {
        return Outcome {
            at,
            status: None,
            error: Some(format!("refused to connect: {why}")),
            duration_ms: 0,
            excerpt: None,
            retry_after: None,
        };
    }
    let timestamp = at.div_euclid(1000);
    let signature = signing::sign_all(&keys, &job.event_id, timestamp, &job.body);
    let sent = state
        .webhooks
        .client()
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &job.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(job.body.clone())
        .send()
        .await;
    match sent {
        Ok(mut resp) => {
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| backoff::retry_after(v, at));
            let mut excerpt = Vec::new();
            // Read only the start of the answer: a receiver's error page is
            // for the log, not for memory.
            while excerpt.len() < EXCERPT_BYTES {
                match resp.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            excerpt.truncate(EXCERPT_BYTES);
            let text = sanitise(&String::from_utf8_lossy(&excerpt));
            Outcome {
                at,
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("receiver answered {status}")),
                duration_ms: elapsed(started),
                excerpt: (!text.is_empty()).then_some(text),
                retry_after,
            }
        }
        Err(err) => Outcome {
            at,
            status: None,
            error: Some(clean(&error_chain(&err))),
            duration_ms: elapsed(started),
            excerpt: None,
            retry_after: None,
        },
    }
}

/// reqwest's own message hides the cause ("error sending request"); the
/// chain names it ("Connection refused", "operation timed out").
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
    out
}

/// PostgreSQL text cannot hold NUL; receivers' bytes are not trusted.
fn clean(s: &str) -> String {
    s.replace('\0', "")
}

/// A receiver's answer as admins see it: printable characters only
/// (no control sequences for a terminal), whitespace runs as one space,
/// at most [`EXCERPT_CHARS`] characters.
fn sanitise(s: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut space = false;
    for c in s.chars() {
        if n >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || c == '\u{fffd}' {
            continue;
        }
        if space {
            out.push(' ');
            n += 1;
            space = false;
        }
        out.push(c);
        n += 1;
    }
    out
}

async fn record(state: &AppState, owner: &str, job: &Due, o: &Outcome) -> anyhow::Result<()> {
    let mut w = state.db.begin_write().await?;
    let attempt = deliveries::Attempt {
        at: o.at,
        status: o.status,
        error: o.error.as_deref(),
        duration_ms: o.duration_ms,
        excerpt: o.excerpt.as_deref(),
    };
    deliveries::log_attempt(&mut w.tx, &job.id, &attempt).await?;
    let attempts = job.attempts + 1;
    let first = job.first_attempt_at.unwrap_or(o.at);
    let (state_after, next, finished) = match o.status {
        Some(s) if (200..300).contains(&s) => {
            store::mark_healthy(&mut w.tx, &job.endpoint_id).await?;
            ("delivered", o.at, Some(o.at))
        }
        Some(410) => {
            // The receiver says it is gone for good: stop sending to it.
            // The delivery stays pending, so re-enabling the endpoint
            // resumes exactly where it stopped.
            let reason = format!("the receiver answered 410 Gone at {}", rfc3339(o.at));
            store::disable_endpoint(&mut w.tx, &job.endpoint_id, &reason, o.at).await?;
            crate::store::audit::record(
                &mut w.tx,
                o.at,
                crate::store::audit::Entry {
                    actor_id: None,
                    action: "webhook_endpoint.disabled",
                    entity_type: "webhook_endpoint",
                    entity_id: &job.endpoint_id,
                    detail: serde_json::json!({"reason": "410 Gone", "delivery_id": job.id}),
                },
            )
            .await?;
            ("pending", o.at, None)
        }
        status => {
            notice::failed_attempt(state, &mut w.tx, job, o.at, o.error.as_deref()).await?;
            let jitter: f64 = rand::thread_rng().gen();
            match retry_delay(attempts, jitter) {
                None => ("dead", o.at, Some(o.at)),
                Some(delay) => {
                    // The receiver's word can only make the wait longer.
                    let wait = delay.max(o.retry_after.unwrap_or(0));
                    let slow = status.is_some_and(backoff::is_slow_down);
                    if slow || o.retry_after.is_some() {
                        // Every delivery to it waits, not only this one.
                        let hold = if slow {
                            wait.max(backoff::SLOW_DOWN)
                        } else {
                            wait
                        };
                        store::throttle(&mut w.tx, &job.endpoint_id, o.at + hold).await?;
                        ("pending", o.at + hold, None)
                    } else {
                        ("pending", o.at + wait, None)
                    }
                }
            }
        }
    };
    let after = deliveries::AfterAttempt {
        state: state_after,
        attempts,
        next_attempt_at: next,
        first_attempt_at: first,
        attempt: &attempt,
        finished_at: finished,
    };
    deliveries::finish_attempt(&mut w.tx, &job.id, owner, after).await?;
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(sanitise("  a\r\n\tb\x1b[31m\0c  "), "a b[31mc");
        let long = sanitise(&"x".repeat(600));
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn timeouts_are_what_the_specification_recommends() {
        let t = crate::webhooks::WorkerConfig::default().timeout.as_secs();
        assert!((15..=30).contains(&t), "{t}");
    }
}
