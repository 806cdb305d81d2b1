//! Sends the completion drop alert (docs/INSIGHTS.md §2): a background
//! job that checks every role once a day by `state.clock` and, when a
//! role's completion has newly dropped, records an alert episode
//! (`insight_alerts`), raises the `insights.completion_dropped` webhook
//! event (only to endpoints that name it) and emails the role's
//! recruiters. An episode fires once; a quiet check ends it, so a later
//! drop fires again. Tests move a manual clock and call [`evaluate`].

use std::time::Duration;

use takes_api::insights::{CompletionCheck, CompletionDroppedData};
use takes_api::WebhookEventType;

use super::alerts::{checks, periods, DEFAULT_DAYS};
use crate::clock::{rfc3339, Millis};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::insights::alerts::{self as store, AlertEmail};
use crate::store::insights::Scope;
use crate::webhooks::outbox::{self, NewEvent};
use crate::worker::{Schedule, Worker, WorkerHandle};

const KIND: &str = "completion_dropped";
const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Checks every role now; returns the ids of the roles whose alert fired.
pub async fn evaluate(state: &AppState) -> anyhow::Result<Vec<String>> {
    let now = state.clock.now();
    let everything = Scope {
        all_roles: true,
        user_id: String::new(),
        role_id: String::new(),
        department: String::new(),
        reviewer_id: String::new(),
        from: i64::MIN,
        to: i64::MAX,
    };
    let checked = {
        let mut conn = state.db.pool.acquire().await?;
        checks(&mut conn, &everything, periods(now, DEFAULT_DAYS))
            .await
            .map_err(api)?
    };
    let mut fired = Vec::new();
    for c in checked {
        match c.verdict.as_str() {
            "dropped" => {
                let sent = fire(state, &c, now).await?;
                if sent {
                    fired.push(c.role_id);
                }
            }
            "quiet" => {
                let mut w = state.db.begin_write().await?;
                store::resolve_episode(&mut w.tx, &c.role_id, KIND, now)
                    .await
                    .map_err(api)?;
                w.commit().await?;
            }
            // Too few invitations to tell: an open episode stays open.
            _ => {}
        }
    }
    Ok(fired)
}

/// Opens the episode and sends it, in one transaction; false when an
/// episode is already open (it was sent then).
async fn fire(state: &AppState, c: &CompletionCheck, now: Millis) -> anyhow::Result<bool> {
    let id = new_id();
    let data = CompletionDroppedData {
        alert_id: id.clone(),
        fired_at: rfc3339(now),
        days: DEFAULT_DAYS,
        check: c.clone(),
    };
    let detail = serde_json::to_string(&data)?;
    let mut w = state.db.begin_write().await?;
    if !store::open_episode(&mut w.tx, &id, &c.role_id, KIND, now, &detail)
        .await
        .map_err(api)?
    {
        return Ok(false);
    }
    outbox::record(
        &mut w.tx,
        NewEvent {
            kind: WebhookEventType::CompletionDropped,
            interview_id: None,
            order: None,
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await
    .map_err(api)?;
    let domain = state.config.email.message_domain();
    let (subject, body) = message(c);
    for (name, email) in store::recruiter_emails(&mut w.tx, &c.role_id)
        .await
        .map_err(api)?
    {
        let mail_id = new_id();
        store::queue_email(
            &mut w.tx,
            AlertEmail {
                id: &mail_id,
                dedupe_key: &format!("{KIND}:{id}:{email}"),
                to: &email,
                subject: &subject,
                body: &format!("Hello {name},\n\n{body}"),
                message_id: &format!("<{mail_id}@{domain}>"),
                at: now,
            },
        )
        .await
        .map_err(api)?;
    }
    w.commit().await?;
    tracing::warn!(role = %c.title, "completion drop alert sent");
    Ok(true)
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

/// The email's subject and body (after the greeting).
fn message(c: &CompletionCheck) -> (String, String) {
    let subject = format!(
        "Completion dropped for {}: {} (was {})",
        c.title,
        pct(c.recent_rate),
        pct(c.baseline_rate)
    );
    let changes = if c.changes.is_empty() {
        "Nothing in the invitations' set-up changed between the periods.".to_string()
    } else {
        format!(
            "What changed between the periods: {}.",
            c.changes.join("; ")
        )
    };
    let body = format!(
        "fewer candidates are completing their video interview for {title}.\n\n\
         Last {days} days: {rc} of {ri} completed ({rr}).\n\
         The {b} days before: {bc} of {bi} completed ({br}).\n\n\
         {changes}\n\n\
         Periods are by when each invitation's completion window closed. You get \
         this message once until the role's completion recovers; `takes report \
         --role \"{title}\"` shows the funnel and where candidates abandon.\n",
        title = c.title,
        days = DEFAULT_DAYS,
        rc = c.recent_completed,
        ri = c.recent_invited,
        rr = pct(c.recent_rate),
        b = DEFAULT_DAYS * super::alerts::BASELINE_PERIODS,
        bc = c.baseline_completed,
        bi = c.baseline_invited,
        br = pct(c.baseline_rate),
    );
    (subject, body)
}

/// The daily check; its first pass waits a day, so tests drive it.
pub fn spawn(state: AppState) -> WorkerHandle {
    WorkerHandle::spawn(Notifier { state }, Schedule::every(EVERY).waiting_first())
}

struct Notifier {
    state: AppState,
}

impl Worker for Notifier {
    const NAME: &'static str = "completion-alerts";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        evaluate(&self.state).await?;
        Ok(false)
    }
}
