//! What operators do with webhooks, shared by the API and the `takes
//! webhooks list|deliveries|replay` commands: list endpoints and
//! deliveries (with the attempt log), and replay.

use sqlx::any::AnyRow;
use sqlx::Row;
use takes_api::{
    WebhookAttempt, WebhookDelivery, WebhookDeliveryPage, WebhookDeliveryState, WebhookEndpoint,
    WebhookEndpointPage, WebhookEndpointStatus, WebhookEventType,
};

use super::outbox::{insert_delivery, subscribes};
use super::signing;
use crate::clock::rfc3339;
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit;

pub(crate) const ENDPOINT_COLUMNS: &str =
    "id, url, description, event_types_json, secret, status, disabled_reason, \
     created_at, updated_at";

pub(crate) fn endpoint(row: &AnyRow) -> ApiResult<WebhookEndpoint> {
    let status: String = row.try_get("status")?;
    let types: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("event_types_json")?)?;
    Ok(WebhookEndpoint {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        description: row.try_get("description")?,
        event_types: types
            .iter()
            .filter_map(|t| WebhookEventType::parse(t))
            .collect(),
        status: match status.as_str() {
            "active" => WebhookEndpointStatus::Active,
            _ => WebhookEndpointStatus::Disabled,
        },
        disabled_reason: row.try_get("disabled_reason")?,
        secret_hint: signing::hint(&row.try_get::<String, _>("secret")?),
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
    })
}

/// Registered endpoints (deleted ones are gone), oldest first.
pub async fn list_endpoints(
    state: &AppState,
    limit: Option<i64>,
    after: Option<&str>,
) -> ApiResult<WebhookEndpointPage> {
    let limit = cursor::limit(limit)?;
    let (after_at, after_id) = match after {
        Some(c) if !c.is_empty() => cursor::decode(c)?,
        _ => (i64::MIN, String::new()),
    };
    let rows = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE status <> 'deleted' \
         AND (created_at > $1 OR (created_at = $1 AND id > $2)) ORDER BY created_at, id LIMIT $3"
    ))
    .bind(after_at)
    .bind(&after_id)
    .bind(limit + 1)
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(endpoint)
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = if rows.len() > limit as usize {
        rows.get(limit as usize - 1)
            .map(|r| -> ApiResult<String> {
                Ok(cursor::encode(
                    r.try_get("created_at")?,
                    &r.try_get::<String, _>("id")?,
                ))
            })
            .transpose()?
    } else {
        None
    };
    Ok(WebhookEndpointPage { items, next_cursor })
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub endpoint_id: Option<String>,
    pub event_id: Option<String>,
    pub interview_id: Option<String>,
    pub state: Option<WebhookDeliveryState>,
}

const DELIVERY_COLUMNS: &str = "d.id, d.event_id, ev.event_type, d.endpoint_id, ev.interview_id, d.state, \
     d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.replay_of, d.created_at";

fn delivery(row: &AnyRow) -> ApiResult<WebhookDelivery> {
    let kind: String = row.try_get("event_type")?;
    let state: String = row.try_get("state")?;
    let state = WebhookDeliveryState::parse(&state)
        .ok_or_else(|| ApiError::internal(format!("stored delivery state {state:?} is unknown")))?;
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        event_type: WebhookEventType::parse(&kind)
            .ok_or_else(|| ApiError::internal(format!("stored event type {kind:?} is unknown")))?,
        endpoint_id: row.try_get("endpoint_id")?,
        interview_id: row.try_get("interview_id")?,
        next_attempt_at: (state == WebhookDeliveryState::Pending)
            .then(|| row.try_get::<i64, _>("next_attempt_at"))
            .transpose()?
            .map(rfc3339),
        state,
        attempts: row.try_get("attempts")?,
        last_attempt_at: row
            .try_get::<Option<i64>, _>("last_attempt_at")?
            .map(rfc3339),
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        replay_of: row.try_get("replay_of")?,
        created_at: rfc3339(row.try_get("created_at")?),
        attempt_log: Vec::new(),
    })
}

/// Deliveries, newest first.
pub async fn list_deliveries(
    state: &AppState,
    filter: &DeliveryFilter,
    limit: Option<i64>,
    before: Option<&str>,
) -> ApiResult<WebhookDeliveryPage> {
    let limit = cursor::limit(limit)?;
    let (before_at, before_id) = match before {
        Some(c) if !c.is_empty() => cursor::decode(c)?,
        _ => (i64::MAX, String::from("\u{10FFFF}")),
    };
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE ($1 = '' OR d.endpoint_id = $1) AND ($2 = '' OR d.event_id = $2) \
           AND ($3 = '' OR ev.interview_id = $3) AND ($4 = '' OR d.state = $4) \
           AND (d.created_at < $5 OR (d.created_at = $5 AND d.id < $6)) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $7"
    ))
    .bind(filter.endpoint_id.clone().unwrap_or_default())
    .bind(filter.event_id.clone().unwrap_or_default())
    .bind(filter.interview_id.clone().unwrap_or_default())
    .bind(filter.state.map(|s| s.as_str()).unwrap_or_default())
    .bind(before_at)
    .bind(&before_id)
    .bind(limit + 1)
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(delivery)
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = if rows.len() > limit as usize {
        rows.get(limit as usize - 1)
            .map(|r| -> ApiResult<String> {
                Ok(cursor::encode(
                    r.try_get("created_at")?,
                    &r.try_get::<String, _>("id")?,
                ))
            })
            .transpose()?
    } else {
        None
    };
    Ok(WebhookDeliveryPage { items, next_cursor })
}

