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

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rand::Rng;
use sqlx::Row;
use tokio::sync::{watch, Notify};

use super::signing;
use crate::clock::{rfc3339, Millis, HOUR, SECOND};
use crate::ids::new_id;
use crate::state::AppState;

/// First retry after this long; each further failure doubles it.
pub const FIRST_RETRY: Millis = 30 * SECOND;
/// Longest gap between two attempts.
pub const MAX_RETRY_GAP: Millis = 6 * HOUR;
/// A delivery failing this long after its first attempt is dead-lettered.
pub const RETRY_WINDOW: Millis = 24 * HOUR;
/// A claimed row is left alone by other workers this long.
const LEASE: Millis = 5 * 60 * SECOND;
/// Receivers' answers are kept up to this many bytes in the log.
const EXCERPT_BYTES: usize = 512;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How often to look for due rows without a wake-up (real time).
    pub poll: Duration,
    /// Whole-request limit of one attempt (real time).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Rows taken per round.
    pub batch: i64,
    /// Attempts in flight at once (never two of one interview to one endpoint).
    pub concurrency: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            batch: 50,
            concurrency: 8,
        }
    }
}

/// What the API and the worker share: the wake-up and the HTTP client.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    notify: Notify,
    client: reqwest::Client,
    config: WorkerConfig,
}

impl Hub {
    pub fn new(config: WorkerConfig) -> anyhow::Result<Hub> {
        let client = reqwest::Client::builder()
            // A redirect is not an acknowledgement; receivers must answer
            // at the registered URL.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("takes-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Hub {
            inner: Arc::new(HubInner {
                notify: Notify::new(),
                client,
                config,
            }),
        })
    }

    /// Makes the worker look for due deliveries now. A wake while it is busy
    /// is remembered, so none is lost.
    pub fn wake(&self) {
        self.inner.notify.notify_one();
    }
}

/// The running worker; [`WorkerHandle::stop`] lets the attempt in flight
/// finish so its outcome is recorded.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub fn spawn(state: AppState) -> WorkerHandle {
    let (stop, rx) = watch::channel(false);
    let task = tokio::spawn(run(state, rx));
    WorkerHandle { stop, task }
}

async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let owner = new_id();
    let hub = state.webhooks.clone();
    loop {
        if *stop.borrow() {
            break;
        }
        let worked = match round(&state, &owner).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(error = %err, "webhook worker round failed; retrying after the poll interval");
                0
            }
        };
        if worked > 0 {
            // A delivered event may have unblocked the next of its interview.
            continue;
        }
        tokio::select! {
            _ = hub.inner.notify.notified() => {}
            _ = tokio::time::sleep(hub.inner.config.poll) => {}
            // A dropped sender (the server handle dropped) also stops us.
            _ = stop.changed() => break,
        }
    }
}

/// A claimed delivery with what is needed to send it.
struct Job {
    id: String,
    endpoint_id: String,
    url: String,
    secret: String,
    event_id: String,
    body: String,
    attempts: i64,
    first_attempt_at: Option<Millis>,
}

/// What one attempt came to.
struct Outcome {
    at: Millis,
    status: Option<u16>,
    error: Option<String>,
    duration_ms: i64,
    excerpt: Option<String>,
}

/// Sends every due delivery once; returns how many attempts were made.
async fn round(state: &AppState, owner: &str) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let rows = sqlx::query(
        "SELECT d.id, d.endpoint_id, d.event_id, d.attempts, d.first_attempt_at, e.url, e.secret, ev.body \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
           AND (d.lease_until IS NULL OR d.lease_until <= $1) AND e.status = 'active' \
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
                AND p.stream = d.stream AND p.seq < d.seq AND p.state = 'pending') \
         ORDER BY d.next_attempt_at, d.seq, d.id LIMIT $2",
    )
    .bind(now)
    .bind(state.webhooks.inner.config.batch)
    .fetch_all(&state.db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut jobs = Vec::with_capacity(rows.len());
    {
        let mut w = state.db.begin_write().await?;
        for r in &rows {
            let id: String = r.try_get("id")?;
            // Re-checks due-ness and order: another worker may have taken
            // the row, or a replay of an earlier event may now be pending.
            let claimed = sqlx::query(
                "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
                 WHERE id = $3 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $4) \
                   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
                        WHERE p.endpoint_id = webhook_deliveries.endpoint_id \
                          AND p.stream = webhook_deliveries.stream \
                          AND p.seq < webhook_deliveries.seq AND p.state = 'pending')",
            )
            .bind(owner)
            .bind(now + LEASE)
            .bind(&id)
            .bind(now)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                jobs.push(Job {
                    id,
                    endpoint_id: r.try_get("endpoint_id")?,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                    event_id: r.try_get("event_id")?,
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                    first_attempt_at: r.try_get("first_attempt_at")?,
                });
            }
        }
        w.commit().await?;
    }
    let attempted = jobs.len();
    let concurrency = state.webhooks.inner.config.concurrency.max(1);
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

