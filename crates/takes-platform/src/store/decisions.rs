//! Recruiters' decisions on interviews.

use sqlx::{AnyConnection, Row};
use takes_api::{Decision, DecisionAction};

use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;

/// The latest decision on an interview, if any.
pub async fn latest(conn: &mut AnyConnection, interview_id: &str) -> ApiResult<Option<Decision>> {
    let row = sqlx::query(
        "SELECT d.id, d.action, d.reason, u.name, d.decided_at FROM decisions d JOIN users u ON u.id = d.decided_by \
         WHERE d.interview_id = $1 ORDER BY d.decided_at DESC, d.id DESC LIMIT 1",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let action: String = row.try_get("action")?;
        Ok(Decision {
            id: row.try_get("id")?,
            interview_id: interview_id.to_string(),
            action: DecisionAction::parse(&action).ok_or_else(|| {
                ApiError::internal(format!("stored decision {action:?} is unknown"))
            })?,
            reason: row.try_get("reason")?,
            decided_by: row.try_get("name")?,
            decided_at: rfc3339(row.try_get("decided_at")?),
        })
    })
    .transpose()
}

/// Records a decision and returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    interview_id: &str,
    action: DecisionAction,
    reason: Option<&str>,
    decided_by: &str,
    now: Millis,
) -> ApiResult<String> {
    let id = new_id();
    sqlx::query("INSERT INTO decisions (id, interview_id, action, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(interview_id)
        .bind(action.as_str())
        .bind(reason.map(str::to_string))
        .bind(decided_by)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Links a decision to the webhook event it raised (the ATS sync state is
/// that event's deliveries).
pub async fn set_event(
    conn: &mut AnyConnection,
    decision_id: &str,
    event_id: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE decisions SET event_id = $1 WHERE id = $2")
        .bind(event_id)
        .bind(decision_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Links a decision to the `decision.made` event it raised.
pub async fn set_made_event(
    conn: &mut AnyConnection,
    decision_id: &str,
    event_id: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE decisions SET made_event_id = $1 WHERE id = $2")
        .bind(event_id)
        .bind(decision_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The webhook events of the interview's latest decision (its
/// `candidate.*` and its `decision.made`, those it has); `None` without a
/// decision.
pub async fn latest_events(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> ApiResult<Option<Vec<String>>> {
    let Some(r) = sqlx::query(
        "SELECT event_id, made_event_id FROM decisions WHERE interview_id = $1 \
         ORDER BY decided_at DESC, id DESC LIMIT 1",
    )
    .bind(interview_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let ids = [
        r.try_get::<Option<String>, _>("event_id")?,
        r.try_get::<Option<String>, _>("made_event_id")?,
    ];
    Ok(Some(ids.into_iter().flatten().collect()))
}
