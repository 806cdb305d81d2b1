//! The append-only audit log. Every write records itself here inside its own
//! transaction, so the log and the data cannot disagree.
//!
//! Append-only is enforced twice. Triggers (installed by [`install`] at every
//! start) refuse UPDATE and DELETE, so a bug or a careless hand with a SQL
//! shell cannot rewrite history. And the entries form a hash chain: entry
//! `n` stores the hash of entry `n - 1` and a hash over its own content and
//! that previous hash, so whoever drops the triggers and edits, removes or
//! reorders an entry breaks the chain at that point, which [`verify`]
//! (`takes audit verify`) reports. The chain has no secret: someone who can
//! rewrite the whole table can recompute it, so keep the head hash that
//! `verify` prints somewhere else to detect that too.

use futures::TryStreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::ids::new_id;

pub struct Entry<'a> {
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub detail: Value,
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The PostgreSQL advisory lock that makes appends to the chain take turns
/// (any fixed number; this one spells "takesaud" in ASCII).
const CHAIN_LOCK: i64 = 0x7461_6b65_7361_7564;

pub async fn record(
    conn: &mut AnyConnection,
    at: Millis,
    entry: Entry<'_>,
) -> Result<(), sqlx::Error> {
    let (seq, prev_hash) = lock_head(conn).await?;
    let content = Content {
        seq: seq + 1,
        id: new_id(),
        at,
        actor_id: entry.actor_id.map(str::to_string),
        action: entry.action.to_string(),
        entity_type: entry.entity_type.to_string(),
        entity_id: entry.entity_id.to_string(),
        detail_json: entry.detail.to_string(),
    };
    let hash = content.hash(&prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, action, entity_type, entity_id, detail_json, \
         seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&content.id)
    .bind(at)
    .bind(&content.actor_id)
    .bind(&content.action)
    .bind(&content.entity_type)
    .bind(&content.entity_id)
    .bind(&content.detail_json)
    .bind(content.seq)
    .bind(prev_hash)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// The usual entry: a signed-in user did `action` to one entity. Handlers
/// call this rather than spelling out an [`Entry`] each time.
pub async fn record_by(
    conn: &mut AnyConnection,
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

/// Takes the chain's turn for this transaction and reads the head (its
/// position and hash; `(0, GENESIS)` when empty).
///
/// On PostgreSQL concurrent transactions would otherwise read the same head
/// and fork the chain; the transaction-level advisory lock makes them queue
/// (released at commit or rollback), and under READ COMMITTED the head read
/// after the wait sees the previous holder's entry. SQLite has one writer
/// at a time already. Should either fail, the unique index on `seq` turns a
/// fork into an error rather than a second branch.
async fn lock_head(conn: &mut AnyConnection) -> Result<(i64, String), sqlx::Error> {
    if is_postgres(conn) {
        // In FROM, so the result column is an integer the Any driver knows,
        // not the function's `void`.
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let head = sqlx::query(
        "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    match head {
        Some(row) => Ok((
            row.try_get("seq")?,
            row.try_get::<Option<String>, _>("hash")?
                .unwrap_or_default(),
        )),
        None => Ok((0, GENESIS.to_string())),
    }
}

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// What an entry's hash covers: everything it says, and its position.
struct Content {
    seq: i64,
    id: String,
    at: Millis,
    actor_id: Option<String>,
    action: String,
    entity_type: String,
    entity_id: String,
    detail_json: String,
}

impl Content {
    /// SHA-256 over a version tag, the previous hash and the fields as one
    /// JSON array (an unambiguous encoding: no field can bleed into the
    /// next), in hex.
    fn hash(&self, prev_hash: &str) -> String {
        let fields = serde_json::json!([
            self.seq,
            self.id,
            self.at,
            self.actor_id,
            self.action,
            self.entity_type,
            self.entity_id,
            self.detail_json,
        ]);
        let mut h = Sha256::new();
        h.update(b"takes-audit-v1\n");
        h.update(prev_hash.as_bytes());
        h.update(b"\n");
        h.update(fields.to_string().as_bytes());
        hex::encode(h.finalize())
    }

    fn from_row(row: &sqlx::any::AnyRow, seq: i64) -> Result<Content, sqlx::Error> {
        Ok(Content {
            seq,
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            actor_id: row.try_get("actor_id")?,
            action: row.try_get("action")?,
            entity_type: row.try_get("entity_type")?,
            entity_id: row.try_get("entity_id")?,
            detail_json: row.try_get("detail_json")?,
        })
    }
}

const COLUMNS: &str =
    "id, at, actor_id, action, entity_type, entity_id, detail_json, seq, prev_hash, hash";

/// Run after the migrations at every start: chains the entries that have
/// no position yet (those written before the chain existed, oldest first)
/// and installs the triggers that refuse UPDATE and DELETE. Idempotent;
/// one transaction, so two servers starting at once take turns.
pub async fn install(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (mut seq, mut prev_hash) = lock_head(&mut tx).await?;
    let unchained = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq IS NULL ORDER BY at, id"
    ))
    .fetch_all(&mut *tx)
    .await?;
    for row in &unchained {
        seq += 1;
        let content = Content::from_row(row, seq)?;
        let hash = content.hash(&prev_hash);
        sqlx::query(
            "UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4 AND seq IS NULL",
        )
        .bind(seq)
        .bind(&prev_hash)
        .bind(&hash)
        .bind(&content.id)
        .execute(&mut *tx)
        .await?;
        prev_hash = hash;
    }
    if is_postgres(&tx) {
        install_postgres_triggers(&mut tx).await?;
    } else {
        install_sqlite_triggers(&mut tx).await?;
    }
    tx.commit().await
}

/// The one UPDATE the triggers let through: giving an entry that has no
/// position yet its place in the chain, with its content unchanged (what
/// [`install`] does for entries from before the chain). `IS` is SQLite's
/// null-safe equality; PostgreSQL spells it `IS NOT DISTINCT FROM`.
const CHAINING_ONLY: &str = "OLD.seq IS NULL AND NEW.seq IS NOT NULL \
     AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_id IS OLD.actor_id \
     AND NEW.action IS OLD.action AND NEW.entity_type IS OLD.entity_type \
     AND NEW.entity_id IS OLD.entity_id AND NEW.detail_json IS OLD.detail_json";

async fn install_sqlite_triggers(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log \
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is refused'); END",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log \
         WHEN NOT ({CHAINING_ONLY}) \
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is refused'); END"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn install_postgres_triggers(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // Replaced at every start, so the rule stays the current one; the
    // triggers only point at it. TRUNCATE is refused too (statement-level,
    // where OLD is not set: hence the nested IF).
    let chaining_only = CHAINING_ONLY.replace(" IS OLD.", " IS NOT DISTINCT FROM OLD.");
    sqlx::query(&format!(
        "CREATE OR REPLACE FUNCTION takes_audit_log_append_only() RETURNS trigger \
         LANGUAGE plpgsql AS $$ BEGIN \
           IF TG_OP = 'UPDATE' THEN \
             IF {chaining_only} THEN RETURN NEW; END IF; \
           END IF; \
           RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP; \
         END $$"
    ))
    .execute(&mut *conn)
    .await?;
    for (name, timing) in [
        (
            "audit_log_append_only",
            "BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW",
        ),
        (
            "audit_log_no_truncate",
            "BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT",
        ),
    ] {
        let present: i64 = sqlx::query(
            "SELECT COUNT(*) FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'audit_log'::regclass",
        )
        .bind(name)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        if present == 0 {
            sqlx::query(&format!(
                "CREATE TRIGGER {name} {timing} EXECUTE FUNCTION takes_audit_log_append_only()"
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The entry's id.
    pub id: String,
    /// Where in the chain (1 = the first entry) the entry should be.
    pub position: i64,
    /// What differs, in words.
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in place; `head` is the last entry's hash (GENESIS
    /// for an empty log): keep it elsewhere to detect a rewritten tail.
    Intact {
        entries: i64,
        head: String,
    },
    Broken(BrokenLink),
}

/// Walks the chain from the first entry and reports the first broken link:
/// a gap or repeat in the positions (entries removed or inserted), a
/// `prev_hash` that is not the hash of the entry before (an entry before it
/// was rewritten together with its own hash, or removed), or content that
/// no longer matches its hash (the entry itself was changed), or an entry
/// with no position at all.
pub async fn verify(pool: &sqlx::AnyPool) -> Result<Verdict, sqlx::Error> {
    let chained = format!("SELECT {COLUMNS} FROM audit_log WHERE seq IS NOT NULL ORDER BY seq");
    let mut rows = sqlx::query(&chained).fetch(pool);
    let mut position = 0i64;
    let mut expected_prev = GENESIS.to_string();
    while let Some(row) = rows.try_next().await? {
        position += 1;
        let seq: i64 = row.try_get("seq")?;
        let content = Content::from_row(&row, seq)?;
        let broken = |problem: String| {
            Ok(Verdict::Broken(BrokenLink {
                id: content.id.clone(),
                position,
                problem,
            }))
        };
        if seq != position {
            return broken(if seq > position {
                format!(
                    "its stored position is {seq}: the {} entr{} before it {} missing",
                    seq - position,
                    if seq - position == 1 { "y" } else { "ies" },
                    if seq - position == 1 { "is" } else { "are" },
                )
            } else {
                format!(
                    "its stored position is {seq}, not {position}: entries were reordered \
                     or renumbered"
                )
            });
        }
        let prev_hash: Option<String> = row.try_get("prev_hash")?;
        let stored: Option<String> = row.try_get("hash")?;
        if prev_hash.as_deref() != Some(expected_prev.as_str()) {
            return broken(format!(
                "prev_hash is {}, but the entry before it hashes to {expected_prev}: \
                 that entry was changed or removed",
                prev_hash.as_deref().unwrap_or("empty"),
            ));
        }
        let computed = content.hash(&expected_prev);
        if stored.as_deref() != Some(computed.as_str()) {
            return broken(format!(
                "its content does not match its hash (stored {}, computed {computed}): \
                 a field (at, actor_id, action, entity_type, entity_id or detail_json) \
                 was changed after it was written",
                stored.as_deref().unwrap_or("empty"),
            ));
        }
        expected_prev = computed;
    }
    drop(rows);
    let loose = sqlx::query("SELECT id FROM audit_log WHERE seq IS NULL ORDER BY at, id LIMIT 1")
        .fetch_optional(pool)
        .await?;
    if let Some(row) = loose {
        return Ok(Verdict::Broken(BrokenLink {
            id: row.try_get("id")?,
            position: position + 1,
            problem: "it has no position in the chain: it was written around the platform \
                      after the last start"
                .to_string(),
        }));
    }
    Ok(Verdict::Intact {
        entries: position,
        head: expected_prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            seq: 1,
            id: "a".into(),
            at: 5,
            actor_id: None,
            action: "x.y".into(),
            entity_type: "t".into(),
            entity_id: "e".into(),
            detail_json: "{}".into(),
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_change_the_hash() {
        let base = content().hash(GENESIS);
        assert_eq!(base, content().hash(GENESIS), "deterministic");
        assert_ne!(base, content().hash(&"1".repeat(64)));
        let mut c = content();
        c.actor_id = Some(String::new());
        assert_ne!(base, c.hash(GENESIS), "None and empty differ");
        let mut c = content();
        c.seq = 2;
        assert_ne!(base, c.hash(GENESIS));
        // Moving text between fields changes the hash too.
        let mut c = content();
        c.action = "x".into();
        c.entity_type = ".yt".into();
        assert_ne!(base, c.hash(GENESIS));
    }
}
