//! Outbound webhooks: endpoints here, the outbox of events in `events`,
//! deliveries and their attempt log in `deliveries`.

pub mod deliveries;
pub mod events;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use takes_api::{WebhookEndpoint, WebhookEndpointStatus, WebhookEventType};

use super::page::PageRequest;
use crate::clock::{rfc3339, Millis};
use crate::db::Db;
use crate::error::ApiResult;
use crate::webhooks::signing;

const ENDPOINT_COLUMNS: &str = "id, url, description, event_types_json, secret, status, \
     disabled_reason, contact_email, previous_secret_expires_at, throttled_until, failing_since, \
     failure_notified_at, created_at, updated_at";

fn endpoint(row: &AnyRow) -> ApiResult<WebhookEndpoint> {
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
        contact_email: row.try_get("contact_email")?,
        previous_secret_expires_at: time(row, "previous_secret_expires_at")?,
        throttled_until: time(row, "throttled_until")?,
        failing_since: time(row, "failing_since")?,
        failure_notified_at: time(row, "failure_notified_at")?,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
    })
}

fn time(row: &AnyRow, column: &str) -> ApiResult<Option<String>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(rfc3339))
}

/// The page key of a row listed by `(created_at, id)`.
pub(crate) fn created_key(row: &AnyRow) -> ApiResult<(i64, String)> {
    Ok((row.try_get("created_at")?, row.try_get("id")?))
}

/// An endpoint that is not deleted, with its stored status (`active` or
/// `disabled`).
pub async fn find_endpoint(
    conn: &mut AnyConnection,
    id: &str,
) -> ApiResult<Option<(WebhookEndpoint, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND status <> 'deleted'"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(row) => Ok(Some((endpoint(&row)?, row.try_get("status")?))),
        None => Ok(None),
    }
}

/// An endpoint's stored status, deleted ones included.
pub async fn endpoint_status(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<String>> {
    let row = sqlx::query("SELECT status FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("status")).transpose()?)
}

/// Registered endpoints (deleted ones are gone), oldest first.
pub async fn list_endpoints(
    db: &Db,
    page: &PageRequest,
) -> ApiResult<(Vec<WebhookEndpoint>, Option<String>)> {
    let rows = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE status <> 'deleted' \
         AND (created_at > $1 OR (created_at = $1 AND id > $2)) ORDER BY created_at, id LIMIT $3"
    ))
    .bind(page.after_key)
    .bind(&page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(&db.pool)
    .await?;
    let (rows, next) = page.finish(rows, created_key)?;
    let items = rows.iter().map(endpoint).collect::<ApiResult<Vec<_>>>()?;
    Ok((items, next))
}

/// `(id, event_types_json)` of every active endpoint, oldest first.
pub async fn active_subscriptions(conn: &mut AnyConnection) -> ApiResult<Vec<(String, String)>> {
    sqlx::query(
        "SELECT id, event_types_json FROM webhook_endpoints WHERE status = 'active' \
         ORDER BY created_at, id",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("event_types_json")?)))
    .collect()
}

/// A new endpoint, active at once.
pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub event_types_json: &'a str,
    pub secret: &'a str,
    pub contact_email: Option<&'a str>,
    pub created_by: &'a str,
    pub at: Millis,
}

pub async fn insert_endpoint(conn: &mut AnyConnection, e: NewEndpoint<'_>) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, description, event_types_json, secret, status, created_by, \
           created_at, updated_at, contact_email) \
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7, $8)",
    )
    .bind(e.id)
    .bind(e.url)
    .bind(e.description)
    .bind(e.event_types_json)
    .bind(e.secret)
    .bind(e.created_by)
    .bind(e.at)
    .bind(e.contact_email.map(str::to_string))
    .execute(conn)
    .await?;
    Ok(())
}

/// A change to an endpoint; `None` fields stay as they are.
pub struct EndpointChange {
    pub status: String,
    /// Kept only while the endpoint is not active.
    pub disabled_reason: Option<String>,
    pub description: Option<String>,
    pub event_types_json: Option<String>,
    /// `Some("")` removes the contact.
    pub contact_email: Option<String>,
    pub at: Millis,
}

