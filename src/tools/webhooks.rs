//! `takes webhooks list|deliveries|replay|rotate-secret`: the operator's view of outbound
//! events, straight from the platform's database.

use takes_api::WebhookDeliveryState;
use takes_platform::webhooks::ops::{self, DeliveryFilter, DeliveryRow, EndpointRow, ReplayTarget};
use takes_platform::AppState;

pub async fn list(state: &AppState) -> anyhow::Result<()> {
    let rows = ops::cli_list(state)
        .await
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    println!("{}", EndpointRow::HEADER);
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

pub async fn deliveries(
    state: &AppState,
    filter_state: Option<String>,
    endpoint_id: Option<String>,
    event_id: Option<String>,
    interview_id: Option<String>,
    limit: Option<i64>,
) -> anyhow::Result<()> {
    let state_filter = match filter_state.as_deref() {
        None => None,
        Some(s) => Some(WebhookDeliveryState::parse(s).ok_or_else(|| {
            anyhow::anyhow!("--state {s:?} is not one of pending, delivered, dead, cancelled")
        })?),
    };
    let filter = DeliveryFilter {
        endpoint_id,
        event_id,
        interview_id,
        state: state_filter,
    };
    let rows = ops::cli_deliveries(state, &filter, limit)
        .await
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    println!("{}", DeliveryRow::HEADER);
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

pub async fn replay(
    state: &AppState,
    delivery: Option<String>,
    event: Option<String>,
    endpoint_id: Option<String>,
) -> anyhow::Result<()> {
    let target = match (delivery, event) {
        (Some(d), None) => ReplayTarget::Delivery(d),
        (None, Some(event_id)) => ReplayTarget::Event {
            event_id,
            endpoint_id,
        },
        _ => anyhow::bail!("name exactly one of --delivery ID or --event ID"),
    };
    let rows = ops::cli_replay(state, &target)
        .await
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    println!("{}", DeliveryRow::HEADER);
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

/// Prints the new secret (shown only here) and until when the old one
/// still signs.
pub async fn rotate_secret(
    state: &AppState,
    endpoint: &str,
    overlap_hours: Option<i64>,
) -> anyhow::Result<()> {
    let rotated = ops::cli_rotate_secret(state, endpoint, overlap_hours)
        .await
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    println!("secret\t{}", rotated.secret);
    match &rotated.endpoint.previous_secret_expires_at {
        Some(until) => println!("previous secret signs until\t{until}"),
        None => println!("previous secret\tdropped"),
    }
    Ok(())
}
