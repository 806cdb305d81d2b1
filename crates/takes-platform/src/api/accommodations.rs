//! Accommodations for one candidate: a longer window, more time per
//! question, more retakes, answering by voice only. Granted by admins and
//! the recruiters of the interview's role; reviewers never see them (what
//! a candidate needed is not theirs to weigh). The candidate's endpoints
//! apply them (`candidate::terms`), so the page and the server agree.

use axum::extract::State;
use sqlx::AnyConnection;
use takes_api::accommodations::{
    AccommodationRequest, Accommodations, MAX_EXTRA_RETAKES, MAX_EXTRA_SECONDS_PER_QUESTION,
    MAX_EXTRA_WINDOW_HOURS,
};
use takes_api::{Problem, UserRole};

use crate::auth::Caller;
use crate::clock::{rfc3339, Millis, HOUR};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::accommodations::{self as store, Granted};
use crate::store::audit;

const NOTE_MAX_CHARS: usize = 500;

/// The interview's accommodations (admins and the role's recruiters).
#[utoipa::path(get, path = "/v1/invitations/{id}/accommodations", tag = "invitations",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = Accommodations), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_accommodations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Accommodations>> {
    caller.require_decider()?;
    let mut conn = state.db.pool.acquire().await?;
    let (_, expires_at) = authorize(&mut conn, &caller, &id).await?;
    let granted = store::get(&mut conn, &id).await?;
    Ok(axum::Json(view(&id, &granted, expires_at)))
}

/// Grants accommodations to one candidate, replacing the previous grant
/// (zero takes one back). The window moves by the change in
/// `extra_window_hours`; time limits and retakes apply to every answer
/// not yet stored. Audited with what it replaced.
#[utoipa::path(put, path = "/v1/invitations/{id}/accommodations", tag = "invitations",
    params(("id" = String, Path, description = "Interview id")),
    request_body = AccommodationRequest,
    responses((status = 200, body = Accommodations, description = "Granted"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The interview is completed or closed"),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_accommodations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<AccommodationRequest>,
) -> ApiResult<axum::Json<Accommodations>> {
    caller.require_decider()?;
    let wanted = validate(body)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    store::lock_interview(&mut w.tx, &id).await?;
    let (status, expires_at) = authorize(&mut w.tx, &caller, &id).await?;
    if !matches!(status.as_str(), "invited" | "started") || expires_at <= now {
        return Err(ApiError::conflict(format!(
            "interview {id:?} is {}: accommodations apply only while the candidate can still answer",
            if matches!(status.as_str(), "invited" | "started") { "past its deadline" } else { status.as_str() }
        ))
        .with_field("id"));
    }
    let before = store::get(&mut w.tx, &id).await?;
    let moved = expires_at + (wanted.extra_window_hours - before.extra_window_hours) * HOUR;
    if moved <= now {
        return Err(ApiError::invalid(
            "extra_window_hours",
            format!(
                "taking back that much of the extension would close the interview now (deadline {}); \
                 keep at least enough hours for the candidate to finish",
                rfc3339(moved)
            ),
        ));
    }
    store::put(&mut w.tx, &id, &wanted, &caller.id, now, moved).await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "accommodation.granted",
            entity_type: "interview",
            entity_id: &id,
            detail: serde_json::json!({
                "before": figures(&before),
                "after": figures(&wanted),
                "note": wanted.note,
                "expires_at": {"before": rfc3339(expires_at), "after": rfc3339(moved)},
            }),
        },
    )
    .await?;
    w.commit().await?;
    let granted = Granted {
        granted_by: Some(caller.name.clone()),
        granted_at: Some(now),
        ..wanted
    };
    Ok(axum::Json(view(&id, &granted, moved)))
}

/// `(status, expires at)` once the caller may act on interview `id`: 404
/// for an unknown one, 403 for a recruiter of other roles.
async fn authorize(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(String, Millis)> {
    let Some((role, status, expires_at)) = store::interview(conn, id).await? else {
        return Err(ApiError::not_found(format!("no interview {id:?}")).with_field("id"));
    };
    if caller.role != UserRole::Admin && !store::recruits_for(conn, &caller.id, &role).await? {
        return Err(ApiError::forbidden(format!(
            "{} does not recruit for this interview's role; only its recruiters and admins grant accommodations",
            caller.name
        )));
    }
    Ok((status, expires_at))
}

fn validate(body: AccommodationRequest) -> ApiResult<Granted> {
    let range = |field: &str, value: i64, max: i64| {
        if (0..=max).contains(&value) {
            Ok(value)
        } else {
            Err(ApiError::invalid(
                field,
                format!("{field} must be from 0 to {max}, not {value}"),
            ))
        }
    };
    let note = body
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(n) = &note {
        crate::extract::check_text("note", n)?;
        let count = n.chars().count();
        if count > NOTE_MAX_CHARS {
            return Err(ApiError::invalid(
                "note",
                format!("note has {count} characters; the limit is {NOTE_MAX_CHARS}"),
            ));
        }
    }
    Ok(Granted {
        extra_window_hours: range(
            "extra_window_hours",
            body.extra_window_hours,
            MAX_EXTRA_WINDOW_HOURS,
        )?,
        extra_seconds_per_question: range(
            "extra_seconds_per_question",
            body.extra_seconds_per_question,
            MAX_EXTRA_SECONDS_PER_QUESTION,
        )?,
        extra_retakes: range("extra_retakes", body.extra_retakes, MAX_EXTRA_RETAKES)?,
        audio_only: body.audio_only,
        note,
        granted_by: None,
        granted_at: None,
    })
}

fn figures(g: &Granted) -> serde_json::Value {
    serde_json::json!({
        "extra_window_hours": g.extra_window_hours,
        "extra_seconds_per_question": g.extra_seconds_per_question,
        "extra_retakes": g.extra_retakes,
        "audio_only": g.audio_only,
    })
}

fn view(id: &str, g: &Granted, expires_at: Millis) -> Accommodations {
    Accommodations {
        interview_id: id.to_string(),
        extra_window_hours: g.extra_window_hours,
        extra_seconds_per_question: g.extra_seconds_per_question,
        extra_retakes: g.extra_retakes,
        audio_only: g.audio_only,
        note: g.note.clone(),
        expires_at: rfc3339(expires_at),
        granted_by: g.granted_by.clone(),
        granted_at: g.granted_at.map(rfc3339),
    }
}
