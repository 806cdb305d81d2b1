//! Webhook deliveries (one per event and endpoint, replays included) and
//! the log of their attempts. The worker claims a due row with a lease, so
//! two workers never send the same delivery at once.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use takes_api::{WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEventType};

use super::created_key;
use crate::clock::{rfc3339, Millis};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::store::lease;
use crate::store::page::PageRequest;

const COLUMNS: &str = "d.id, d.event_id, ev.event_type, d.endpoint_id, ev.interview_id, d.state, \
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

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub endpoint_id: Option<String>,
    pub event_id: Option<String>,
    pub interview_id: Option<String>,
    pub state: Option<WebhookDeliveryState>,
}

/// Deliveries, newest first, without their attempt logs.
pub async fn list(
    db: &Db,
    filter: &DeliveryFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<WebhookDelivery>, Option<String>)> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE ($1 = '' OR d.endpoint_id = $1) AND ($2 = '' OR d.event_id = $2) \
           AND ($3 = '' OR ev.interview_id = $3) AND ($4 = '' OR d.state = $4) \
           AND (d.created_at < $5 OR (d.created_at = $5 AND d.id < $6)) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $7"
    ))
    .bind(filter.endpoint_id.clone().unwrap_or_default())
    .bind(filter.event_id.clone().unwrap_or_default())
    .bind(filter.interview_id.clone().unwrap_or_default())
    .bind(filter.state.map(|s| s.as_str()).unwrap_or_default())
    .bind(page.after_key)
    .bind(&page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(&db.pool)
    .await?;
    let (rows, next) = page.finish(rows, created_key)?;
    let items = rows.iter().map(delivery).collect::<ApiResult<Vec<_>>>()?;
    Ok((items, next))
}

/// One delivery with its attempt log.
pub async fn get(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<WebhookDelivery>> {
    let Some(row) = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut d = delivery(&row)?;
    let attempts = sqlx::query(
        "SELECT attempted_at, status_code, error, duration_ms, response_excerpt FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY attempted_at, id",
    )
    .bind(id)
    .fetch_all(conn)
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
    Ok(Some(d))
}

/// What a delivery sent: `(event id, endpoint id, the endpoint's status)`.
pub async fn source(
    conn: &mut AnyConnection,
    id: &str,
) -> ApiResult<Option<(String, String, String)>> {
    let row = sqlx::query(
        "SELECT d.event_id, d.endpoint_id, e.status FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| -> ApiResult<_> {
        Ok((
            r.try_get("event_id")?,
            r.try_get("endpoint_id")?,
            r.try_get("status")?,
        ))
    })
    .transpose()
}

/// The pending delivery of `event_id` to `endpoint_id`, if there is one.
pub async fn pending(
    conn: &mut AnyConnection,
    event_id: &str,
    endpoint_id: &str,
) -> ApiResult<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2 AND state = 'pending'",
    )
    .bind(event_id)
    .bind(endpoint_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// The newest delivery of `event_id` to `endpoint_id`, if there is one.
pub async fn latest(
    conn: &mut AnyConnection,
    event_id: &str,
    endpoint_id: &str,
) -> ApiResult<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(event_id)
    .bind(endpoint_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// A new pending delivery, due at once.
pub async fn insert(
    conn: &mut AnyConnection,
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

/// A due delivery with what is needed to send it.
pub struct Due {
    pub id: String,
    pub endpoint_id: String,
    pub url: String,
    pub secret: String,
    /// The secret being rotated out, while it still signs.
    pub previous_secret: Option<String>,
    pub event_id: String,
    pub body: String,
    pub attempts: i64,
    pub first_attempt_at: Option<Millis>,
}

/// Deliveries due at `now` to active endpoints, at most `batch`: a delivery
/// is due only when no earlier event of its interview is still pending for
/// the same endpoint.
pub async fn due(db: &Db, now: Millis, batch: i64) -> anyhow::Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT d.id, d.endpoint_id, d.event_id, d.attempts, d.first_attempt_at, e.url, e.secret, \
           CASE WHEN e.previous_secret_expires_at > $1 THEN e.previous_secret END AS previous_secret, ev.body \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         JOIN webhook_events ev ON ev.id = d.event_id \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
           AND (d.lease_until IS NULL OR d.lease_until <= $1) AND e.status = 'active' \
           AND (e.throttled_until IS NULL OR e.throttled_until <= $1) \
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
                AND p.stream = d.stream AND p.seq < d.seq AND p.state = 'pending') \
         ORDER BY d.next_attempt_at, d.seq, d.id LIMIT $2",
    )
    .bind(now)
    .bind(batch)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                id: r.try_get("id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
                previous_secret: r.try_get("previous_secret")?,
                event_id: r.try_get("event_id")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
                first_attempt_at: r.try_get("first_attempt_at")?,
            })
        })
        .collect()
}

/// A delivery waits for every earlier pending one of its endpoint's stream.
const QUEUE: lease::Queue = lease::Queue {
    table: "webhook_deliveries",
    key: "id",
    also: " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
            WHERE p.endpoint_id = webhook_deliveries.endpoint_id \
              AND p.stream = webhook_deliveries.stream \
              AND p.seq < webhook_deliveries.seq AND p.state = 'pending')",
};

/// Leases a delivery to `owner` until `until`; `false` when another worker
/// holds it or it is no longer due (a replay of an earlier event may now be
/// pending).
pub async fn claim(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    until: Millis,
    now: Millis,
) -> anyhow::Result<bool> {
    Ok(lease::take(conn, &QUEUE, id, Some(owner), until, now).await?)
}

/// One attempt as logged.
pub struct Attempt<'a> {
    pub at: Millis,
    pub status: Option<u16>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub excerpt: Option<&'a str>,
}

pub async fn log_attempt(
    conn: &mut AnyConnection,
    delivery_id: &str,
    a: &Attempt<'_>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, error, duration_ms, response_excerpt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(delivery_id)
    .bind(a.at)
    .bind(a.status.map(i64::from))
    .bind(a.error.map(str::to_string))
    .bind(a.duration_ms)
    .bind(a.excerpt.map(str::to_string))
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a delivery stands after an attempt.
pub struct AfterAttempt<'a> {
    /// `pending`, `delivered` or `dead`.
    pub state: &'a str,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub first_attempt_at: Millis,
    pub attempt: &'a Attempt<'a>,
    pub finished_at: Option<Millis>,
}

/// Records the outcome and releases the lease, if `owner` still holds it.
pub async fn finish_attempt(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    after: AfterAttempt<'_>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, attempts = $2, next_attempt_at = $3, \
           first_attempt_at = $4, last_attempt_at = $5, last_status = $6, last_error = $7, \
           finished_at = $8, lease_owner = NULL, lease_until = NULL \
         WHERE id = $9 AND lease_owner = $10 AND state = 'pending'",
    )
    .bind(after.state)
    .bind(after.attempts)
    .bind(after.next_attempt_at)
    .bind(after.first_attempt_at)
    .bind(after.attempt.at)
    .bind(after.attempt.status.map(i64::from))
    .bind(after.attempt.error.map(str::to_string))
    .bind(after.finished_at)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(())
}
