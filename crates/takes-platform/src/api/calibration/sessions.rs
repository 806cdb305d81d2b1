//! Sessions: listing them, creating one (admins), and one session's items
//! with the caller's own scores.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use takes_api::{
    CalibrationCreate, CalibrationPage, CalibrationSession, CalibrationSummary, Problem, UserRole,
};
use utoipa::IntoParams;

use super::access::{access, Access, Gate};
use crate::auth::Caller;
use crate::calibration::status_of;
use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{check_text, Json, Query};
use crate::state::AppState;
use crate::store::calibration::{self as store, NewSession};
use crate::store::page::PageRequest;

const TITLE_MAX_CHARS: usize = 200;
/// Fewer than two participants cannot disagree; fifty is far past any
/// calibration panel and keeps one request's work bounded.
const PARTICIPANTS: std::ops::RangeInclusive<usize> = 2..=50;
/// Calibration uses a handful of samples (three is the usual advice).
const ITEMS: std::ops::RangeInclusive<usize> = 1..=50;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalibrationParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `all`: every session, not only the caller's (admins), for following
    /// reliability from session to session.
    include: Option<String>,
}

/// Calibration sessions the caller takes part in, newest first; with
/// `include=all`, every session (admins only).
#[utoipa::path(get, path = "/v1/calibration", operation_id = "calibration_list", tag = "calibration", params(CalibrationParams),
    responses((status = 200, body = CalibrationPage), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<CalibrationParams>,
) -> ApiResult<axum::Json<CalibrationPage>> {
    PageRequest::check_limit(params.limit)?;
    let all = match params.include.as_deref() {
        None | Some("") => false,
        Some("all") if caller.role == UserRole::Admin => true,
        Some("all") => {
            return Err(ApiError::forbidden(format!(
                "include=all lists every session and needs the admin role; {} is a {}",
                caller.name,
                caller.role.as_str()
            )))
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "include",
                format!("include {other:?} is not `all`"),
            ))
        }
    };
    let page = PageRequest::descending(params.limit, params.cursor.as_deref())?;
    let mut conn = state.db.pool.acquire().await?;
    let (rows, next_cursor) = store::list(&mut conn, &caller.id, all, &page).await?;
    let now = state.clock.now();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let gate = Gate {
            participant: row.participant,
            submitted: row.submitted_at.is_some(),
            revealed: row.revealed_at.is_some(),
            deadline_at: row.deadline_at,
            admin: caller.role == UserRole::Admin,
        };
        let results_visible = gate.check(now).is_ok();
        let alpha_ordinal = if results_visible {
            let (_, table) = store::submitted_table(&mut conn, &row.id).await?;
            let rows: Vec<Vec<Option<f64>>> = table
                .iter()
                .map(|u| u.iter().map(|v| v.map(|x| x as f64)).collect())
                .collect();
            takes_irr::alpha(
                &takes_irr::Ratings::from_rows(&rows),
                takes_irr::Metric::Ordinal,
            )
            .ok()
            .filter(|a| a.is_finite())
        } else {
            None
        };
        items.push(CalibrationSummary {
            title: row.title,
            created_at: rfc3339(row.created_at),
            deadline_at: rfc3339(row.deadline_at),
            closed: now >= row.deadline_at,
            revealed_at: row.revealed_at.map(rfc3339),
            item_count: row.item_count,
            participant_count: row.participant_count,
            submitted_count: row.submitted_count,
            my_status: row
                .participant
                .then(|| status_of(row.submitted_at, row.my_scored_count)),
            my_scored_count: row.my_scored_count,
            results_visible,
            alpha_ordinal,
            id: row.id,
        });
    }
    Ok(axum::Json(CalibrationPage { items, next_cursor }))
}

