//! Routing a completed interview to reviewers: the role's pool, least open
//! work first, so queues stay level.

use sqlx::Row;
use takes_api::WebhookUser;

use crate::clock::{Millis, HOUR};
use crate::error::ApiResult;
use crate::seed::builder;

/// Assigns up to `reviewers_per_interview` reviewers from the role's pool
/// who are not yet on this interview, choosing those with the fewest
/// unsubmitted assignments (ties: by name, then id, so the choice is
/// reproducible). Returns them and the review-by time.
pub async fn assign(
    conn: &mut sqlx::AnyConnection,
    config: &super::config::InvitationConfig,
    now: Millis,
    interview_id: &str,
    role_id: &str,
) -> ApiResult<(Vec<WebhookUser>, Millis)> {
    let due_at = now + config.review_within_hours.max(1) * HOUR;
    let wanted = config.reviewers_per_interview.max(0);
    let rows = sqlx::query(
        "SELECT u.id, u.name, \
           (SELECT COUNT(*) FROM assignments a WHERE a.reviewer_id = u.id AND a.status <> 'submitted') AS open_count \
         FROM role_reviewers rr JOIN users u ON u.id = rr.user_id \
         WHERE rr.job_role_id = $1 \
           AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.interview_id = $2 AND x.reviewer_id = u.id) \
         ORDER BY open_count, u.name, u.id LIMIT $3",
    )
    .bind(role_id)
    .bind(interview_id)
    .bind(wanted)
    .fetch_all(&mut *conn)
    .await?;
    if (rows.len() as i64) < wanted {
        tracing::warn!(
            interview = interview_id,
            role = role_id,
            found = rows.len(),
            wanted,
            "the role's reviewer pool is too small; assigning everyone available"
        );
    }
    let mut chosen = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get("id")?;
        builder::assignment(&mut *conn, interview_id, &id, now, due_at, None).await?;
        chosen.push(WebhookUser {
            id,
            name: r.try_get("name")?,
        });
    }
    Ok((chosen, due_at))
}
