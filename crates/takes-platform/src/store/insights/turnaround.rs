//! Assignment times for reviewer turnaround, of interviews completed in
//! the scope's period. A scope's `reviewer_id` keeps the interviews that
//! reviewer is assigned to, with every reviewer's rows on them.

use sqlx::{AnyConnection, Row};

use super::{scoped_completed, Scope, COMPLETED};
use crate::clock::Millis;
use crate::error::ApiResult;

const JOINS: &str = "FROM assignments a JOIN interviews i ON i.id = a.interview_id \
     JOIN job_roles r ON r.id = i.job_role_id JOIN users u ON u.id = a.reviewer_id";

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
    let rows = scoped_completed(&sql, s).fetch_all(conn).await?;
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
