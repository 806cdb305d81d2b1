//! Sends queued email over SMTP. Each message is claimed with a lease,
//! sent, and marked sent only after the server accepted it; a failure is
//! retried with a growing delay, for about a day ([`MAX_ATTEMPTS`]), then
//! the message is dead-lettered, as it is at once when the SMTP server
//! refuses it for good or it cannot be built. Without an SMTP host nothing
//! is attempted, so nothing is lost until one is configured. All schedule arithmetic uses the injected `Clock`, so tests move
//! time and call [`send_due`] instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{EmailConfig, TlsMode};
use super::outbox::SECRET_PLACEHOLDER;
use crate::clock::{Millis, HOUR, SECOND};
use crate::state::AppState;
use crate::store::email as store;
use crate::worker::{Schedule, Worker, WorkerHandle};

/// First retry after this long; each further failure doubles it.
pub const FIRST_RETRY: Millis = 30 * SECOND;
/// Longest gap between two attempts.
pub const MAX_RETRY_GAP: Millis = HOUR;
/// A claimed message is left alone by other workers this long.
const LEASE: Millis = 5 * 60 * SECOND;
const BATCH: i64 = 20;
/// Attempts before a message is dead-lettered: with the back-off capped at
/// [`MAX_RETRY_GAP`], about a day of trying.
pub const MAX_ATTEMPTS: i64 = 30;

/// Delay before the attempt after `attempts` failed ones.
pub fn retry_delay(attempts: i64) -> Millis {
    let doublings = attempts.clamp(1, 20) - 1;
    FIRST_RETRY
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_GAP)
}

/// The email worker of `state`: every `poll_interval_ms`, sends what is due.
pub fn spawn(state: AppState) -> WorkerHandle {
    let poll = Duration::from_millis(state.config.email.poll_interval_ms.max(50));
    // Waits first, so whoever starts a server (a test above all) has one
    // full interval in which it alone calls `send_due`.
    WorkerHandle::spawn(Sender { state }, Schedule::every(poll).waiting_first())
}

struct Sender {
    state: AppState,
}

impl Worker for Sender {
    const NAME: &'static str = "email";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        send_due(&self.state).await?;
        Ok(false)
    }
}

/// Pending messages last reported while no SMTP server is configured, so
/// the log says it once per change, not once per poll.
static REPORTED_QUEUED: AtomicI64 = AtomicI64::new(-1);

/// Sends every due message once; returns how many were accepted by SMTP.
pub async fn send_due(state: &AppState) -> anyhow::Result<usize> {
    let config = &state.config.email;
    seal_legacy(state).await?;
    let Some(host) = config.smtp_host.as_deref().filter(|h| !h.is_empty()) else {
        let pending = store::pending_count(&state.db).await?;
        if REPORTED_QUEUED.swap(pending, Ordering::Relaxed) != pending && pending > 0 {
            tracing::warn!(
                pending,
                "emails are queued but [email] smtp_host is not set; they will be sent once it is"
            );
        }
        return Ok(0);
    };
    let now = state.clock.now();
    let rows = store::due(&state.db, now, BATCH).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let transport = transport(config, host)?;
    let mut sent = 0;
    for row in &rows {
        let id = &row.id;
        let claimed = {
            let mut w = state.db.begin_write().await?;
            let claimed = store::claim(&mut w.tx, id, now + LEASE, now).await?;
            w.commit().await?;
            claimed
        };
        if !claimed {
            continue;
        }
        let attempts = row.attempts + 1;
        // `Err((error, permanent))`: a permanent failure is not retried.
        let outcome = match message(config, row) {
            Ok(m) => transport
                .send(m)
                .await
                .map(|_| ())
                .map_err(|e| (format!("SMTP {host}: {e}"), e.is_permanent())),
            Err(e) => Err((format!("{e:#}"), true)),
        };
        let at = state.clock.now();
        let mut w = state.db.begin_write().await?;
        match outcome {
            Ok(()) => {
                store::mark_sent(&mut w.tx, id, attempts, at).await?;
                sent += 1;
            }
            Err((error, permanent)) => {
                let error: String = error.chars().take(500).collect();
                if permanent || attempts >= MAX_ATTEMPTS {
                    tracing::error!(email = %id, attempts, %error, "email cannot be delivered; dead-lettered");
                    store::mark_dead(&mut w.tx, id, attempts, at, &error).await?;
                } else {
                    tracing::warn!(email = %id, attempts, %error, "email not sent; will retry");
                    store::mark_failed(&mut w.tx, id, attempts, at + retry_delay(attempts), &error)
                        .await?;
                }
            }
        }
        w.commit().await?;
    }
    Ok(sent)
}

/// Seals secrets a version before sealing left in plain text, so they do
/// not wait readable for the SMTP server.
async fn seal_legacy(state: &AppState) -> anyhow::Result<()> {
    for (id, plain) in store::unsealed(&state.db).await? {
        let sealed = super::sealing::seal(&state.config.email, &id, &plain)?;
        let mut w = state.db.begin_write().await?;
        store::reseal(&mut w.tx, &id, &plain, &sealed).await?;
        w.commit().await?;
    }
    Ok(())
}

fn transport(
    config: &EmailConfig,
    host: &str,
) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let tls = match config.tls {
        TlsMode::None => Tls::None,
        TlsMode::Starttls => Tls::Required(
            TlsParameters::new(host.to_string()).context("TLS settings for the SMTP server")?,
        ),
        TlsMode::Tls => Tls::Wrapper(
            TlsParameters::new(host.to_string()).context("TLS settings for the SMTP server")?,
        ),
    };
    let port = config.smtp_port.unwrap_or(match config.tls {
        TlsMode::None => 25,
        TlsMode::Starttls => 587,
        TlsMode::Tls => 465,
    });
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(20)));
    if let (Some(user), Some(pass)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    Ok(builder.build())
}

fn message(config: &EmailConfig, row: &store::Due) -> anyhow::Result<Message> {
    let from: Mailbox = config
        .from
        .parse()
        .with_context(|| format!("[email] from {:?} is not an address", config.from))?;
    let to: Mailbox = row
        .to
        .parse()
        .with_context(|| format!("recipient {:?} is not an address", row.to))?;
    let mut body = row.body.clone();
    if let Some(stored) = &row.secret {
        let secret = super::sealing::open(config, &row.id, stored)?;
        body = body.replace(SECRET_PLACEHOLDER, &secret);
    }
    Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .context("building the message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_cap() {
        assert_eq!(retry_delay(1), FIRST_RETRY);
        assert_eq!(retry_delay(2), 2 * FIRST_RETRY);
        assert_eq!(retry_delay(50), MAX_RETRY_GAP);
    }
}
