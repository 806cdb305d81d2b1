//! What admins see of the write-backs owed to Lever (notes, tags, stage
//! moves): delivered, being retried, or failed with Lever's answer; and
//! the retry of a failed one once its cause is fixed (a key given the
//! missing permission, say).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use takes_api::{Problem, UserRole};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::store::audit;
use crate::store::lever_writeback as store;

/// One call owed to the Lever API.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeverWriteback {
    pub id: String,
    pub interview_id: String,
    /// The Lever opportunity.
    pub opportunity_id: String,
    /// What owes it: `reviewed:{interview id}` (every review in) or
    /// `decision:{decision id}`.
    pub event: String,
    /// `note` (`POST /v1/opportunities/{id}/notes`), `tags` (`addTags`)
    /// or `stage` (`PUT …/stage`).
    pub action: String,
    /// `pending` (due or being retried), `delivered`, or `failed`: refused
    /// by Lever (4xx other than 408/429, not retried) or given up after
    /// about three days of retries.
    pub state: String,
    pub attempts: i64,
    /// Lever's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// RFC 3339.
    pub last_attempt_at: Option<String>,
    /// When it is tried next (RFC 3339); only while `pending`.
    pub next_attempt_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; once delivered or failed.
    pub finished_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeverWritebackList {
    /// Newest first, at most 200.
    pub items: Vec<LeverWriteback>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WritebackParams {
    /// `pending`, `delivered` or `failed`.
    state: Option<String>,
}

fn view(r: store::Listed) -> LeverWriteback {
    LeverWriteback {
        next_attempt_at: (r.state == "pending").then(|| rfc3339(r.next_attempt_at)),
        id: r.id,
        interview_id: r.interview_id,
        opportunity_id: r.opportunity_id,
        event: r.event_key,
        action: r.action,
        state: r.state,
        attempts: r.attempts,
        last_status: r.last_status,
        last_error: r.last_error,
        last_attempt_at: r.last_attempt_at.map(rfc3339),
        created_at: rfc3339(r.created_at),
        finished_at: r.finished_at.map(rfc3339),
    }
}

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.role == UserRole::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "Lever write-backs are for admins; {} is a {}",
            caller.name,
            caller.role.as_str()
        )))
    }
}

/// Write-backs owed to Lever and what came of them (admins).
#[utoipa::path(get, path = "/v1/ats/lever/writebacks", tag = "ats", params(WritebackParams),
    responses((status = 200, body = LeverWritebackList), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_writebacks(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<WritebackParams>,
) -> ApiResult<axum::Json<LeverWritebackList>> {
    require_admin(&caller)?;
    let filter = match params.state.as_deref() {
        None | Some("") => None,
        Some(s @ ("pending" | "delivered" | "failed")) => Some(s),
        Some(s) => {
            return Err(ApiError::invalid(
                "state",
                format!("state {s:?} is not one of pending, delivered, failed"),
            ))
        }
    };
    let rows = store::list(&state.db, filter, 200).await?;
    Ok(axum::Json(LeverWritebackList {
        items: rows.into_iter().map(view).collect(),
    }))
}

/// Sends a failed write-back again, on a fresh retry schedule (admins).
#[utoipa::path(post, path = "/v1/ats/lever/writebacks/{id}/retry", tag = "ats",
    params(("id" = String, Path, description = "Write-back id")),
    responses((status = 200, body = LeverWriteback), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "Only a failed write-back is retried", body = Problem)))]
pub async fn retry_writeback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<LeverWriteback>> {
    require_admin(&caller)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let before = store::by_id(&mut w.tx, &id).await?.ok_or_else(|| {
        ApiError::not_found(format!("no Lever write-back {id:?}")).with_field("id")
    })?;
    if !store::retry(&mut w.tx, &id, now).await? {
        return Err(ApiError::conflict(format!(
            "Lever write-back {id:?} is {}; only a failed one is retried",
            before.state
        ))
        .with_field("id"));
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "lever_writeback.retried",
        ("lever_writeback", &id),
        serde_json::json!({"interview_id": before.interview_id, "action": before.action,
                           "attempts": before.attempts, "last_status": before.last_status,
                           "last_error": before.last_error}),
    )
    .await?;
    let after = store::by_id(&mut w.tx, &id)
        .await?
        .ok_or_else(|| ApiError::internal("the write-back vanished during its retry"))?;
    w.commit().await?;
    Ok(axum::Json(view(after)))
}
