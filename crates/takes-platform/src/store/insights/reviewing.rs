//! Reviewing rows for the insights: assignments with their times (for
//! turnaround) and submitted ratings (for distributions, leniency, halo and
//! the muted-first shift), of interviews completed in the scope's period.
//! A scope's `reviewer_id` keeps the interviews that reviewer is assigned
//! to, with every reviewer's rows on them: a reviewer's own leniency is
//! measured against the others on the same answers.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::Scope;
use crate::clock::Millis;
use crate::error::ApiResult;

const JOINS: &str = "FROM assignments a JOIN interviews i ON i.id = a.interview_id \
     JOIN job_roles r ON r.id = i.job_role_id JOIN users u ON u.id = a.reviewer_id";

/// Interviews completed in the period, with the assignment filter: binds
/// `$1` to `$7`.
const COMPLETED: &str = "WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
     AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
     AND i.completed_at >= $5 AND i.completed_at < $6 AND ($7 = '' OR i.id IN (SELECT a2.interview_id FROM assignments a2 WHERE a2.reviewer_id = $7))";

fn scoped<'q>(sql: &'q str, s: &'q Scope) -> Query<'q, Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(i64::from(s.all_roles))
        .bind(&s.user_id)
        .bind(&s.role_id)
        .bind(&s.department)
        .bind(s.from)
        .bind(s.to)
        .bind(&s.reviewer_id)
}

#[derive(Debug, Clone)]
pub struct AssignmentTimes {
    pub interview_id: String,
    pub reviewer_id: String,
    pub reviewer: String,
    pub role_id: String,
    pub title: String,
    pub completed_at: Millis,
    pub first_score_at: Option<Millis>,
    pub submitted_at: Option<Millis>,
    pub due_at: Millis,
    pub first_decision_at: Option<Millis>,
}

/// The first score and first decision are joined from rows grouped once
/// per assignment and interview, not looked up by a subquery per row.
pub async fn assignment_times(
    conn: &mut AnyConnection,
    s: &Scope,
) -> ApiResult<Vec<AssignmentTimes>> {
    let sql = format!(
        "SELECT a.interview_id, a.reviewer_id, u.name, r.id AS role_id, r.title, i.completed_at, \
           fs.first_score_at, a.submitted_at, a.due_at, fd.first_decision_at \
         {JOINS} \
         LEFT JOIN (SELECT sc.assignment_id, MIN(sc.created_at) AS first_score_at FROM scores sc \
              GROUP BY sc.assignment_id) fs ON fs.assignment_id = a.id \
         LEFT JOIN (SELECT d.interview_id, MIN(d.decided_at) AS first_decision_at FROM decisions d \
              GROUP BY d.interview_id) fd ON fd.interview_id = i.id \
         {COMPLETED} ORDER BY u.name, a.id"
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AssignmentTimes {
                interview_id: r.try_get("interview_id")?,
                reviewer_id: r.try_get("reviewer_id")?,
                reviewer: r.try_get("name")?,
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                completed_at: r.try_get("completed_at")?,
                first_score_at: r.try_get("first_score_at")?,
                submitted_at: r.try_get("submitted_at")?,
                due_at: r.try_get("due_at")?,
                first_decision_at: r.try_get("first_decision_at")?,
            })
        })
        .collect()
}

/// One submitted rating with what the figures group it by.
#[derive(Debug, Clone)]
pub struct RatingRow {
    pub reviewer_id: String,
    pub reviewer: String,
    pub interview_id: String,
    pub question_id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub scale_min: i64,
    pub scale_max: i64,
    pub question_set_id: String,
    pub version: i64,
    pub role_id: String,
    pub title: String,
    pub rating: i64,
    pub muted_rating: Option<i64>,
    pub submitted_at: Millis,
}

/// Ratings of submitted assignments only: a draft is not yet a judgement.
pub async fn ratings(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<RatingRow>> {
    let sql = format!(
        "SELECT a.reviewer_id, u.name, a.interview_id, q.id AS question_id, q.position, q.prompt, \
           q.competency, q.scale_min, q.scale_max, qs.id AS set_id, qs.version, r.id AS role_id, r.title, \
           sc.rating, sc.muted_rating, a.submitted_at \
         {JOINS} JOIN scores sc ON sc.assignment_id = a.id JOIN questions q ON q.id = sc.question_id \
         JOIN question_sets qs ON qs.id = q.question_set_id \
         {COMPLETED} AND a.status = 'submitted' ORDER BY a.interview_id, q.position, u.name"
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(RatingRow {
                reviewer_id: r.try_get("reviewer_id")?,
                reviewer: r.try_get("name")?,
                interview_id: r.try_get("interview_id")?,
                question_id: r.try_get("question_id")?,
                position: r.try_get("position")?,
                prompt: r.try_get("prompt")?,
                competency: r.try_get("competency")?,
                scale_min: r.try_get("scale_min")?,
                scale_max: r.try_get("scale_max")?,
                question_set_id: r.try_get("set_id")?,
                version: r.try_get("version")?,
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                rating: r.try_get("rating")?,
                muted_rating: r.try_get("muted_rating")?,
                submitted_at: r.try_get("submitted_at")?,
            })
        })
        .collect()
}
