//! The webhook admin API (admins only): endpoints, deliveries with their
//! attempt log, and replay. Every change is audited in its transaction.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use takes_api::{
    Problem, UserRole, WebhookDelivery, WebhookDeliveryPage, WebhookDeliveryState, WebhookEndpoint,
    WebhookEndpointCreate, WebhookEndpointCreated, WebhookEndpointPage, WebhookEndpointUpdate,
    WebhookEventType, WebhookReplayReceipt, WebhookReplayRequest, WebhookSecretRotate,
};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path, Query};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::audit;
use crate::store::webhooks as store;
use crate::webhooks::ops::{self, DeliveryFilter, ReplayTarget};
use crate::webhooks::signing;

const URL_MAX: usize = 2_000;
const DESCRIPTION_MAX_CHARS: usize = 500;

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.role == UserRole::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "webhooks are managed by admins; {} is a {}",
            caller.name,
            caller.role.as_str()
        )))
    }
}

/// A well-formed http(s) URL whose host is not an internal address (see
/// `webhooks::netguard`; each delivery checks again).
async fn check_url(state: &AppState, url: &str) -> ApiResult<String> {
    let url = url.trim();
    check_text("url", url)?;
    if url.len() > URL_MAX {
        return Err(ApiError::invalid(
            "url",
            format!("url has {} bytes; the limit is {URL_MAX}", url.len()),
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::invalid("url", format!("url {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ApiError::invalid(
            "url",
            format!("url {url:?} must be an http:// or https:// URL with a host"),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ApiError::invalid("url", "url must not carry credentials"));
    }
    state
        .webhooks
        .policy()
        .check_url(&parsed)
        .await
        .map_err(|why| ApiError::invalid("url", format!("url {url:?} is refused: {why}")))?;
    Ok(parsed.to_string())
}

fn check_description(d: Option<String>) -> ApiResult<Option<String>> {
    let Some(d) = d else { return Ok(None) };
    let d = d.trim().to_string();
    check_text("description", &d)?;
    let n = d.chars().count();
    if n > DESCRIPTION_MAX_CHARS {
        return Err(ApiError::invalid(
            "description",
            format!("description has {n} characters; the limit is {DESCRIPTION_MAX_CHARS}"),
        ));
    }
    Ok(Some(d))
}

/// A contact address; `""` (only where `allow_empty`) removes it.
fn check_contact(c: Option<String>, allow_empty: bool) -> ApiResult<Option<String>> {
    let Some(c) = c else { return Ok(None) };
    let c = c.trim().to_string();
    if c.is_empty() && allow_empty {
        return Ok(Some(c));
    }
    check_text("contact_email", &c)?;
    match crate::email::address_problem(&c) {
        Some(why) => Err(ApiError::invalid(
            "contact_email",
            format!("contact_email {c:?} {why}"),
        )),
        None => Ok(Some(c)),
    }
}

fn types_json(types: Option<Vec<WebhookEventType>>) -> ApiResult<Option<String>> {
    let Some(mut types) = types else {
        return Ok(None);
    };
    types.sort_by_key(|t| t.as_str());
    types.dedup();
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    Ok(Some(serde_json::to_string(&names)?))
}

async fn load_endpoint(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> ApiResult<(WebhookEndpoint, String)> {
    store::find_endpoint(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no webhook endpoint {id:?}")).with_field("id"))
}

/// Registers a receiver. The answer carries the signing secret, shown only
/// this once.
#[utoipa::path(post, path = "/v1/webhooks/endpoints", tag = "webhooks",
    request_body = WebhookEndpointCreate,
    responses((status = 201, body = WebhookEndpointCreated), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<WebhookEndpointCreate>,
) -> ApiResult<(StatusCode, axum::Json<WebhookEndpointCreated>)> {
    require_admin(&caller)?;
    let url = check_url(&state, &body.url).await?;
    let description = check_description(body.description)?.unwrap_or_default();
    let types = types_json(body.event_types)?.unwrap_or_else(|| "[]".into());
    let contact = check_contact(body.contact_email, false)?;
    let secret = signing::new_secret();
    let now = state.clock.now();
    let id = new_id();
    let mut w = state.db.begin_write().await?;
    let new = store::NewEndpoint {
        id: &id,
        url: &url,
        description: &description,
        event_types_json: &types,
        secret: &secret,
        contact_email: contact.as_deref(),
        created_by: &caller.id,
        at: now,
    };
    store::insert_endpoint(&mut w.tx, new).await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "webhook_endpoint.created",
            entity_type: "webhook_endpoint",
            entity_id: &id,
            // Never the secret.
            detail: serde_json::json!({"url": url, "event_types": serde_json::from_str::<serde_json::Value>(&types)?}),
        },
    )
    .await?;
    let (endpoint, _) = load_endpoint(&mut w.tx, &id).await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(WebhookEndpointCreated { endpoint, secret }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Registered endpoints, oldest first (secrets are shown only as a hint).
#[utoipa::path(get, path = "/v1/webhooks/endpoints", tag = "webhooks", params(PageParams),
    responses((status = 200, body = WebhookEndpointPage), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<PageParams>,
) -> ApiResult<axum::Json<WebhookEndpointPage>> {
    require_admin(&caller)?;
    ops::list_endpoints(&state, params.limit, params.cursor.as_deref())
        .await
        .map(axum::Json)
}

/// One endpoint.
#[utoipa::path(get, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookEndpoint), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WebhookEndpoint>> {
    require_admin(&caller)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(axum::Json(load_endpoint(&mut conn, &id).await?.0))
}

/// Enables or disables an endpoint (re-enabling resumes its pending
/// deliveries in order), or changes its description or event types.
#[utoipa::path(patch, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = WebhookEndpointUpdate,
    responses((status = 200, body = WebhookEndpoint), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<WebhookEndpointUpdate>,
) -> ApiResult<axum::Json<WebhookEndpoint>> {
    require_admin(&caller)?;
    let description = check_description(body.description)?;
    let types = types_json(body.event_types)?;
    let contact = check_contact(body.contact_email, true)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let (_, status) = load_endpoint(&mut w.tx, &id).await?;
    let (new_status, reason) = match body.enabled {
        Some(true) => ("active".to_string(), None),
        Some(false) if status == "disabled" => (status.clone(), None),
        Some(false) => (
            "disabled".to_string(),
            Some(format!("disabled by {}", caller.name)),
        ),
        None => (status.clone(), None),
    };
    let change = store::EndpointChange {
        status: new_status.clone(),
        disabled_reason: reason,
        description: description.clone(),
        event_types_json: types.clone(),
        contact_email: contact.clone(),
        at: now,
    };
    store::update_endpoint(&mut w.tx, &id, change).await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "webhook_endpoint.updated",
            entity_type: "webhook_endpoint",
            entity_id: &id,
            detail: serde_json::json!({"status": new_status, "was": status, "description": description,
                                       "event_types": types, "contact_email": contact}),
        },
    )
    .await?;
    let (endpoint, _) = load_endpoint(&mut w.tx, &id).await?;
    w.commit().await?;
    Ok(axum::Json(endpoint))
}

/// Deletes an endpoint; its pending deliveries are cancelled. The delivery
/// log stays.
#[utoipa::path(delete, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    require_admin(&caller)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    load_endpoint(&mut w.tx, &id).await?;
    let cancelled = store::delete_endpoint(&mut w.tx, &id, now).await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "webhook_endpoint.deleted",
            entity_type: "webhook_endpoint",
            entity_id: &id,
            detail: serde_json::json!({"cancelled_deliveries": cancelled}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the endpoint a new signing secret (shown in the answer, only
/// there). The previous one keeps signing alongside it for
/// `overlap_hours` (default 24): deliveries carry both signatures,
/// space-separated, so the receiver can switch without rejecting any.
#[utoipa::path(post, path = "/v1/webhooks/endpoints/{id}/rotate-secret", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    request_body(content = WebhookSecretRotate, description = "Optional: no body (or `{}`) keeps the old secret for 24 hours"),
    responses((status = 200, body = WebhookEndpointCreated), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> ApiResult<axum::Json<WebhookEndpointCreated>> {
    require_admin(&caller)?;
    let body: WebhookSecretRotate = optional_body(req).await?;
    let rotated = ops::rotate_secret(&state, Some(&caller.id), &id, body.overlap_hours).await?;
    Ok(axum::Json(rotated))
}

/// A JSON body that may be absent: an empty one is the default, a body
/// that is there must be right.
async fn optional_body<T>(req: axum::extract::Request) -> ApiResult<T>
where
    T: Default + serde::de::DeserializeOwned,
{
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::extract::BODY_LIMIT)
        .await
        .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
    if bytes.is_empty() {
        return Ok(T::default());
    }
    let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let Json(b) = <Json<T> as axum::extract::FromRequest<()>>::from_request(req, &()).await?;
    Ok(b)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    endpoint_id: Option<String>,
    event_id: Option<String>,
    interview_id: Option<String>,
    /// `pending`, `delivered`, `dead` (the dead letters) or `cancelled`.
    state: Option<String>,
}

/// The delivery log, newest first: what was sent, what failed and why.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "webhooks", params(DeliveryParams),
    responses((status = 200, body = WebhookDeliveryPage), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<DeliveryParams>,
) -> ApiResult<axum::Json<WebhookDeliveryPage>> {
    require_admin(&caller)?;
    let delivery_state = match params.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(WebhookDeliveryState::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "state",
                format!("state {s:?} is not one of pending, delivered, dead, cancelled"),
            )
        })?),
    };
    for (field, value) in [
        ("endpoint_id", &params.endpoint_id),
        ("event_id", &params.event_id),
        ("interview_id", &params.interview_id),
    ] {
        if let Some(v) = value {
            check_text(field, v)?;
        }
    }
    let filter = DeliveryFilter {
        endpoint_id: params.endpoint_id,
        event_id: params.event_id,
        interview_id: params.interview_id,
        state: delivery_state,
    };
    ops::list_deliveries(&state, &filter, params.limit, params.cursor.as_deref())
        .await
        .map(axum::Json)
}

