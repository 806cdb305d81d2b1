//! Assignment times for reviewer turnaround, of interviews completed in
//! the scope's period, grouped per reviewer and role in SQL: a group
//! carries its counts and its times packed into text ([`super::packed`]),
//! so 170,000 assignments come back as a few hundred rows.

use sqlx::{AnyConnection, Row};

use super::{completed, packed, scoped_completed, Scope};
use crate::clock::Millis;
use crate::error::ApiResult;

/// One reviewer's assignments on one role's interviews.
#[derive(Debug, Clone, Default)]
pub struct AssignmentGroup {
    pub reviewer_id: String,
    pub reviewer: String,
    pub role_id: String,
    pub title: String,
    pub assignments: i64,
    /// Not submitted and past due at the request's `now`.
    pub overdue: i64,
    /// Completion to first score, ms, of each assignment with a score.
    pub to_first_score_ms: Vec<Millis>,
    /// Completion to submission, ms, of each submitted assignment.
    pub to_submitted_ms: Vec<Millis>,
}

/// The assignments of the scope's interviews grouped per (reviewer, role).
/// A scope's `reviewer_id` keeps only that reviewer's own assignments (the
/// "my reviewing" view). The first score is joined from rows grouped once
/// per assignment, not looked up by a subquery per row.
pub async fn assignment_groups(
    conn: &mut AnyConnection,
    s: &Scope,
    now: Millis,
) -> ApiResult<Vec<AssignmentGroup>> {
    let first = packed::concat(conn, "fs.first_score_at - i.completed_at");
    let submitted = packed::concat(conn, "a.submitted_at - i.completed_at");
    let sql = format!(
        "SELECT a.reviewer_id, u.name, r.id AS role_id, r.title, \
           CAST(COUNT(*) AS BIGINT) AS assignments, \
           CAST(SUM(CASE WHEN a.submitted_at IS NULL AND a.due_at < $8 THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
           {first} AS first_ms, {submitted} AS submitted_ms \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         JOIN job_roles r ON r.id = i.job_role_id JOIN users u ON u.id = a.reviewer_id \
         LEFT JOIN (SELECT sc.assignment_id, MIN(sc.created_at) AS first_score_at FROM scores sc \
              GROUP BY sc.assignment_id) fs ON fs.assignment_id = a.id \
         {} AND ($7 = '' OR a.reviewer_id = $7) \
         GROUP BY a.reviewer_id, u.name, r.id, r.title",
        completed(s)
    );
    let rows = scoped_completed(&sql, s).bind(now).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AssignmentGroup {
                reviewer_id: r.try_get("reviewer_id")?,
                reviewer: r.try_get("name")?,
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                assignments: r.try_get("assignments")?,
                overdue: r.try_get("overdue")?,
                to_first_score_ms: packed::integers(r.try_get("first_ms")?)?,
                to_submitted_ms: packed::integers(r.try_get("submitted_ms")?)?,
            })
        })
        .collect()
}

/// Completion to first decision, ms, once per decided interview of the
/// scope that has an assignment (turnaround is about reviewed interviews).
pub async fn to_decision_ms(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<Millis>> {
    let decided = packed::concat(conn, "fd.first_decision_at - i.completed_at");
    let sql = format!(
        "SELECT {decided} AS ms FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
         JOIN (SELECT d.interview_id, MIN(d.decided_at) AS first_decision_at FROM decisions d \
              GROUP BY d.interview_id) fd ON fd.interview_id = i.id \
         {} AND i.id IN (SELECT a.interview_id FROM assignments a)",
        completed(s)
    );
    let row = scoped_completed(&sql, s).fetch_one(conn).await?;
    packed::integers(row.try_get("ms")?)
}