/// One delivery with its attempt log.
pub async fn get_delivery(state: &AppState, id: &str) -> ApiResult<WebhookDelivery> {
    let mut conn = state.db.pool.acquire().await?;
    delivery_in(&mut conn, id).await
}

async fn delivery_in(conn: &mut sqlx::AnyConnection, id: &str) -> ApiResult<WebhookDelivery> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no webhook delivery {id:?}")).with_field("id"))?;
    let mut d = delivery(&row)?;
    let attempts = sqlx::query(
        "SELECT attempted_at, status_code, error, duration_ms, response_excerpt FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY attempted_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for a in &attempts {
        d.attempt_log.push(WebhookAttempt {
            attempted_at: rfc3339(a.try_get("attempted_at")?),
            status_code: a.try_get("status_code")?,
            error: a.try_get("error")?,
            duration_ms: a.try_get("duration_ms")?,
            response_excerpt: a.try_get("response_excerpt")?,
        });
    }
    Ok(d)
}

/// What to send again.
#[derive(Debug, Clone)]
pub enum ReplayTarget {
    /// The event of this delivery, to the same endpoint.
    Delivery(String),
    /// This event, to one endpoint or to every active subscribed endpoint.
    Event {
        event_id: String,
        endpoint_id: Option<String>,
    },
}