/// One delivery with every attempt (status code, error, duration).
#[utoipa::path(get, path = "/v1/webhooks/deliveries/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Delivery id")),
    responses((status = 200, body = WebhookDelivery), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WebhookDelivery>> {
    require_admin(&caller)?;
    ops::get_delivery(&state, &id).await.map(axum::Json)
}

/// Sends the delivery's event to its endpoint again, with the same
/// `webhook-id`. `409` while a delivery of it there is still pending, or
/// when the endpoint is disabled.
#[utoipa::path(post, path = "/v1/webhooks/deliveries/{id}/replay", tag = "webhooks",
    params(("id" = String, Path, description = "Delivery id")),
    responses((status = 202, body = WebhookReplayReceipt), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn replay_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<WebhookReplayReceipt>)> {
    require_admin(&caller)?;
    let deliveries = ops::replay(&state, Some(&caller.id), &ReplayTarget::Delivery(id)).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(WebhookReplayReceipt { deliveries }),
    ))
}

/// Sends an event again, to one endpoint or to every active endpoint that
/// subscribes to its type, skipping those where it is still pending.
#[utoipa::path(post, path = "/v1/webhooks/events/{id}/replay", tag = "webhooks",
    params(("id" = String, Path, description = "Event id (the `webhook-id`)")),
    request_body(content = WebhookReplayRequest, description = "Optional: no body (or `{}`) replays to every subscribed endpoint"),
    responses((status = 202, body = WebhookReplayReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn replay_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> ApiResult<(StatusCode, axum::Json<WebhookReplayReceipt>)> {
    require_admin(&caller)?;
    // The body is optional, but a body that is there must be right: read
    // it, and only an empty one means "no body".
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::extract::BODY_LIMIT)
        .await
        .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
    let body = if bytes.is_empty() {
        WebhookReplayRequest::default()
    } else {
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let Json(b) =
            <Json<WebhookReplayRequest> as axum::extract::FromRequest<()>>::from_request(req, &())
                .await?;
        b
    };
    if let Some(e) = &body.endpoint_id {
        check_text("endpoint_id", e)?;
    }
    let target = ReplayTarget::Event {
        event_id: id,
        endpoint_id: body.endpoint_id,
    };
    let deliveries = ops::replay(&state, Some(&caller.id), &target).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(WebhookReplayReceipt { deliveries }),
    ))
}
