//! Outcomes after hire, for downstream validity.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{scoped, Scope};
use crate::clock::Millis;
use crate::error::ApiResult;

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub hired: bool,
    pub performance_6m: Option<f64>,
    pub performance_12m: Option<f64>,
    pub employed_12m: Option<bool>,
}

/// An `outcomes` row; the booleans are stored as 0/1 (the `Any` driver has
/// no boolean column that both databases agree on).
fn outcome(r: &AnyRow) -> Result<Outcome, sqlx::Error> {
    Ok(Outcome {
        hired: r.try_get::<i64, _>("hired")? == 1,
        performance_6m: r.try_get("performance_6m")?,
        performance_12m: r.try_get("performance_12m")?,
        employed_12m: r.try_get::<Option<i64>, _>("employed_12m")?.map(|e| e == 1),
    })
}

/// Sets (or replaces) the outcome of an interview.
pub async fn put(
    conn: &mut AnyConnection,
    interview_id: &str,
    o: &Outcome,
    now: Millis,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO outcomes (interview_id, hired, performance_6m, performance_12m, employed_12m, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (interview_id) DO UPDATE SET hired = $2, \
         performance_6m = $3, performance_12m = $4, employed_12m = $5, updated_at = $6",
    )
    .bind(interview_id)
    .bind(i64::from(o.hired))
    .bind(o.performance_6m)
    .bind(o.performance_12m)
    .bind(o.employed_12m.map(i64::from))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Outcomes of the scope's interviews completed in its period.
pub async fn of_scope(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<(String, Outcome)>> {
    let rows = scoped(
        "SELECT o.interview_id, o.hired, o.performance_6m, o.performance_12m, o.employed_12m \
         FROM outcomes o JOIN interviews i ON i.id = o.interview_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
         AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
         AND i.completed_at >= $5 AND i.completed_at < $6 ORDER BY o.interview_id",
        s,
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("interview_id")?, outcome(r)?)))
        .collect()
}

/// The outcome recorded for an interview, if any.
pub async fn get(conn: &mut AnyConnection, interview_id: &str) -> ApiResult<Option<Outcome>> {
    let row = sqlx::query(
        "SELECT hired, performance_6m, performance_12m, employed_12m FROM outcomes WHERE interview_id = $1",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(outcome).transpose()?)
}

/// Completed interviews (id, role id) of candidates with this email
/// (case-insensitive) in roles the user may see (`all_roles`: every role;
/// else the roles they recruit for).
pub async fn completed_of_candidate(
    conn: &mut AnyConnection,
    email: &str,
    all_roles: bool,
    user_id: &str,
) -> ApiResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT i.id, i.job_role_id FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
         WHERE LOWER(c.email) = LOWER($1) AND i.completed_at IS NOT NULL \
         AND ($2 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $3)) \
         ORDER BY i.id",
    )
    .bind(email)
    .bind(i64::from(all_roles))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("job_role_id")?)))
        .collect()
}

/// The ratings of one question of one interview with an outcome: their sum
/// and count (submitted assignments only), with what labels the question.
#[derive(Debug, Clone)]
pub struct RatedCell {
    pub interview_id: String,
    pub question_id: String,
    pub title: String,
    pub version: i64,
    pub position: i64,
    pub prompt: String,
    pub sum: i64,
    pub n: i64,
}

/// Rating sums per (interview, question) of the scope's interviews that
/// have an outcome, completed in its period: validity needs each cell's
/// mean, not every rating, and only hired candidates' interviews. Ordered
/// as the rating rows are (interview, position), so the first label seen
/// per question is the same.
pub async fn rated_cells(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<RatedCell>> {
    let rows = scoped(
        "SELECT a.interview_id, q.id AS question_id, r.title, qs.version, q.position, q.prompt, \
           CAST(SUM(sc.rating) AS BIGINT) AS total, CAST(COUNT(*) AS BIGINT) AS n \
         FROM outcomes o JOIN interviews i ON i.id = o.interview_id JOIN job_roles r ON r.id = i.job_role_id \
         JOIN assignments a ON a.interview_id = i.id JOIN users u ON u.id = a.reviewer_id \
         JOIN scores sc ON sc.assignment_id = a.id JOIN questions q ON q.id = sc.question_id \
         JOIN question_sets qs ON qs.id = q.question_set_id \
         WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
         AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
         AND i.completed_at >= $5 AND i.completed_at < $6 AND a.status = 'submitted' \
         GROUP BY a.interview_id, q.id, r.title, qs.version, q.position, q.prompt \
         ORDER BY a.interview_id, q.position, q.id",
        s,
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RatedCell {
                interview_id: r.try_get("interview_id")?,
                question_id: r.try_get("question_id")?,
                title: r.try_get("title")?,
                version: r.try_get("version")?,
                position: r.try_get("position")?,
                prompt: r.try_get("prompt")?,
                sum: r.try_get("total")?,
                n: r.try_get("n")?,
            })
        })
        .collect()
}