/// Checks a list of ids: size, text, no repeats.
fn check_ids(field: &str, ids: &[String], range: std::ops::RangeInclusive<usize>) -> ApiResult<()> {
    if !range.contains(&ids.len()) {
        return Err(ApiError::invalid(
            field,
            format!(
                "{field} has {} entries; give {} to {}",
                ids.len(),
                range.start(),
                range.end()
            ),
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        let f = format!("{field}[{i}]");
        check_text(&f, id)?;
        if id.trim().is_empty() || id.len() > 64 {
            return Err(ApiError::invalid(&f, format!("{f} {id:?} is not an id")));
        }
        if let Some(j) = ids[..i].iter().position(|earlier| earlier == id) {
            return Err(ApiError::invalid(
                &f,
                format!("{f} repeats {field}[{j}] ({id:?})"),
            ));
        }
    }
    Ok(())
}

/// Creates a session (admins): sample responses, participants, deadline.
/// A response of an interview still under review (an assignment on it not
/// yet submitted) is refused with 409, so calibration cannot show anyone
/// others' ratings of a response they still review.
#[utoipa::path(post, path = "/v1/calibration", operation_id = "calibration_create", tag = "calibration",
    request_body = CalibrationCreate,
    responses((status = 201, body = CalibrationSession), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CalibrationCreate>,
) -> ApiResult<Response> {
    if caller.role != UserRole::Admin {
        return Err(ApiError::forbidden(format!(
            "creating a calibration session needs the admin role; {} is a {}",
            caller.name,
            caller.role.as_str()
        )));
    }
    let now = state.clock.now();
    check_text("title", &body.title)?;
    let title = body.title.trim();
    let n = title.chars().count();
    if n == 0 || n > TITLE_MAX_CHARS {
        return Err(ApiError::invalid(
            "title",
            format!("title must be 1 to {TITLE_MAX_CHARS} characters, got {n}"),
        ));
    }
    let deadline_at = parse_rfc3339(&body.deadline_at).ok_or_else(|| {
        ApiError::invalid(
            "deadline_at",
            format!(
                "deadline_at {:?} is not an RFC 3339 time such as 2026-07-01T17:00:00Z",
                body.deadline_at
            ),
        )
    })?;
    if deadline_at <= now {
        return Err(ApiError::invalid(
            "deadline_at",
            format!(
                "deadline_at {} is not in the future (now is {})",
                body.deadline_at,
                rfc3339(now)
            ),
        ));
    }
    check_ids("participant_ids", &body.participant_ids, PARTICIPANTS)?;
    check_ids("response_ids", &body.response_ids, ITEMS)?;

    let mut w = state.db.begin_write().await?;
    let id = store::insert_session(
        &mut w.tx,
        NewSession {
            title,
            created_by: &caller.id,
            created_at: now,
            deadline_at,
            participant_ids: &body.participant_ids,
            response_ids: &body.response_ids,
        },
    )
    .await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    let view = session_view(&mut w.tx, &caller, &acc, now).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// The session as the caller sees it: items, participants, their own
/// scores and status.
async fn session_view(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    acc: &Access,
    now: Millis,
) -> ApiResult<CalibrationSession> {
    let items = store::items(conn, &acc.id).await?;
    let participants = store::participants(conn, &acc.id, &caller.id).await?;
    let my_scores = store::my_scores(conn, &acc.id, &caller.id).await?;
    Ok(CalibrationSession {
        id: acc.id.clone(),
        title: acc.title.clone(),
        created_at: rfc3339(acc.created_at),
        deadline_at: rfc3339(acc.deadline_at),
        closed: acc.closed(now),
        revealed_at: acc.revealed_at.map(rfc3339),
        my_status: acc
            .me
            .map(|submitted| status_of(submitted, my_scores.len() as i64)),
        my_submitted_at: acc.me.flatten().map(rfc3339),
        results_visible: acc.gate().check(now).is_ok(),
        participants,
        items,
        my_scores,
    })
}

/// One session's sample responses with their question and rubric, and the
/// caller's own scores. No candidate name and no interview appear.
#[utoipa::path(get, path = "/v1/calibration/{id}", operation_id = "calibration_get", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationSession), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationSession>> {
    let mut conn = state.db.pool.acquire().await?;
    let acc = access(&mut conn, &caller, &id).await?;
    let view = session_view(&mut conn, &caller, &acc, state.clock.now()).await?;
    Ok(axum::Json(view))
}