async fn attempt(state: &AppState, job: &Job) -> Outcome {
    let at = state.clock.now();
    let started = Instant::now();
    let elapsed = |s: Instant| s.elapsed().as_millis().min(i64::MAX as u128) as i64;
    let Some(key) = signing::key_of(&job.secret) else {
        return Outcome {
            at,
            status: None,
            error: Some("the endpoint's stored secret is not a whsec_ secret".into()),
            duration_ms: 0,
            excerpt: None,
        };
    };
    let timestamp = at.div_euclid(1000);
    let signature = signing::sign(&key, &job.event_id, timestamp, &job.body);
    let sent = state
        .webhooks
        .inner
        .client
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
            let text = clean(&String::from_utf8_lossy(&excerpt));
            Outcome {
                at,
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("receiver answered {status}")),
                duration_ms: elapsed(started),
                excerpt: (!text.is_empty()).then_some(text),
            }
        }
        Err(err) => Outcome {
            at,
            status: None,
            error: Some(clean(&error_chain(&err))),
            duration_ms: elapsed(started),
            excerpt: None,
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

/// The wait before the next attempt after `failures` failed ones, with
/// `jitter` in `0.0..1.0` spreading it over ±20 % so receivers coming back
/// up are not hit by every sender at once.
pub fn retry_delay(failures: i64, jitter: f64) -> Millis {
    let exp = (failures.max(1) - 1).min(30) as u32;
    let base = FIRST_RETRY.saturating_mul(1i64 << exp).min(MAX_RETRY_GAP);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    (base as f64 * factor) as Millis
}

async fn record(state: &AppState, owner: &str, job: &Job, o: &Outcome) -> anyhow::Result<()> {
    let mut w = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, error, duration_ms, response_excerpt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(&job.id)
    .bind(o.at)
    .bind(o.status.map(i64::from))
    .bind(o.error.clone())
    .bind(o.duration_ms)
    .bind(o.excerpt.clone())
    .execute(&mut *w.tx)
    .await?;
    let attempts = job.attempts + 1;
    let first = job.first_attempt_at.unwrap_or(o.at);
    let (state_after, next, finished) = match o.status {
        Some(s) if (200..300).contains(&s) => ("delivered", o.at, Some(o.at)),
        Some(410) => {
            // The receiver says it is gone for good: stop sending to it.
            // The delivery stays pending, so re-enabling the endpoint
            // resumes exactly where it stopped.
            sqlx::query(
                "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2 \
                 WHERE id = $3 AND status = 'active'",
            )
            .bind(format!("the receiver answered 410 Gone at {}", rfc3339(o.at)))
            .bind(o.at)
            .bind(&job.endpoint_id)
            .execute(&mut *w.tx)
            .await?;
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
        _ if o.at - first >= RETRY_WINDOW => ("dead", o.at, Some(o.at)),
        _ => {
            let jitter: f64 = rand::thread_rng().gen();
            ("pending", o.at + retry_delay(attempts, jitter), None)
        }
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, attempts = $2, next_attempt_at = $3, \
           first_attempt_at = $4, last_attempt_at = $5, last_status = $6, last_error = $7, \
           finished_at = $8, lease_owner = NULL, lease_until = NULL \
         WHERE id = $9 AND lease_owner = $10 AND state = 'pending'",
    )
    .bind(state_after)
    .bind(attempts)
    .bind(next)
    .bind(first)
    .bind(o.at)
    .bind(o.status.map(i64::from))
    .bind(o.error.clone())
    .bind(finished)
    .bind(&job.id)
    .bind(owner)
    .execute(&mut *w.tx)
    .await?;
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_spans_a_day_before_dead_letter() {
        assert_eq!(retry_delay(1, 0.5), FIRST_RETRY);
        assert_eq!(retry_delay(2, 0.5), 2 * FIRST_RETRY);
        assert_eq!(retry_delay(40, 0.5), MAX_RETRY_GAP);
        assert!(retry_delay(1, 0.0) < retry_delay(1, 1.0));
        // Always failing, with the shortest and longest jitter: the last
        // attempt comes at least a day after the first, and not absurdly
        // many attempts are made.
        for jitter in [0.0, 1.0] {
            let (mut t, mut failures) = (0, 0);
            loop {
                failures += 1;
                if t >= RETRY_WINDOW {
                    break;
                }
                t += retry_delay(failures, jitter);
            }
            assert!(t >= RETRY_WINDOW, "{t}");
            assert!((8..=20).contains(&failures), "{failures}");
        }
    }
}
