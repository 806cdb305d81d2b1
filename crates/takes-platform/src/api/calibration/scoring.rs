//! A participant's scores: each written through the one idempotent score
//! write, then submitted, which locks them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use takes_api::{
    CalibrationScore, CalibrationScoreWrite, CalibrationStatus, CalibrationSubmitReceipt, Problem,
    ScoreWrite, Sheet,
};

use super::access::access;
use crate::api::idempotency::score::{self, Begun, Slot};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::{audit, calibration as store};

/// Records (or replaces) the caller's score for one sample response. With
/// an `Idempotency-Key`, a repeated request stores nothing new and gets the
/// first answer back.
#[utoipa::path(put, path = "/v1/calibration/{id}/items/{item_id}/score", operation_id = "calibration_put_score", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id"),
           ("item_id" = String, Path, description = "Item id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first answer")),
    request_body = CalibrationScoreWrite,
    responses((status = 200, body = CalibrationScore), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_score(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<CalibrationScoreWrite>,
) -> ApiResult<Response> {
    let sheet = Sheet::calibration(&id);
    let mut put = match score::begin(&state, &caller, sheet, &item_id, &headers, &body).await? {
        Begun::Replay(answer) => return Ok(answer),
        Begun::Fresh(put) => put,
    };
    let acc = access(&mut put.w.tx, &caller, &id).await?;
    let submitted_at = acc.participation()?;
    let scale = store::item_scale(&mut put.w.tx, &acc.id, &item_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "item {item_id:?} is not part of calibration session {id}"
            ))
            .with_field("item_id")
        })?;
    acc.require_open(submitted_at, put.now)?;
    let slot = Slot {
        scale,
        duration_s: None,
        pending: false,
    };
    let write = ScoreWrite {
        rating: body.rating,
        muted_rating: None,
        note: body.note,
        evidence: None,
    };
    put.finish(slot, write).await
}

/// Locks the caller's calibration scores; every item must be scored first.
/// Afterwards the caller may read the results.
#[utoipa::path(post, path = "/v1/calibration/{id}/submit", operation_id = "calibration_submit", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationSubmitReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationSubmitReceipt>> {
    let mut w = state.db.begin_write().await?;
    store::lock_participant(&mut w.tx, &id, &caller.id).await?;
    // Read only once the participant row is held: a score write that got
    // it first has committed by now, with an earlier `updated_at`.
    let now = state.clock.now();
    let acc = access(&mut w.tx, &caller, &id).await?;
    let submitted_at = acc.participation()?;
    acc.require_open(submitted_at, now)?;
    // The submit comes first so that it holds the participant row while
    // the completeness check below runs (see `store::calibration::put_score`).
    if !store::submit(&mut w.tx, &acc.id, &caller.id, now).await? {
        return Err(ApiError::conflict(format!(
            "calibration session {id} was already submitted"
        )));
    }
    let unscored = store::unscored_positions(&mut w.tx, &acc.id, &caller.id).await?;
    if !unscored.is_empty() {
        let positions: Vec<String> = unscored.iter().map(i64::to_string).collect();
        // Dropping the transaction undoes the submit above.
        return Err(ApiError::conflict(format!(
            "cannot submit: item{} {} not scored yet",
            if positions.len() == 1 { "" } else { "s" },
            positions.join(", ")
        )));
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "calibration.submitted",
        ("calibration_session", &acc.id),
        serde_json::json!({}),
    )
    .await?;
    w.commit().await?;
    Ok(axum::Json(CalibrationSubmitReceipt {
        session_id: acc.id,
        status: CalibrationStatus::Submitted,
        submitted_at: rfc3339(now),
    }))
}
