//! What the insights need of an assignment's scores, kept on the
//! assignment (migration 0026): `first_scored_at` = MIN(created_at),
//! `rating_sum` = SUM(rating), `rating_n` = COUNT(*). The database keeps
//! them, by triggers, so every write (a reviewer's score, a draft's
//! rewrite, the seed's bulk rows, a withdrawal deleting a sheet, a cascade)
//! keeps them exact without each write remembering to. Triggers are
//! spelled differently by the two databases, so they are installed at start
//! (idempotently) rather than by the shared migration.

use sqlx::{AnyConnection, AnyPool, Executor, Row};

/// Adds a score's rating and lowers the first score time to it.
fn added(row: &str) -> String {
    format!(
        "UPDATE assignments SET rating_sum = rating_sum + {row}.rating, rating_n = rating_n + 1, \
           first_scored_at = CASE WHEN first_scored_at IS NULL OR first_scored_at > {row}.created_at \
             THEN {row}.created_at ELSE first_scored_at END \
         WHERE id = {row}.assignment_id"
    )
}

/// Takes a score's rating away; when the score set the first score time,
/// the time is found again among the scores that remain (the trigger runs
/// after the row is gone or changed).
fn removed(row: &str) -> String {
    format!(
        "UPDATE assignments SET rating_sum = rating_sum - {row}.rating, rating_n = rating_n - 1, \
           first_scored_at = CASE WHEN first_scored_at >= {row}.created_at \
             THEN (SELECT MIN(sc.created_at) FROM scores sc WHERE sc.assignment_id = {row}.assignment_id) \
             ELSE first_scored_at END \
         WHERE id = {row}.assignment_id"
    )
}

/// The columns a change to a score must be followed on.
const FOLLOWED: &str = "rating, created_at, assignment_id";

pub async fn install(pool: &AnyPool, postgres: bool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    if postgres {
        install_postgres(&mut conn).await
    } else {
        install_sqlite(&mut conn).await
    }
}

async fn install_sqlite(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for (name, event, body) in [
        (
            "scores_totals_on_insert",
            "AFTER INSERT ON scores".to_string(),
            format!("{};", added("NEW")),
        ),
        (
            "scores_totals_on_delete",
            "AFTER DELETE ON scores".to_string(),
            format!("{};", removed("OLD")),
        ),
        (
            "scores_totals_on_update",
            format!("AFTER UPDATE OF {FOLLOWED} ON scores"),
            format!("{}; {};", removed("OLD"), added("NEW")),
        ),
    ] {
        conn.execute(
            format!("CREATE TRIGGER IF NOT EXISTS {name} {event} BEGIN {body} END").as_str(),
        )
        .await?;
    }
    Ok(())
}

async fn install_postgres(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // The function is replaced at every start so the rule stays the
    // current one; the triggers only point at it.
    sqlx::query(&format!(
        "CREATE OR REPLACE FUNCTION takes_scores_totals() RETURNS trigger \
         LANGUAGE plpgsql AS $$ BEGIN \
           IF TG_OP = 'INSERT' THEN {}; \
           ELSIF TG_OP = 'DELETE' THEN {}; \
           ELSE {}; {}; \
           END IF; \
           RETURN NULL; \
         END $$",
        added("NEW"),
        removed("OLD"),
        removed("OLD"),
        added("NEW"),
    ))
    .execute(&mut *conn)
    .await?;
    for (name, event) in [
        (
            "scores_totals_on_write",
            "AFTER INSERT OR DELETE ON scores".to_string(),
        ),
        (
            "scores_totals_on_update",
            format!("AFTER UPDATE OF {FOLLOWED} ON scores"),
        ),
    ] {
        let present: i64 = sqlx::query(
            "SELECT COUNT(*) FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'scores'::regclass",
        )
        .bind(name)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        if present == 0 {
            sqlx::query(&format!(
                "CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION takes_scores_totals()"
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
