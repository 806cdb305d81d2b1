//! Voluntary self-identification (migration 0022): written by the
//! candidate, read back only as the rows of the adverse-impact aggregate.
//! Nothing else reads this table, and no query here returns a candidate's
//! name, id or interview to the caller: the aggregate rows carry only the
//! answer, the stage reached and the score.

use sqlx::{AnyConnection, Connection, Row};

use crate::clock::Millis;
use crate::store::insights::{filters, scoped, Scope};

/// Replaces the candidate's answers with `answers` (category, answer):
/// a later submission wins as a whole, so a category left out afterwards
/// is withdrawn rather than kept.
pub async fn replace(
    conn: &mut AnyConnection,
    interview_id: &str,
    text_version: &str,
    answers: &[(String, String)],
    now: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM self_identifications WHERE interview_id = $1")
        .bind(interview_id)
        .execute(&mut *conn)
        .await?;
    for (category, answer) in answers {
        sqlx::query(
            "INSERT INTO self_identifications (interview_id, category, answer, text_version, answered_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(interview_id)
        .bind(category)
        .bind(answer)
        .bind(text_version)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// When the interview was completed, if it was.
pub async fn completed_at(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Option<Millis>, sqlx::Error> {
    let row = sqlx::query("SELECT completed_at FROM interviews WHERE id = $1")
        .bind(interview_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<Millis>, _>("completed_at")?,
        None => None,
    })
}

/// Completed interviews that gave one answer in one category and fared
/// alike: the same latest decision and the same rating sum and count. No
/// identifier leaves the store, only how many interviews share the row.
#[derive(Debug, Clone)]
pub struct ImpactRow {
    pub category: String,
    pub answer: String,
    /// The latest decision: `advance`, `reject`, `hold`, or none.
    pub decision: Option<String>,
    /// Sum and count of each interview's submitted ratings.
    pub score_sum: i64,
    pub score_n: i64,
    /// How many interviews this row stands for.
    pub interviews: i64,
}

/// The rows of the adverse-impact figures: completed interviews of the
/// scope (same role/department/period rule as the other insights, on
/// invitation time) that have self-identification, counted per (category,
/// answer, decision, score sum and count): every figure is a count or a
/// function of each interview's mean, so alike interviews share a row.
/// Each interview's latest decision and score total are computed once
/// (grouped), not per self-identification row.
pub async fn impact_rows(
    conn: &mut AnyConnection,
    s: &Scope,
) -> Result<Vec<ImpactRow>, sqlx::Error> {
    // Each interview's rating sum comes from its submitted assignments'
    // kept totals (migration 0026), not from its scores. Its latest
    // decision: SQLite probes the decisions index once per interview, as
    // written (0.63 s at 100,000 interviews; a window was 0.94 s). On
    // PostgreSQL that probe and its sort cost about 6 µs per interview
    // (0.33 s), so there every interview's decisions are numbered once, in
    // one window, and the latest joined (0.45-0.6 s for the statement).
    // At most one decision row per interview joins, so `MAX` only picks it
    // out and the sums are not repeated.
    let postgres = conn.backend_name() == "PostgreSQL";
    let (decision, latest) = if postgres {
        (
            "MAX(ld.action)",
            "LEFT JOIN (SELECT d.interview_id, d.action, ROW_NUMBER() OVER \
               (PARTITION BY d.interview_id ORDER BY d.decided_at DESC, d.id DESC) AS k \
               FROM decisions d) ld ON ld.interview_id = i.id AND ld.k = 1",
        )
    } else {
        (
            "(SELECT d.action FROM decisions d WHERE d.interview_id = i.id \
               ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)",
            "",
        )
    };
    let sql = format!(
        "SELECT s.category, s.answer, x.decision, x.score_sum, x.score_n, \
           CAST(COUNT(*) AS BIGINT) AS interviews \
         FROM self_identifications s JOIN (SELECT i.id, {decision} AS decision, \
           CAST(COALESCE(SUM(a.rating_sum), 0) AS BIGINT) AS score_sum, \
           CAST(COALESCE(SUM(a.rating_n), 0) AS BIGINT) AS score_n \
         FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
         LEFT JOIN assignments a ON a.interview_id = i.id AND a.status = 'submitted' \
         {latest} \
         WHERE i.completed_at IS NOT NULL AND {} \
         AND i.id IN (SELECT s2.interview_id FROM self_identifications s2) \
         GROUP BY i.id) x ON x.id = s.interview_id \
         GROUP BY s.category, s.answer, x.decision, x.score_sum, x.score_n",
        filters(conn, s, "i.invited_at")
    );
    let rows = if postgres {
        // The final grouping is of 211,090 rows at 100,000 interviews, into
        // a few thousand groups the planner cannot foresee: with the
        // default 4 MB it sorts them (0.7-0.85 s), with 16 MB it hashes
        // them (0.6 s). Only for this statement's transaction.
        let mut tx = conn.begin().await?;
        sqlx::query("SET LOCAL work_mem = '16MB'")
            .execute(&mut *tx)
            .await?;
        let rows = scoped(&sql, s).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows
    } else {
        scoped(&sql, s).fetch_all(conn).await?
    };
    rows.iter()
        .map(|r| {
            Ok(ImpactRow {
                category: r.try_get("category")?,
                answer: r.try_get("answer")?,
                decision: r.try_get("decision")?,
                score_sum: r.try_get("score_sum")?,
                score_n: r.try_get("score_n")?,
                interviews: r.try_get("interviews")?,
            })
        })
        .collect()
}

/// Completed interviews with their candidate's name, in name order: the
/// demo seed gives some of them self-identification.
pub async fn completed_by_name(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.id, c.name FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
         WHERE i.completed_at IS NOT NULL ORDER BY c.name, i.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}
