//! Assignment times for reviewer turnaround, of interviews completed in
//! the scope's period, grouped per reviewer and role in SQL: a group
//! carries its counts and its times packed into text ([`super::packed`]),
//! so 170,000 assignments come back as a few hundred rows.

use sqlx::{AnyConnection, Row};

use super::{completed, in_order, packed, scoped_completed, Scope};
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
/// "my reviewing" view). Each assignment's first score time is its own
/// column (`first_scored_at`, kept by triggers), not a minimum over a
/// million scores. The interviews drive the join (each one's assignments
/// found by index, in order) and names and titles are joined to the few
/// groups, not to every assignment.
pub async fn assignment_groups(
    conn: &mut AnyConnection,
    s: &Scope,
    now: Millis,
) -> ApiResult<Vec<AssignmentGroup>> {
    let first = packed::concat(conn, "a.first_scored_at - i.completed_at");
    let submitted = packed::concat(conn, "a.submitted_at - i.completed_at");
    let then = in_order(conn);
    let sql = format!(
        "SELECT g.reviewer_id, u.name, g.role_id, r2.title, g.assignments, g.overdue, g.first_ms, g.submitted_ms \
         FROM (SELECT a.reviewer_id, i.job_role_id AS role_id, \
           CAST(COUNT(*) AS BIGINT) AS assignments, \
           CAST(SUM(CASE WHEN a.submitted_at IS NULL AND a.due_at < $8 THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
           {first} AS first_ms, {submitted} AS submitted_ms \
         FROM interviews i {then} assignments a ON a.interview_id = i.id \
         JOIN job_roles r ON r.id = i.job_role_id \
         {} AND ($7 = '' OR a.reviewer_id = $7) \
         GROUP BY a.reviewer_id, i.job_role_id) g \
         JOIN users u ON u.id = g.reviewer_id JOIN job_roles r2 ON r2.id = g.role_id",
        completed(conn, s)
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
        completed(conn, s)
    );
    let row = scoped_completed(&sql, s).fetch_one(conn).await?;
    packed::integers(row.try_get("ms")?)
}
