//! The append-only audit log. Every write records itself here inside its own
//! transaction, so the log and the data cannot disagree.

use serde_json::Value;

use crate::clock::Millis;
use crate::ids::new_id;

pub struct Entry<'a> {
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub detail: Value,
}

pub async fn record(
    conn: &mut sqlx::AnyConnection,
    at: Millis,
    entry: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, action, entity_type, entity_id, detail_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(at)
    .bind(entry.actor_id.map(str::to_string))
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(entry.detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The usual entry: a signed-in user did `action` to one entity. Handlers
/// call this rather than spelling out an [`Entry`] each time.
pub async fn record_by(
    conn: &mut sqlx::AnyConnection,
    at: Millis,
    actor_id: &str,
    action: &str,
    (entity_type, entity_id): (&str, &str),
    detail: Value,
) -> Result<(), sqlx::Error> {
    record(
        conn,
        at,
        Entry {
            actor_id: Some(actor_id),
            action,
            entity_type,
            entity_id,
            detail,
        },
    )
    .await
}
