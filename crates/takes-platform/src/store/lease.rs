//! The one lease every background queue takes on a pending row before
//! working on it, so that several servers sharing one PostgreSQL database
//! never work on the same row at once: a row is free when it has no lease
//! or its lease ran out.

use sqlx::AnyConnection;

use crate::clock::Millis;

/// A queue table: its key column, and any further condition a row must
/// meet to be leased (SQL over the table's own columns).
pub struct Queue {
    pub table: &'static str,
    pub key: &'static str,
    pub also: &'static str,
}

/// Leases the pending row `id` of `q` until `until` (to `owner`, for the
/// tables that record who holds it); `false` when another worker holds it
/// or it is no longer pending.
pub async fn take(
    conn: &mut AnyConnection,
    q: &Queue,
    id: &str,
    owner: Option<&str>,
    until: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let Queue { table, key, also } = q;
    let set_owner = if owner.is_some() {
        ", lease_owner = $4"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE {table} SET lease_until = $1{set_owner} WHERE {key} = $2 AND state = 'pending' \
         AND (lease_until IS NULL OR lease_until <= $3){also}"
    );
    let mut query = sqlx::query(&sql).bind(until).bind(id).bind(now);
    if let Some(owner) = owner {
        query = query.bind(owner);
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}
