//! What admins see of the completion notices owed to Greenhouse: which
//! were delivered, which are being retried, and which Greenhouse refused
//! (a hired or inactive candidate) with its answer, so nobody waits for a
//! result that will never show up there.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use takes_api::{Problem, UserRole};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;
use crate::store::ats as store;

/// One completion PATCH owed to Greenhouse.
#[derive(Debug, Serialize, ToSchema)]
pub struct GreenhouseNotice {
    /// Our interview id (the `partner_interview_id` Greenhouse knows).
    pub partner_interview_id: String,
    /// `pending` (due or being retried), `delivered`, or `dead`: refused
    /// by Greenhouse (4xx, not retried) or given up after a week.
    pub state: String,
    pub attempts: i64,
    /// Greenhouse's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GreenhouseNoticeList {
    /// Newest first, at most 200.
    pub items: Vec<GreenhouseNotice>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeParams {
    /// `pending`, `delivered` or `dead`.
    state: Option<String>,
}

/// Completion notices owed to Greenhouse and what came of them (admins).
#[utoipa::path(get, path = "/v1/ats/greenhouse/notices", tag = "ats", params(NoticeParams),
    responses((status = 200, body = GreenhouseNoticeList), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_notices(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<NoticeParams>,
) -> ApiResult<axum::Json<GreenhouseNoticeList>> {
    if caller.role != UserRole::Admin {
        return Err(ApiError::forbidden(format!(
            "ATS notices are for admins; {} is a {}",
            caller.name,
            caller.role.as_str()
        )));
    }
    let filter = match params.state.as_deref() {
        None | Some("") => None,
        Some(s @ ("pending" | "delivered" | "dead")) => Some(s.to_string()),
        Some(s) => {
            return Err(ApiError::invalid(
                "state",
                format!("state {s:?} is not one of pending, delivered, dead"),
            ))
        }
    };
    let rows = store::notices(&state.db, filter.as_deref(), 200).await?;
    Ok(axum::Json(GreenhouseNoticeList {
        items: rows
            .into_iter()
            .map(|n| GreenhouseNotice {
                partner_interview_id: n.interview_id,
                state: n.state,
                attempts: n.attempts,
                last_status: n.last_status,
                last_error: n.last_error,
                last_attempt_at: n.last_attempt_at.map(rfc3339),
                created_at: rfc3339(n.created_at),
            })
            .collect(),
    }))
}
