//! The outbox: events are inserted by the transaction that makes the change
//! they report, and fanned out to the subscribed endpoints in that same
//! transaction. A rolled-back change therefore sends nothing, and a
//! committed one cannot be lost: the worker finds it in the table.

use sqlx::Row;
use takes_api::{WebhookEnvelope, WebhookEventType};

use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;
use crate::ids::new_id;

/// Ordering stream of every event about one interview.
pub fn interview_stream(interview_id: &str) -> String {
    format!("interview:{interview_id}")
}

/// Takes the next sequence number of `stream`. On PostgreSQL the upsert
/// row-locks the counter until the transaction ends, which also serialises
/// concurrent writers about the same interview from here on.
pub async fn next_seq(conn: &mut sqlx::AnyConnection, stream: &str) -> ApiResult<i64> {
    let row = sqlx::query(
        "INSERT INTO webhook_streams (stream, last_seq) VALUES ($1, 1) \
         ON CONFLICT (stream) DO UPDATE SET last_seq = webhook_streams.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(stream)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("last_seq")?)
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
    sqlx::query(
        "INSERT INTO webhook_events (id, event_type, stream, seq, interview_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(event.kind.as_str())
    .bind(stream.clone())
    .bind(seq)
    .bind(event.interview_id.clone())
    .bind(&body)
    .bind(event.at)
    .execute(&mut *conn)
    .await?;
    let endpoints =
        sqlx::query("SELECT id, event_types_json FROM webhook_endpoints WHERE status = 'active'")
            .fetch_all(&mut *conn)
            .await?;
    for endpoint in &endpoints {
        if !subscribes(
            &endpoint.try_get::<String, _>("event_types_json")?,
            event.kind,
        )? {
            continue;
        }
        let endpoint_id: String = endpoint.try_get("id")?;
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
    Ok(types.is_empty() || types.iter().any(|t| t == kind.as_str()))
}

/// A new pending delivery, due at once.
pub async fn insert_delivery(
    conn: &mut sqlx::AnyConnection,
    event_id: &str,
    endpoint_id: &str,
    stream: Option<&str>,
    seq: Option<i64>,
    replay_of: Option<&str>,
    now: Millis,
) -> ApiResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, stream, seq, state, attempts, \
           next_attempt_at, replay_of, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $6)",
    )
    .bind(&id)
    .bind(event_id)
    .bind(endpoint_id)
    .bind(stream.map(str::to_string))
    .bind(seq)
    .bind(now)
    .bind(replay_of.map(str::to_string))
    .execute(conn)
    .await?;
    Ok(id)
}
