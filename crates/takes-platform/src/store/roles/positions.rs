//! Question sets longer than five. Migration 0001 capped
//! `questions.position` at 5 with a CHECK; SQLite cannot alter a CHECK, and
//! one shared migration cannot drop it on both databases, so this step,
//! run once after the migrations, replaces the cap with `position >= 1` in
//! each backend's own way. The process lint warns above five (the seed's
//! advice); `takes_api::process::MAX_QUESTIONS` is the hard limit.

use sqlx::{Acquire, AnyPool, Executor, Row};

/// Lifts the cap on PostgreSQL if it is still there; does nothing otherwise.
pub async fn install_postgres(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let capped = sqlx::query(
        "SELECT 1 FROM pg_constraint WHERE conname = 'questions_position_check' \
         AND conrelid = 'questions'::regclass",
    )
    .fetch_optional(pool)
    .await?
    .is_some();
    if capped {
        sqlx::query(
            "ALTER TABLE questions DROP CONSTRAINT questions_position_check, \
             ADD CONSTRAINT questions_position_positive CHECK (position >= 1)",
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// SQLite's way to change a CHECK: a new table, the rows copied, the old
/// one dropped and the new one renamed, with foreign keys off on this one
/// connection meanwhile (the rows keep their ids, so every reference from
/// responses, scores and calibration items still holds; checked before the
/// commit).
pub async fn install_sqlite(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let sql: String =
        sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'questions'")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    if !sql.contains("BETWEEN 1 AND 5") {
        return Ok(());
    }
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let rebuilt = rebuild(&mut conn).await;
    let restored = conn.execute("PRAGMA foreign_keys = ON").await;
    rebuilt?;
    restored?;
    Ok(())
}

async fn rebuild(conn: &mut sqlx::pool::PoolConnection<sqlx::Any>) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    tx.execute(
        "CREATE TABLE questions_rebuilt (
            id               TEXT PRIMARY KEY,
            question_set_id  TEXT NOT NULL REFERENCES question_sets (id),
            position         BIGINT NOT NULL CHECK (position >= 1),
            prompt           TEXT NOT NULL,
            competency       TEXT NOT NULL,
            time_limit_s     BIGINT NOT NULL CHECK (time_limit_s > 0),
            scale_min        BIGINT NOT NULL,
            scale_max        BIGINT NOT NULL,
            pass_score       BIGINT NOT NULL,
            anchors_json     TEXT NOT NULL,
            thinking_time_s  BIGINT NOT NULL DEFAULT 0 CHECK (thinking_time_s >= 0),
            CHECK (scale_min < scale_max AND pass_score BETWEEN scale_min AND scale_max),
            UNIQUE (question_set_id, position)
        );
        INSERT INTO questions_rebuilt (id, question_set_id, position, prompt, competency,
            time_limit_s, scale_min, scale_max, pass_score, anchors_json, thinking_time_s)
        SELECT id, question_set_id, position, prompt, competency,
            time_limit_s, scale_min, scale_max, pass_score, anchors_json, thinking_time_s
        FROM questions;
        DROP TABLE questions;
        ALTER TABLE questions_rebuilt RENAME TO questions;",
    )
    .await?;
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *tx)
        .await?;
    if !broken.is_empty() {
        // Rolled back when `tx` drops: nothing changes.
        return Err(sqlx::Error::Protocol(format!(
            "rebuilding questions would break {} references; left as it was",
            broken.len()
        )));
    }
    tx.commit().await
}