/// Queues new deliveries of an already-recorded event, with the same
/// `webhook-id`, so receivers that saw it already can dedupe. Refuses
/// (409) while a delivery of the same event to the same endpoint is still
/// pending, so a double-clicked replay does not send twice.
pub async fn replay(
    state: &AppState,
    actor_id: Option<&str>,
    target: &ReplayTarget,
) -> ApiResult<Vec<WebhookDelivery>> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    // (event id, endpoint id, delivery replayed, explicit target?)
    let (event_id, targets, explicit): (String, Vec<(String, Option<String>)>, bool) = match target
    {
        ReplayTarget::Delivery(id) => {
            let row = sqlx::query(
                "SELECT d.event_id, d.endpoint_id, e.status FROM webhook_deliveries d \
                 JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or_else(|| {
                ApiError::not_found(format!("no webhook delivery {id:?}")).with_field("id")
            })?;
            let endpoint_id: String = row.try_get("endpoint_id")?;
            check_endpoint_open(&row.try_get::<String, _>("status")?, &endpoint_id, "id")?;
            (
                row.try_get("event_id")?,
                vec![(endpoint_id, Some(id.clone()))],
                true,
            )
        }
        ReplayTarget::Event {
            event_id,
            endpoint_id,
        } => {
            let ev = sqlx::query("SELECT event_type FROM webhook_events WHERE id = $1")
                .bind(event_id)
                .fetch_optional(&mut *w.tx)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!("no webhook event {event_id:?}")).with_field("id")
                })?;
            let kind: String = ev.try_get("event_type")?;
            let kind = WebhookEventType::parse(&kind).ok_or_else(|| {
                ApiError::internal(format!("stored event type {kind:?} is unknown"))
            })?;
            let mut targets = Vec::new();
            if let Some(eid) = endpoint_id {
                let row = sqlx::query("SELECT status FROM webhook_endpoints WHERE id = $1")
                    .bind(eid)
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .ok_or_else(|| {
                        ApiError::not_found(format!("no webhook endpoint {eid:?}"))
                            .with_field("endpoint_id")
                    })?;
                check_endpoint_open(&row.try_get::<String, _>("status")?, eid, "endpoint_id")?;
                targets.push((eid.clone(), None));
            } else {
                let rows = sqlx::query(
                    "SELECT id, event_types_json FROM webhook_endpoints WHERE status = 'active' \
                     ORDER BY created_at, id",
                )
                .fetch_all(&mut *w.tx)
                .await?;
                for r in &rows {
                    if subscribes(&r.try_get::<String, _>("event_types_json")?, kind)? {
                        targets.push((r.try_get("id")?, None));
                    }
                }
            }
            (event_id.clone(), targets, endpoint_id.is_some())
        }
    };
    let event = sqlx::query("SELECT stream, seq FROM webhook_events WHERE id = $1")
        .bind(&event_id)
        .fetch_one(&mut *w.tx)
        .await?;
    let stream: Option<String> = event.try_get("stream")?;
    let seq: Option<i64> = event.try_get("seq")?;
    let mut created = Vec::new();
    let mut skipped = Vec::new();
    for (endpoint_id, replay_of) in &targets {
        let pending = sqlx::query(
            "SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2 AND state = 'pending'",
        )
        .bind(&event_id)
        .bind(endpoint_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if let Some(p) = pending {
            skipped.push(p.try_get::<String, _>("id")?);
            continue;
        }
        let replay_of = match replay_of {
            Some(id) => Some(id.clone()),
            None => sqlx::query(
                "SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2 \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(&event_id)
            .bind(endpoint_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .map(|r| r.try_get::<String, _>("id"))
            .transpose()?,
        };
        let id = insert_delivery(
            &mut w.tx,
            &event_id,
            endpoint_id,
            stream.as_deref(),
            seq,
            replay_of.as_deref(),
            now,
        )
        .await?;
        audit::record(
            &mut w.tx,
            now,
            audit::Entry {
                actor_id,
                action: "webhook_delivery.replayed",
                entity_type: "webhook_delivery",
                entity_id: &id,
                detail: serde_json::json!({"event_id": event_id, "endpoint_id": endpoint_id, "replay_of": replay_of}),
            },
        )
        .await?;
        created.push(id);
    }
    if created.is_empty() {
        let detail = if !skipped.is_empty() {
            format!(
                "event {event_id} is still pending to {} (delivery {}); it will be sent without a replay",
                if explicit { "this endpoint" } else { "every subscribed endpoint" },
                skipped.join(", ")
            )
        } else {
            format!("no active endpoint subscribes to the type of event {event_id}")
        };
        return Err(ApiError::conflict(detail));
    }
    let mut out = Vec::with_capacity(created.len());
    for id in &created {
        out.push(delivery_in(&mut w.tx, id).await?);
    }
    w.commit().await?;
    state.webhooks.wake();
    Ok(out)
}

fn check_endpoint_open(status: &str, endpoint_id: &str, field: &str) -> ApiResult<()> {
    match status {
        "active" => Ok(()),
        "disabled" => Err(ApiError::conflict(format!(
            "webhook endpoint {endpoint_id} is disabled; enable it (PATCH {{\"enabled\": true}}) before replaying"
        ))
        .with_field(field)),
        _ => Err(
            ApiError::not_found(format!("webhook endpoint {endpoint_id} was deleted"))
                .with_field(field),
        ),
    }
}

/// A line of `takes webhooks list`.
pub struct EndpointRow(pub WebhookEndpoint);

impl EndpointRow {
    pub const HEADER: &'static str = "ID\tSTATUS\tURL\tEVENTS\tSECRET\tNOTE";
}

impl std::fmt::Display for EndpointRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.0;
        let events = if e.event_types.is_empty() {
            "*".to_string()
        } else {
            e.event_types
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let status = match e.status {
            WebhookEndpointStatus::Active => "active",
            WebhookEndpointStatus::Disabled => "disabled",
        };
        write!(
            f,
            "{}\t{status}\t{}\t{events}\t{}\t{}",
            e.id,
            e.url,
            e.secret_hint,
            e.disabled_reason.as_deref().unwrap_or(&e.description)
        )
    }
}

/// A line of `takes webhooks deliveries` and `takes webhooks replay`.
pub struct DeliveryRow(pub WebhookDelivery);

impl DeliveryRow {
    pub const HEADER: &'static str =
        "ID\tSTATE\tEVENT\tTYPE\tENDPOINT\tATTEMPTS\tLAST\tNEXT\tERROR";
}

impl std::fmt::Display for DeliveryRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.0;
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            d.state.as_str(),
            d.event_id,
            d.event_type.as_str(),
            d.endpoint_id,
            d.attempts,
            d.last_status
                .map(|s| s.to_string())
                .or_else(|| d.last_attempt_at.as_ref().map(|_| "-".into()))
                .unwrap_or_default(),
            d.next_attempt_at.as_deref().unwrap_or(""),
            d.last_error.as_deref().unwrap_or("")
        )
    }
}

/// `takes webhooks list`.
pub async fn cli_list(state: &AppState) -> ApiResult<Vec<EndpointRow>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = list_endpoints(state, Some(cursor::MAX_LIMIT), cursor.as_deref()).await?;
        out.extend(page.items.into_iter().map(EndpointRow));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// `takes webhooks deliveries [--endpoint ID] [--event ID] [--state S] [--limit N]`.
pub async fn cli_deliveries(
    state: &AppState,
    filter: &DeliveryFilter,
    limit: Option<i64>,
) -> ApiResult<Vec<DeliveryRow>> {
    let page = list_deliveries(state, filter, limit, None).await?;
    Ok(page.items.into_iter().map(DeliveryRow).collect())
}

/// `takes webhooks replay (--delivery ID | --event ID [--endpoint ID])`.
/// The CLI acts as no user, so the audit entry has no actor. A server
/// running on the same database picks the new rows up within its poll
/// interval.
pub async fn cli_replay(state: &AppState, target: &ReplayTarget) -> ApiResult<Vec<DeliveryRow>> {
    Ok(replay(state, None, target)
        .await?
        .into_iter()
        .map(DeliveryRow)
        .collect())
}
