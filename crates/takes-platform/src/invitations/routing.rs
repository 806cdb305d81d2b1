//! Routing a completed interview to reviewers: the role's pool, least open
//! work first, so queues stay level.

use crate::store::assignments;
use takes_api::WebhookUser;

use crate::clock::Millis;
use crate::error::ApiResult;
use crate::store::invitations as store;

/// Assigns up to `reviewers_per_interview` (the role's own, else the
/// server's) active reviewers from the role's pool who are not yet on this
/// interview, choosing those with the fewest
/// unsubmitted assignments (ties: by name, then id, so the choice is
/// reproducible). Returns them and the review-by time.
pub async fn assign(
    conn: &mut sqlx::AnyConnection,
    config: &super::config::InvitationConfig,
    now: Millis,
    interview_id: &str,
    role_id: &str,
) -> ApiResult<(Vec<WebhookUser>, Millis)> {
    let due_at = crate::candidate::acknowledgement::review_by(config, now);
    let wanted = store::reviewers_per_interview(conn, role_id)
        .await?
        .unwrap_or(config.reviewers_per_interview)
        .max(0);
    let rows = store::least_busy_reviewers(conn, role_id, interview_id, wanted).await?;
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
    for reviewer in rows {
        assignments::assignment(&mut *conn, interview_id, &reviewer.id, now, due_at, None).await?;
        chosen.push(reviewer);
    }
    Ok((chosen, due_at))
}
