//! Reminders before the deadline and expiry at it. [`sweep`] does one pass
//! by `state.clock`; the sweeper task runs it periodically, and tests move a
//! manual clock and call it directly.

use std::time::Duration;

use takes_api::{InvitationEventData, WebhookEventType};

use crate::clock::{rfc3339, HOUR};
use crate::email::outbox::{self as email_outbox, NewEmail};
use crate::email::templates::{human_time, Kind};
use crate::state::AppState;
use crate::store::audit;
use crate::store::invitations as store;
use crate::webhooks::events::subject;
use crate::webhooks::outbox::{self, interview_stream, next_seq, NewEvent};
use crate::worker::{Schedule, Worker, WorkerHandle};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub reminded: usize,
    pub expired: usize,
}

/// Sends due reminders and expires interviews past their deadline. Each
/// interview is its own transaction, so one failure leaves the rest done.
pub async fn sweep(state: &AppState) -> anyhow::Result<SweepReport> {
    let mut report = SweepReport::default();
    let now = state.clock.now();
    let before = state.config.invitations.reminder_before_hours.max(0) * HOUR;
    let due = store::due_reminders(&state.db, now, now.saturating_add(before)).await?;
    for id in &due {
        if remind(state, id, now).await? {
            report.reminded += 1;
        }
    }
    let ended = store::past_deadline(&state.db, now).await?;
    for id in &ended {
        if expire(state, id, now).await? {
            report.expired += 1;
        }
    }
    Ok(report)
}

async fn remind(state: &AppState, id: &str, now: i64) -> anyhow::Result<bool> {
    let mut w = state.db.begin_write().await?;
    // Claims the reminder: a concurrent sweep (another server) finds it taken.
    if !store::claim_reminder(&mut w.tx, id, now).await? {
        return Ok(false);
    }
    let facts = store::reminder_facts(&mut w.tx, id).await?;
    let config = &state.config.email;
    email_outbox::enqueue(
        &mut w.tx,
        config,
        now,
        NewEmail {
            kind: Kind::Reminder,
            interview_id: id,
            to: &facts.email,
            vars: vec![
                ("candidate_name", facts.name.clone()),
                ("role_title", facts.title.clone()),
                ("deadline", human_time(facts.expires_at)),
                ("answered", facts.answered.to_string()),
                ("question_count", facts.question_count.to_string()),
                ("support_contact", config.support_contact.clone()),
            ],
            secret: None,
        },
    )
    .await
    .map_err(api)?;
    w.commit().await?;
    Ok(true)
}

async fn expire(state: &AppState, id: &str, now: i64) -> anyhow::Result<bool> {
    let mut w = state.db.begin_write().await?;
    // First: the stream lock orders this against an upload's completion.
    let stream = interview_stream(id);
    let seq = next_seq(&mut w.tx, &stream).await.map_err(api)?;
    if !store::expire(&mut w.tx, id, now).await? {
        return Ok(false);
    }
    let window = store::window(&mut w.tx, id).await?;
    let s = subject(&mut w.tx, id).await.map_err(api)?;
    let data = InvitationEventData {
        interview_id: id.to_string(),
        candidate: s.candidate,
        role: s.role,
        invited_at: rfc3339(window.invited_at),
        expires_at: rfc3339(window.expires_at),
        source: window.external_source,
        external_id: window.external_id,
    };
    outbox::record(
        &mut w.tx,
        NewEvent {
            kind: WebhookEventType::InvitationExpired,
            interview_id: Some(id.to_string()),
            order: Some((stream, seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await
    .map_err(api)?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: None,
            action: "invitation.expired",
            entity_type: "interview",
            entity_id: id,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    w.commit().await?;
    state.webhooks.wake();
    Ok(true)
}

fn api(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Runs [`sweep`] every `sweep_interval_seconds` (the first after one
/// interval); at once, clears unfinished uploads an earlier run left behind.
pub fn spawn(state: AppState) -> WorkerHandle {
    let every = Duration::from_secs(state.config.invitations.sweep_interval_seconds.max(1));
    // Waits first, like the email worker: tests drive `sweep` alone.
    WorkerHandle::spawn(Sweeper { state }, Schedule::every(every).waiting_first())
}

struct Sweeper {
    state: AppState,
}

impl Worker for Sweeper {
    const NAME: &'static str = "invitation-sweep";

    async fn start(&mut self) {
        let media = self.state.media.clone();
        let removed = tokio::task::spawn_blocking(move || {
            crate::candidate::parts::remove_stale_parts(&media)
        })
        .await;
        if let Ok(n @ 1..) = removed {
            tracing::info!(
                removed = n,
                "removed unfinished uploads left by an earlier run"
            );
        }
    }

    async fn tick(&mut self) -> anyhow::Result<bool> {
        sweep(&self.state).await?;
        Ok(false)
    }
}
