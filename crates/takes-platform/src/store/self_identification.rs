//! Voluntary self-identification (migration 0022): written by the
//! candidate, read back only as the rows of the adverse-impact aggregate.
//! Nothing else reads this table, and no query here returns a candidate's
//! name, id or interview to the caller: the aggregate rows carry only the
//! answer, the stage reached and the score.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::store::insights::{scoped, Scope};

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

/// One completed interview's answer in one category, with what became of
/// it. No identifier leaves the store.
#[derive(Debug, Clone)]
pub struct ImpactRow {
    pub category: String,
    pub answer: String,
    /// The latest decision: `advance`, `reject`, `hold`, or none.
    pub decision: Option<String>,
    /// Sum and count of the interview's submitted ratings.
    pub score_sum: i64,
    pub score_n: i64,
}

/// The rows of the adverse-impact figures: completed interviews of the
/// scope (same role/department/period rule as the other insights, on
/// invitation time) that have self-identification. Each interview's
/// decision and score total are computed once (grouped), not once per
/// self-identification row by correlated subqueries.
pub async fn impact_rows(
    conn: &mut AnyConnection,
    s: &Scope,
) -> Result<Vec<ImpactRow>, sqlx::Error> {
    let rows = scoped(
        "SELECT s.category, s.answer, x.decision, x.score_sum, x.score_n \
         FROM self_identifications s JOIN (SELECT i.id, \
           (SELECT d.action FROM decisions d WHERE d.interview_id = i.id \
              ORDER BY d.decided_at DESC, d.id DESC LIMIT 1) AS decision, \
           CAST(COALESCE(SUM(sc.rating), 0) AS BIGINT) AS score_sum, \
           CAST(COUNT(sc.rating) AS BIGINT) AS score_n \
         FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
         LEFT JOIN assignments a ON a.interview_id = i.id AND a.status = 'submitted' \
         LEFT JOIN scores sc ON sc.assignment_id = a.id \
         WHERE i.completed_at IS NOT NULL \
         AND ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
         AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
         AND i.invited_at >= $5 AND i.invited_at < $6 \
         AND i.id IN (SELECT s2.interview_id FROM self_identifications s2) \
         GROUP BY i.id) x ON x.id = s.interview_id \
         ORDER BY s.category, s.answer",
        s,
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ImpactRow {
                category: r.try_get("category")?,
                answer: r.try_get("answer")?,
                decision: r.try_get("decision")?,
                score_sum: r.try_get("score_sum")?,
                score_n: r.try_get("score_n")?,
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