pub async fn update_endpoint(
    conn: &mut AnyConnection,
    id: &str,
    c: EndpointChange,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE webhook_endpoints SET status = $1, \
           disabled_reason = CASE WHEN $1 = 'active' THEN NULL ELSE COALESCE($2, disabled_reason) END, \
           description = COALESCE($3, description), event_types_json = COALESCE($4, event_types_json), \
           updated_at = $5, \
           contact_email = CASE WHEN $7 = '-' THEN contact_email WHEN $7 = '' THEN NULL ELSE $7 END, \
           failing_since = CASE WHEN $1 = 'active' AND status <> 'active' THEN NULL ELSE failing_since END, \
           failure_notified_at = CASE WHEN $1 = 'active' AND status <> 'active' THEN NULL ELSE failure_notified_at END \
         WHERE id = $6",
    )
    .bind(c.status)
    .bind(c.disabled_reason)
    .bind(c.description)
    .bind(c.event_types_json)
    .bind(c.at)
    .bind(id)
    // `-` cannot be an address (the API checks them): it means "unchanged".
    .bind(c.contact_email.unwrap_or_else(|| "-".into()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an endpoint deleted and cancels its pending deliveries; returns how
/// many were cancelled.
pub async fn delete_endpoint(conn: &mut AnyConnection, id: &str, at: Millis) -> ApiResult<u64> {
    sqlx::query("UPDATE webhook_endpoints SET status = 'deleted', updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let cancelled = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'cancelled', finished_at = $1, lease_owner = NULL, lease_until = NULL \
         WHERE endpoint_id = $2 AND state = 'pending'",
    )
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(cancelled)
}

/// Disables an active endpoint for `reason`; a disabled or deleted one is
/// left as it is.
pub async fn disable_endpoint(
    conn: &mut AnyConnection,
    id: &str,
    reason: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'active'",
    )
    .bind(reason)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes `secret` the endpoint's signing secret; the one it replaces keeps
/// signing too until `previous_until` (no overlap when that is `at`).
pub async fn rotate_secret(
    conn: &mut AnyConnection,
    id: &str,
    secret: &str,
    previous_until: Millis,
    at: Millis,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE webhook_endpoints SET previous_secret = CASE WHEN $1 > $2 THEN secret ELSE NULL END, \
           previous_secret_expires_at = CASE WHEN $1 > $2 THEN $1 ELSE NULL END, \
           secret = $3, updated_at = $2 WHERE id = $4",
    )
    .bind(previous_until)
    .bind(at)
    .bind(secret)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Holds back every delivery to the endpoint until `until` (never earlier
/// than a hold already in place).
pub async fn throttle(
    conn: &mut AnyConnection,
    id: &str,
    until: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET throttled_until = $1 \
         WHERE id = $2 AND (throttled_until IS NULL OR throttled_until < $1)",
    )
    .bind(until)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A delivery succeeded: the endpoint is healthy again.
pub async fn mark_healthy(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET failing_since = NULL, failure_notified_at = NULL, \
           throttled_until = NULL WHERE id = $1 AND failing_since IS NOT NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed attempt. Returns `(failing since, contact, url, description)`
/// when the endpoint has been failing since at least `notify_after` and no
/// one has been told yet in this streak; marks it told.
pub async fn mark_failing(
    conn: &mut AnyConnection,
    id: &str,
    at: Millis,
    notify_after: Millis,
) -> Result<Option<(Millis, Option<String>, String, String)>, sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET failing_since = $1 WHERE id = $2 AND failing_since IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(
        "UPDATE webhook_endpoints SET failure_notified_at = $1 \
         WHERE id = $2 AND failure_notified_at IS NULL AND failing_since <= $3 \
         RETURNING failing_since, contact_email, url, description",
    )
    .bind(at)
    .bind(id)
    .bind(at - notify_after)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("failing_since")?,
            r.try_get("contact_email")?,
            r.try_get("url")?,
            r.try_get("description")?,
        ))
    })
    .transpose()
}

/// The failing-endpoint notice, queued in the email outbox (no interview).
pub struct NoticeEmail<'a> {
    pub id: &'a str,
    pub dedupe_key: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub message_id: &'a str,
    pub at: Millis,
}

pub async fn queue_notice_email(
    conn: &mut AnyConnection,
    m: NoticeEmail<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_outbox (id, kind, dedupe_key, interview_id, to_address, subject, body, \
           message_id, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'webhook_failing', $2, NULL, $3, $4, $5, $6, 'pending', 0, $7, $7) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(m.id)
    .bind(m.dedupe_key)
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.message_id)
    .bind(m.at)
    .execute(conn)
    .await?;
    Ok(())
}
