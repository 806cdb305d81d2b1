//! What operators do with webhooks, shared by the API and the `takes
//! webhooks list|deliveries|replay` commands: list endpoints and
//! deliveries (with the attempt log), and replay.

use takes_api::{
    WebhookDelivery, WebhookDeliveryPage, WebhookEndpoint, WebhookEndpointCreated,
    WebhookEndpointPage, WebhookEndpointStatus,
};

use super::outbox::{insert_delivery, subscribes};
use super::signing;
use crate::clock::HOUR;
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit;
use crate::store::page::PageRequest;
use crate::store::webhooks::{self as store, deliveries};

pub use crate::store::webhooks::deliveries::DeliveryFilter;

/// Registered endpoints (deleted ones are gone), oldest first.
pub async fn list_endpoints(
    state: &AppState,
    limit: Option<i64>,
    after: Option<&str>,
) -> ApiResult<WebhookEndpointPage> {
    let page = PageRequest::ascending(limit, after)?;
    let (items, next_cursor) = store::list_endpoints(&state.db, &page).await?;
    Ok(WebhookEndpointPage { items, next_cursor })
}

/// Deliveries, newest first.
pub async fn list_deliveries(
    state: &AppState,
    filter: &DeliveryFilter,
    limit: Option<i64>,
    before: Option<&str>,
) -> ApiResult<WebhookDeliveryPage> {
    let page = PageRequest::descending(limit, before)?;
    let (items, next_cursor) = deliveries::list(&state.db, filter, &page).await?;
    Ok(WebhookDeliveryPage { items, next_cursor })
}

/// One delivery with its attempt log.
pub async fn get_delivery(state: &AppState, id: &str) -> ApiResult<WebhookDelivery> {
    let mut conn = state.db.pool.acquire().await?;
    delivery_in(&mut conn, id).await
}

async fn delivery_in(conn: &mut sqlx::AnyConnection, id: &str) -> ApiResult<WebhookDelivery> {
    deliveries::get(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no webhook delivery {id:?}")).with_field("id"))
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
            let (event_id, endpoint_id, status) =
                deliveries::source(&mut w.tx, id).await?.ok_or_else(|| {
                    ApiError::not_found(format!("no webhook delivery {id:?}")).with_field("id")
                })?;
            check_endpoint_open(&status, &endpoint_id, "id")?;
            (event_id, vec![(endpoint_id, Some(id.clone()))], true)
        }
        ReplayTarget::Event {
            event_id,
            endpoint_id,
        } => {
            let kind = store::events::kind(&mut w.tx, event_id)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!("no webhook event {event_id:?}")).with_field("id")
                })?;
            let mut targets = Vec::new();
            if let Some(eid) = endpoint_id {
                let status = store::endpoint_status(&mut w.tx, eid)
                    .await?
                    .ok_or_else(|| {
                        ApiError::not_found(format!("no webhook endpoint {eid:?}"))
                            .with_field("endpoint_id")
                    })?;
                check_endpoint_open(&status, eid, "endpoint_id")?;
                targets.push((eid.clone(), None));
            } else {
                for (id, types) in store::active_subscriptions(&mut w.tx).await? {
                    if subscribes(&types, kind)? {
                        targets.push((id, None));
                    }
                }
            }
            (event_id.clone(), targets, endpoint_id.is_some())
        }
    };
    let (stream, seq) = store::events::order(&mut w.tx, &event_id).await?;
    let mut created = Vec::new();
    let mut skipped = Vec::new();
    for (endpoint_id, replay_of) in &targets {
        if let Some(p) = deliveries::pending(&mut w.tx, &event_id, endpoint_id).await? {
            skipped.push(p);
            continue;
        }
        let replay_of = match replay_of {
            Some(id) => Some(id.clone()),
            None => deliveries::latest(&mut w.tx, &event_id, endpoint_id).await?,
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

/// How long the previous secret keeps signing after a rotation, unless
/// asked otherwise.
pub const DEFAULT_OVERLAP_HOURS: i64 = 24;
pub const MAX_OVERLAP_HOURS: i64 = 7 * 24;

/// Gives the endpoint a new signing secret. For `overlap_hours` the old
/// one keeps signing too (two signatures per delivery), so the receiver
/// can switch without rejecting anything; 0 drops it at once. The new
/// secret is in the answer, and only there.
pub async fn rotate_secret(
    state: &AppState,
    actor_id: Option<&str>,
    id: &str,
    overlap_hours: Option<i64>,
) -> ApiResult<WebhookEndpointCreated> {
    let hours = overlap_hours.unwrap_or(DEFAULT_OVERLAP_HOURS);
    if !(0..=MAX_OVERLAP_HOURS).contains(&hours) {
        return Err(ApiError::invalid(
            "overlap_hours",
            format!("overlap_hours {hours} is out of range; use 0 to {MAX_OVERLAP_HOURS}"),
        ));
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    store::find_endpoint(&mut w.tx, id).await?.ok_or_else(|| {
        ApiError::not_found(format!("no webhook endpoint {id:?}")).with_field("id")
    })?;
    let secret = signing::new_secret();
    store::rotate_secret(&mut w.tx, id, &secret, now + hours * HOUR, now).await?;
    let (endpoint, _) = store::find_endpoint(&mut w.tx, id)
        .await?
        .ok_or_else(|| ApiError::internal("the endpoint vanished during its rotation"))?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id,
            action: "webhook_endpoint.secret_rotated",
            entity_type: "webhook_endpoint",
            entity_id: id,
            // Never the secrets.
            detail: serde_json::json!({"overlap_hours": hours,
                "previous_secret_expires_at": endpoint.previous_secret_expires_at}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(WebhookEndpointCreated { endpoint, secret })
}

/// `takes webhooks rotate-secret ID [--overlap-hours N]`.
pub async fn cli_rotate_secret(
    state: &AppState,
    id: &str,
    overlap_hours: Option<i64>,
) -> ApiResult<WebhookEndpointCreated> {
    rotate_secret(state, None, id, overlap_hours).await
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
        let status = match (e.status, &e.failing_since) {
            (WebhookEndpointStatus::Active, None) => "active".to_string(),
            (WebhookEndpointStatus::Active, Some(since)) => format!("failing since {since}"),
            (WebhookEndpointStatus::Disabled, _) => "disabled".to_string(),
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
