//! Calibration ratings for the reliability drift figure: each session's
//! submitted ratings on the questions of the roles in scope, so a session's
//! figures can be read next to live reviewing's (docs/INSIGHTS.md §6).

use sqlx::{AnyConnection, Row};

use super::Scope;
use crate::clock::Millis;
use crate::error::ApiResult;

/// One submitted calibration rating with its session and question set.
#[derive(Debug, Clone)]
pub struct CalibrationRating {
    pub session_id: String,
    pub title: String,
    pub deadline_at: Millis,
    pub question_set_id: String,
    /// "Role v2", as the live figure names the set.
    pub set_name: String,
    pub item_id: String,
    pub user_id: String,
    pub rating: i64,
}

/// Ratings of submitted participants in sessions whose results are out
/// (deadline passed by `now`, or revealed), with a deadline in the scope's
/// period, on questions of the roles in scope.
pub async fn ratings(
    conn: &mut AnyConnection,
    s: &Scope,
    now: Millis,
) -> ApiResult<Vec<CalibrationRating>> {
    let rows = sqlx::query(
        "SELECT cs.id AS session_id, cs.title, cs.deadline_at, qs.id AS set_id, qs.version, \
           r.title AS role_title, ci.id AS item_id, c.user_id, c.rating \
         FROM calibration_scores c \
         JOIN calibration_participants p ON p.session_id = c.session_id AND p.user_id = c.user_id \
         JOIN calibration_sessions cs ON cs.id = c.session_id \
         JOIN calibration_items ci ON ci.id = c.item_id \
         JOIN questions q ON q.id = ci.question_id \
         JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles r ON r.id = qs.job_role_id \
         WHERE p.submitted_at IS NOT NULL AND (cs.deadline_at <= $7 OR cs.revealed_at IS NOT NULL) \
         AND ($1 = 1 OR r.id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
         AND ($3 = '' OR r.id = $3) AND ($4 = '' OR r.department = $4) \
         AND cs.deadline_at >= $5 AND cs.deadline_at < $6 \
         ORDER BY cs.deadline_at, cs.id, ci.position, c.user_id",
    )
    .bind(i64::from(s.all_roles))
    .bind(&s.user_id)
    .bind(&s.role_id)
    .bind(&s.department)
    .bind(s.from)
    .bind(s.to)
    .bind(now)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CalibrationRating {
                session_id: r.try_get("session_id")?,
                title: r.try_get("title")?,
                deadline_at: r.try_get("deadline_at")?,
                question_set_id: r.try_get("set_id")?,
                set_name: format!(
                    "{} v{}",
                    r.try_get::<String, _>("role_title")?,
                    r.try_get::<i64, _>("version")?
                ),
                item_id: r.try_get("item_id")?,
                user_id: r.try_get("user_id")?,
                rating: r.try_get("rating")?,
            })
        })
        .collect()
}
