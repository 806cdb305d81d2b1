//! Outcomes after hire, for downstream validity.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use std::collections::{BTreeMap, HashMap};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};

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

/// One interview of the scope with an outcome and submitted ratings: the
/// outcome, and per question of its set the sum and count of the ratings.
#[derive(Debug, Clone)]
pub struct RatedInterview {
    pub interview_id: String,
    pub outcome: Outcome,
    pub question_set_id: String,
    /// `[position, sum, n]` per rated question of the set.
    pub cells: Vec<[i64; 3]>,
}

/// What labels a question in the validity report.
#[derive(Debug, Clone)]
pub struct QuestionLabel {
    pub id: String,
    pub question_set_id: String,
    pub position: i64,
    pub title: String,
    pub version: i64,
    pub prompt: String,
}

/// Every recorded outcome, by interview id (a few per cent of the
/// interviews: 22,545 of 101,088 in the benchmark's organisation). Their
/// ratings come from the ratings rollup, not from SQL: grouping the hired
/// candidates' 336,000 scores per request took 0.6-0.7 s on PostgreSQL.
pub async fn all(conn: &mut AnyConnection) -> ApiResult<Vec<(String, Outcome)>> {
    let rows = sqlx::query(
        "SELECT interview_id, hired, performance_6m, performance_12m, employed_12m FROM outcomes",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("interview_id")?, outcome(r)?)))
        .collect()
}

/// The rated interviews of validity: each interview with an outcome and
/// cells, per question set, its cells as `[position, sum, n]`. `cells` are
/// `(interview id, question id, sum, count)` of the submitted ratings of
/// the scope's interviews (the ratings rollup's
/// [`super::rollup::Rollup::cell_sums`]); `labels` name each question's
/// set and position.
pub fn rated_interviews(
    outcomes: Vec<(String, Outcome)>,
    cells: Vec<(String, String, i64, i64)>,
    labels: &[QuestionLabel],
) -> ApiResult<Vec<RatedInterview>> {
    let by_id: HashMap<&str, &QuestionLabel> = labels.iter().map(|q| (q.id.as_str(), q)).collect();
    let outcomes: HashMap<String, Outcome> = outcomes.into_iter().collect();
    let mut rated: BTreeMap<(String, String), Vec<[i64; 3]>> = BTreeMap::new();
    for (interview, question, sum, n) in cells {
        let q = by_id.get(question.as_str()).ok_or_else(|| {
            ApiError::internal(format!("question {question} of a held rating is gone"))
        })?;
        rated
            .entry((interview, q.question_set_id.clone()))
            .or_default()
            .push([q.position, sum, n]);
    }
    rated
        .into_iter()
        .filter_map(|((interview_id, question_set_id), cells)| {
            let outcome = outcomes.get(&interview_id)?.clone();
            Some(Ok(RatedInterview {
                interview_id,
                outcome,
                question_set_id,
                cells,
            }))
        })
        .collect()
}

/// Every question's labels (a few hundred rows at most).
pub async fn question_labels(conn: &mut AnyConnection) -> ApiResult<Vec<QuestionLabel>> {
    let rows = sqlx::query(
        "SELECT q.id, q.question_set_id AS set_id, q.position, r.title, qs.version, q.prompt \
         FROM questions q JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles r ON r.id = qs.job_role_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(QuestionLabel {
                id: r.try_get("id")?,
                question_set_id: r.try_get("set_id")?,
                position: r.try_get("position")?,
                title: r.try_get("title")?,
                version: r.try_get("version")?,
                prompt: r.try_get("prompt")?,
            })
        })
        .collect()
}
