//! Discussion notes on items, which follow the results.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use takes_api::{CalibrationNote, CalibrationNoteWrite, Problem};

use super::access::access;
use crate::api::idempotency::score::check_note;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::{audit, calibration as store};

/// Adds a discussion note to one item; allowed once the caller can read the
/// results, so discussion never precedes independent scoring.
#[utoipa::path(post, path = "/v1/calibration/{id}/items/{item_id}/notes", operation_id = "calibration_add_note", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id"),
           ("item_id" = String, Path, description = "Item id")),
    request_body = CalibrationNoteWrite,
    responses((status = 201, body = CalibrationNote), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item_id)): Path<(String, String)>,
    Json(body): Json<CalibrationNoteWrite>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    acc.gate().check(now).map_err(|e| {
        ApiError::forbidden(format!("discussion notes follow the results: {}", e.detail))
    })?;
    if !store::item_exists(&mut w.tx, &acc.id, &item_id).await? {
        return Err(ApiError::not_found(format!(
            "item {item_id:?} is not part of calibration session {id}"
        ))
        .with_field("item_id"));
    }
    check_note("text", &body.text)?;
    let text = body.text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid("text", "text is empty"));
    }
    let note_id = store::add_note(&mut w.tx, &acc.id, &item_id, &caller.id, text, now).await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "calibration.note_added",
        ("calibration_session", &acc.id),
        serde_json::json!({"item_id": item_id, "note_id": note_id, "text": text}),
    )
    .await?;
    w.commit().await?;
    let note = CalibrationNote {
        id: note_id,
        item_id,
        author_id: caller.id,
        author_name: caller.name,
        text: text.to_string(),
        created_at: rfc3339(now),
    };
    Ok((StatusCode::CREATED, axum::Json(note)).into_response())
}
