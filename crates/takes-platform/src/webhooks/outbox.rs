//! The outbox: events are inserted by the transaction that makes the change
//! they report, and fanned out to the subscribed endpoints in that same
//! transaction. A rolled-back change therefore sends nothing, and a
//! committed one cannot be lost: the worker finds it in the table.

use takes_api::{WebhookEnvelope, WebhookEventType};

use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;
use crate::ids::new_id;
use crate::store::webhooks as store;

pub use crate::store::webhooks::deliveries::insert as insert_delivery;
pub use crate::store::webhooks::events::next_seq;

/// Ordering stream of every event about one interview.
pub fn interview_stream(interview_id: &str) -> String {
    format!("interview:{interview_id}")
}

/// An event about to be written.
pub struct NewEvent {
    pub kind: WebhookEventType,
    pub interview_id: Option<String>,
    /// `(stream, seq)` from [`next_seq`]; `None` for unordered events.
    pub order: Option<(String, i64)>,
    pub data: serde_json::Value,
    pub at: Millis,
}

/// Writes the event and one pending delivery per active endpoint that
/// subscribes to its type. Returns the event id.
pub async fn record(conn: &mut sqlx::AnyConnection, event: NewEvent) -> ApiResult<String> {
    let id = new_id();
    let body = serde_json::to_string(&WebhookEnvelope {
        id: id.clone(),
        kind: event.kind,
        timestamp: rfc3339(event.at),
        data: event.data,
    })?;
    let (stream, seq) = match event.order {
        Some((s, n)) => (Some(s), Some(n)),
        None => (None, None),
    };
    store::events::insert(
        conn,
        store::events::EventRow {
            id: &id,
            kind: event.kind,
            stream: stream.as_deref(),
            seq,
            interview_id: event.interview_id.as_deref(),
            body: &body,
            at: event.at,
        },
    )
    .await?;
    for (endpoint_id, types) in store::active_subscriptions(conn).await? {
        if !subscribes(&types, event.kind)? {
            continue;
        }
        insert_delivery(
            conn,
            &id,
            &endpoint_id,
            stream.as_deref(),
            seq,
            None,
            event.at,
        )
        .await?;
    }
    Ok(id)
}

/// Whether an endpoint's stored subscription list includes `kind`.
pub fn subscribes(event_types_json: &str, kind: WebhookEventType) -> ApiResult<bool> {
    let types: Vec<String> = serde_json::from_str(event_types_json)?;
    Ok((types.is_empty() && kind.in_all()) || types.iter().any(|t| t == kind.as_str()))
}
