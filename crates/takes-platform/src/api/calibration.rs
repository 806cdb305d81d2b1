//! Calibration sessions: an admin picks sample responses and participants;
//! each participant scores every item independently, submits (which locks
//! their scores), and only then sees everyone's scores, the flags and the
//! reliability figures. After the deadline an admin may reveal the results
//! to every participant. Who read the results when is in the audit log.
//!
//! Who may do what, checked here and nowhere else:
//! * a session exists, for a caller, only if they take part in it or are an
//!   admin: anyone else gets 404, so session ids cannot be probed;
//! * only participants score and submit (an admin who does not take part
//!   gets 403), and only before the deadline and before their own submit;
//! * results: a participant after their own submit, or after a reveal; an
//!   admin who does not take part, after the deadline. Otherwise 403 —
//!   also for an admin who takes part, so facilitators are not anchored
//!   either;
//! * discussion notes: whoever can read the results.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use takes_api::{
    Anchor, CalibrationCreate, CalibrationItem, CalibrationNote, CalibrationNoteWrite,
    CalibrationPage, CalibrationParticipant, CalibrationQuestion, CalibrationResults,
    CalibrationRevealReceipt, CalibrationScore, CalibrationScoreWrite, CalibrationSession,
    CalibrationStatus, CalibrationSubmitReceipt, CalibrationSummary, ItemResult, ItemResultScore,
    JobRoleView, Problem, ResponseView, ReviewerResult, Rubric, UserRole,
};
use utoipa::IntoParams;

use super::idempotency;
use crate::auth::Caller;
use crate::calibration as calc;
use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path, Query};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::audit;

const TITLE_MAX_CHARS: usize = 200;
const NOTE_MAX_CHARS: usize = 10_000;
/// Fewer than two participants cannot disagree; fifty is far past any
/// calibration panel and keeps one request's work bounded.
const PARTICIPANTS: std::ops::RangeInclusive<usize> = 2..=50;
/// Calibration uses a handful of samples (three is the usual advice).
const ITEMS: std::ops::RangeInclusive<usize> = 1..=50;

/// The session as the caller may see it.
struct Access {
    id: String,
    title: String,
    created_at: Millis,
    deadline_at: Millis,
    revealed_at: Option<Millis>,
    /// `Some(submitted_at)` when the caller takes part.
    me: Option<Option<Millis>>,
    admin: bool,
}

/// Everything that decides whether results are open to a caller.
struct Gate {
    participant: bool,
    submitted: bool,
    revealed: bool,
    deadline_at: Millis,
    admin: bool,
}

impl Gate {
    fn check(&self, now: Millis) -> ApiResult<()> {
        if self.participant {
            if self.submitted || self.revealed {
                return Ok(());
            }
            let mut detail = String::from(
                "submit your own calibration scores first; results stay hidden until then",
            );
            if now >= self.deadline_at {
                detail.push_str(
                    " (the deadline has passed, so they open to you when an admin reveals them)",
                );
            }
            return Err(ApiError::forbidden(detail));
        }
        if self.admin && now >= self.deadline_at {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "results open to admins who do not take part after the deadline, {}",
            rfc3339(self.deadline_at)
        )))
    }
}

impl Access {
    fn gate(&self) -> Gate {
        Gate {
            participant: self.me.is_some(),
            submitted: matches!(self.me, Some(Some(_))),
            revealed: self.revealed_at.is_some(),
            deadline_at: self.deadline_at,
            admin: self.admin,
        }
    }

    fn closed(&self, now: Millis) -> bool {
        now >= self.deadline_at
    }

    /// The caller's own `submitted_at`, or 403 for a non-participant admin.
    fn participation(&self) -> ApiResult<Option<Millis>> {
        self.me.ok_or_else(|| {
            ApiError::forbidden(format!(
                "only participants score calibration session {}; you are not one of them",
                self.id
            ))
        })
    }

    /// 409 when the caller's scores can no longer change.
    fn require_open(&self, submitted_at: Option<Millis>, now: Millis) -> ApiResult<()> {
        if let Some(at) = submitted_at {
            return Err(ApiError::conflict(format!(
                "you submitted calibration session {} at {}; your scores are locked",
                self.id,
                rfc3339(at)
            )));
        }
        if self.closed(now) {
            return Err(ApiError::conflict(format!(
                "calibration session {} closed at its deadline, {}; scores can no longer change",
                self.id,
                rfc3339(self.deadline_at)
            )));
        }
        Ok(())
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no calibration session {id:?} that you take part in"
    ))
    .with_field("id")
}

async fn access(conn: &mut sqlx::AnyConnection, caller: &Caller, id: &str) -> ApiResult<Access> {
    let row = sqlx::query(
        "SELECT s.id, s.title, s.created_at, s.deadline_at, s.revealed_at, \
                p.user_id AS me, p.submitted_at \
         FROM calibration_sessions s \
         LEFT JOIN calibration_participants p ON p.session_id = s.id AND p.user_id = $2 \
         WHERE s.id = $1",
    )
    .bind(id)
    .bind(&caller.id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| not_found(id))?;
    let admin = caller.role == UserRole::Admin;
    let me = match row.try_get::<Option<String>, _>("me")? {
        Some(_) => Some(row.try_get::<Option<i64>, _>("submitted_at")?),
        None => None,
    };
    if me.is_none() && !admin {
        return Err(not_found(id));
    }
    Ok(Access {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        created_at: row.try_get("created_at")?,
        deadline_at: row.try_get("deadline_at")?,
        revealed_at: row.try_get("revealed_at")?,
        me,
        admin,
    })
}

fn rubric_of(row: &AnyRow) -> ApiResult<Rubric> {
    let anchors: Vec<Anchor> = serde_json::from_str(&row.try_get::<String, _>("anchors_json")?)?;
    Ok(Rubric {
        scale_min: row.try_get("scale_min")?,
        scale_max: row.try_get("scale_max")?,
        pass_score: row.try_get("pass_score")?,
        anchors,
    })
}

// ---------------------------------------------------------------- list

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
    let limit = cursor::limit(params.limit)?;
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
    let (before_at, before_id) = match params.cursor.as_deref() {
        Some(c) if !c.is_empty() => cursor::decode(c)?,
        _ => (i64::MAX, String::from("\u{10FFFF}")),
    };
    let mut conn = state.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT s.id, s.title, s.created_at, s.deadline_at, s.revealed_at, \
                p.user_id AS me, p.submitted_at, \
                (SELECT COUNT(*) FROM calibration_items i WHERE i.session_id = s.id) AS item_count, \
                (SELECT COUNT(*) FROM calibration_participants q WHERE q.session_id = s.id) AS participant_count, \
                (SELECT COUNT(*) FROM calibration_participants q WHERE q.session_id = s.id \
                   AND q.submitted_at IS NOT NULL) AS submitted_count, \
                (SELECT COUNT(*) FROM calibration_scores c WHERE c.session_id = s.id \
                   AND c.user_id = $1) AS my_scored_count \
         FROM calibration_sessions s \
         LEFT JOIN calibration_participants p ON p.session_id = s.id AND p.user_id = $1 \
         WHERE ($2 = 1 OR p.user_id IS NOT NULL) \
           AND (s.created_at < $3 OR (s.created_at = $3 AND s.id < $4)) \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $5",
    )
    .bind(&caller.id)
    .bind(i64::from(all))
    .bind(before_at)
    .bind(&before_id)
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    let now = state.clock.now();
    let mut items = Vec::new();
    for row in rows.iter().take(limit as usize) {
        let id: String = row.try_get("id")?;
        let participant = row.try_get::<Option<String>, _>("me")?.is_some();
        let submitted_at: Option<i64> = row.try_get("submitted_at")?;
        let deadline_at: i64 = row.try_get("deadline_at")?;
        let revealed_at: Option<i64> = row.try_get("revealed_at")?;
        let my_scored_count: i64 = row.try_get("my_scored_count")?;
        let gate = Gate {
            participant,
            submitted: submitted_at.is_some(),
            revealed: revealed_at.is_some(),
            deadline_at,
            admin: caller.role == UserRole::Admin,
        };
        let results_visible = gate.check(now).is_ok();
        let alpha_ordinal = if results_visible {
            let (_, table) = submitted_table(&mut conn, &id).await?;
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
            title: row.try_get("title")?,
            created_at: rfc3339(row.try_get("created_at")?),
            deadline_at: rfc3339(deadline_at),
            closed: now >= deadline_at,
            revealed_at: revealed_at.map(rfc3339),
            item_count: row.try_get("item_count")?,
            participant_count: row.try_get("participant_count")?,
            submitted_count: row.try_get("submitted_count")?,
            my_status: participant.then(|| status_of(submitted_at, my_scored_count)),
            my_scored_count,
            results_visible,
            alpha_ordinal,
            id,
        });
    }
    let next_cursor = if rows.len() > limit as usize {
        match rows.get(limit as usize - 1) {
            Some(last) => Some(cursor::encode(
                last.try_get("created_at")?,
                &last.try_get::<String, _>("id")?,
            )),
            None => None,
        }
    } else {
        None
    };
    Ok(axum::Json(CalibrationPage { items, next_cursor }))
}

fn status_of(submitted_at: Option<Millis>, scored: i64) -> CalibrationStatus {
    match (submitted_at, scored) {
        (Some(_), _) => CalibrationStatus::Submitted,
        (None, 0) => CalibrationStatus::Pending,
        (None, _) => CalibrationStatus::InProgress,
    }
}

// ---------------------------------------------------------------- create

/// A new session's contents, shared by the API and the demo seed.
pub(crate) struct NewSession<'a> {
    pub title: &'a str,
    pub created_by: &'a str,
    pub created_at: Millis,
    pub deadline_at: Millis,
    pub participant_ids: &'a [String],
    pub response_ids: &'a [String],
}

/// Inserts a session, its items (copying question and rubric) and its
/// participants, and records the creation in the audit log. Unknown users
/// or responses, and items on different scales, are 422s naming the entry.
pub(crate) async fn insert_session(
    conn: &mut sqlx::AnyConnection,
    new: NewSession<'_>,
) -> ApiResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO calibration_sessions (id, title, created_by, created_at, deadline_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(new.title)
    .bind(new.created_by)
    .bind(new.created_at)
    .bind(new.deadline_at)
    .execute(&mut *conn)
    .await?;
    for (i, user_id) in new.participant_ids.iter().enumerate() {
        let exists = sqlx::query("SELECT 1 AS x FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            return Err(ApiError::invalid(
                &format!("participant_ids[{i}]"),
                format!("participant_ids[{i}] {user_id:?} is not a user of this platform"),
            ));
        }
        sqlx::query(
            "INSERT INTO calibration_participants (session_id, user_id, updated_at) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(new.created_at)
        .execute(&mut *conn)
        .await?;
    }
    let mut scale: Option<(i64, i64)> = None;
    for (i, response_id) in new.response_ids.iter().enumerate() {
        let field = format!("response_ids[{i}]");
        let q = sqlx::query(
            "SELECT q.id, q.prompt, q.competency, q.time_limit_s, q.scale_min, q.scale_max, \
                    q.pass_score, q.anchors_json \
             FROM responses r JOIN questions q ON q.id = r.question_id WHERE r.id = $1",
        )
        .bind(response_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                &field,
                format!("{field} {response_id:?} is not a recorded response"),
            )
        })?;
        let this = (
            q.try_get::<i64, _>("scale_min")?,
            q.try_get::<i64, _>("scale_max")?,
        );
        match scale {
            None => scale = Some(this),
            // Alpha and ICC compare ratings across items: on different
            // scales the numbers would not mean the same thing.
            Some(first) if first != this => {
                return Err(ApiError::invalid(
                    &field,
                    format!(
                        "{field} is scored {}..={} but response_ids[0] {}..={}; \
                         a session's items share one scale so their ratings compare",
                        this.0, this.1, first.0, first.1
                    ),
                ))
            }
            Some(_) => {}
        }
        sqlx::query(
            "INSERT INTO calibration_items (id, session_id, position, response_id, question_id, prompt, \
             competency, time_limit_s, scale_min, scale_max, pass_score, anchors_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(i as i64 + 1)
        .bind(response_id)
        .bind(q.try_get::<String, _>("id")?)
        .bind(q.try_get::<String, _>("prompt")?)
        .bind(q.try_get::<String, _>("competency")?)
        .bind(q.try_get::<i64, _>("time_limit_s")?)
        .bind(this.0)
        .bind(this.1)
        .bind(q.try_get::<i64, _>("pass_score")?)
        .bind(q.try_get::<String, _>("anchors_json")?)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        new.created_at,
        audit::Entry {
            actor_id: Some(new.created_by),
            action: "calibration.created",
            entity_type: "calibration_session",
            entity_id: &id,
            detail: serde_json::json!({
                "title": new.title, "deadline_at": new.deadline_at,
                "participant_ids": new.participant_ids, "response_ids": new.response_ids,
            }),
        },
    )
    .await?;
    Ok(id)
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
#[utoipa::path(post, path = "/v1/calibration", operation_id = "calibration_create", tag = "calibration",
    request_body = CalibrationCreate,
    responses((status = 201, body = CalibrationSession), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
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
    let id = insert_session(
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

// ---------------------------------------------------------------- detail

async fn session_view(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    acc: &Access,
    now: Millis,
) -> ApiResult<CalibrationSession> {
    let item_rows = sqlx::query(
        "SELECT ci.id, ci.position, ci.prompt, ci.competency, ci.time_limit_s, ci.scale_min, \
                ci.scale_max, ci.pass_score, ci.anchors_json, ci.response_id, \
                r.duration_ms, r.retakes_used, m.content_type, jr.title, jr.department \
         FROM calibration_items ci \
         JOIN responses r ON r.id = ci.response_id \
         JOIN media_objects m ON m.id = r.media_object_id \
         JOIN questions q ON q.id = ci.question_id \
         JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles jr ON jr.id = qs.job_role_id \
         WHERE ci.session_id = $1 ORDER BY ci.position",
    )
    .bind(&acc.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::with_capacity(item_rows.len());
    for row in &item_rows {
        let rid: String = row.try_get("response_id")?;
        items.push(CalibrationItem {
            id: row.try_get("id")?,
            position: row.try_get("position")?,
            role: JobRoleView {
                title: row.try_get("title")?,
                department: row.try_get("department")?,
            },
            question: CalibrationQuestion {
                prompt: row.try_get("prompt")?,
                competency: row.try_get("competency")?,
                time_limit_s: row.try_get("time_limit_s")?,
                rubric: rubric_of(row)?,
            },
            response: ResponseView {
                media_url: format!("/v1/media/{rid}"),
                transcript_url: format!("/v1/responses/{rid}/transcript"),
                content_type: row.try_get("content_type")?,
                duration_s: row.try_get::<i64, _>("duration_ms")? as f64 / 1000.0,
                retakes_used: row.try_get("retakes_used")?,
                id: rid,
            },
        });
    }
    let participants = participants_of(conn, &acc.id, &caller.id).await?;
    let score_rows = sqlx::query(
        "SELECT c.item_id, c.rating, c.note, c.created_at, c.updated_at FROM calibration_scores c \
         JOIN calibration_items ci ON ci.id = c.item_id \
         WHERE c.session_id = $1 AND c.user_id = $2 ORDER BY ci.position",
    )
    .bind(&acc.id)
    .bind(&caller.id)
    .fetch_all(&mut *conn)
    .await?;
    let my_scores = score_rows
        .iter()
        .map(score_of)
        .collect::<ApiResult<Vec<_>>>()?;
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

fn score_of(row: &AnyRow) -> ApiResult<CalibrationScore> {
    Ok(CalibrationScore {
        item_id: row.try_get("item_id")?,
        rating: row.try_get("rating")?,
        note: row.try_get("note")?,
        created_at: rfc3339(row.try_get("created_at")?),
        updated_at: rfc3339(row.try_get("updated_at")?),
    })
}

async fn participants_of(
    conn: &mut sqlx::AnyConnection,
    session_id: &str,
    me: &str,
) -> ApiResult<Vec<CalibrationParticipant>> {
    let rows = sqlx::query(
        "SELECT p.user_id, u.name, p.submitted_at FROM calibration_participants p \
         JOIN users u ON u.id = p.user_id WHERE p.session_id = $1 ORDER BY u.name, p.user_id",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let user_id: String = r.try_get("user_id")?;
            let submitted_at: Option<i64> = r.try_get("submitted_at")?;
            Ok(CalibrationParticipant {
                is_me: user_id == me,
                user_id,
                name: r.try_get("name")?,
                // Drafts are private: only "submitted or not" is shown.
                status: status_of(submitted_at, 0),
                submitted_at: submitted_at.map(rfc3339),
            })
        })
        .collect()
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

// ---------------------------------------------------------------- score

fn check_note(field: &str, note: &str) -> ApiResult<()> {
    check_text(field, note)?;
    let n = note.chars().count();
    if n > NOTE_MAX_CHARS {
        return Err(ApiError::invalid(
            field,
            format!("{field} has {n} characters; the limit is {NOTE_MAX_CHARS}"),
        ));
    }
    Ok(())
}

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
    let key = idempotency::key(&headers)?;
    let request_hash = idempotency::request_hash(
        &format!("PUT /v1/calibration/{id}/items/{item_id}/score"),
        &body,
    )?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    if let Some(key) = &key {
        if let Some(replay) = idempotency::replay(&mut w.tx, &caller.id, key, &request_hash).await?
        {
            return Ok(replay);
        }
    }
    let acc = access(&mut w.tx, &caller, &id).await?;
    let submitted_at = acc.participation()?;
    let item = sqlx::query(
        "SELECT scale_min, scale_max FROM calibration_items WHERE id = $1 AND session_id = $2",
    )
    .bind(&item_id)
    .bind(&acc.id)
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "item {item_id:?} is not part of calibration session {id}"
        ))
        .with_field("item_id")
    })?;
    acc.require_open(submitted_at, now)?;
    let (min, max): (i64, i64) = (item.try_get("scale_min")?, item.try_get("scale_max")?);
    if !(min..=max).contains(&body.rating) {
        return Err(ApiError::invalid(
            "rating",
            format!(
                "rating {} is outside this item's scale {min}..={max}",
                body.rating
            ),
        ));
    }
    if let Some(note) = &body.note {
        check_note("note", note)?;
    }
    // Taking the participant row's lock (and re-checking it is unsubmitted)
    // orders this write against a concurrent submit on PostgreSQL: whichever
    // commits first, a score never lands after the lock.
    let touched = sqlx::query(
        "UPDATE calibration_participants SET updated_at = $1 \
         WHERE session_id = $2 AND user_id = $3 AND submitted_at IS NULL",
    )
    .bind(now)
    .bind(&acc.id)
    .bind(&caller.id)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if touched == 0 {
        return Err(ApiError::conflict(format!(
            "you submitted calibration session {id} meanwhile; your scores are locked"
        )));
    }
    let note = body.note.clone().filter(|n| !n.trim().is_empty());
    sqlx::query(
        "INSERT INTO calibration_scores (session_id, item_id, user_id, rating, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (item_id, user_id) DO UPDATE SET \
           rating = excluded.rating, note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(&acc.id)
    .bind(&item_id)
    .bind(&caller.id)
    .bind(body.rating)
    .bind(note.clone())
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "calibration.score_written",
            entity_type: "calibration_session",
            entity_id: &acc.id,
            detail: serde_json::json!({
                "item_id": item_id, "rating": body.rating, "note": note, "idempotency_key": key,
            }),
        },
    )
    .await?;
    let row = sqlx::query(
        "SELECT item_id, rating, note, created_at, updated_at FROM calibration_scores \
         WHERE item_id = $1 AND user_id = $2",
    )
    .bind(&item_id)
    .bind(&caller.id)
    .fetch_one(&mut *w.tx)
    .await?;
    let body_json = serde_json::to_string(&score_of(&row)?)?;
    idempotency::commit_with_answer(
        &state,
        w,
        &caller.id,
        key.as_deref(),
        &request_hash,
        body_json,
        now,
    )
    .await
}

// ---------------------------------------------------------------- submit

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
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    let submitted_at = acc.participation()?;
    acc.require_open(submitted_at, now)?;
    // The UPDATE comes first so that it holds the participant row while the
    // completeness check below runs (see `put_score`).
    let updated = sqlx::query(
        "UPDATE calibration_participants SET submitted_at = $1, updated_at = $1 \
         WHERE session_id = $2 AND user_id = $3 AND submitted_at IS NULL",
    )
    .bind(now)
    .bind(&acc.id)
    .bind(&caller.id)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(ApiError::conflict(format!(
            "calibration session {id} was already submitted"
        )));
    }
    let unscored = sqlx::query(
        "SELECT ci.position FROM calibration_items ci WHERE ci.session_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM calibration_scores c WHERE c.item_id = ci.id AND c.user_id = $2) \
         ORDER BY ci.position",
    )
    .bind(&acc.id)
    .bind(&caller.id)
    .fetch_all(&mut *w.tx)
    .await?;
    if !unscored.is_empty() {
        let positions: Vec<String> = unscored
            .iter()
            .map(|r| r.try_get::<i64, _>("position").map(|p| p.to_string()))
            .collect::<Result<_, _>>()?;
        // Dropping the transaction undoes the UPDATE above.
        return Err(ApiError::conflict(format!(
            "cannot submit: item{} {} not scored yet",
            if positions.len() == 1 { "" } else { "s" },
            positions.join(", ")
        )));
    }
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "calibration.submitted",
            entity_type: "calibration_session",
            entity_id: &acc.id,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(axum::Json(CalibrationSubmitReceipt {
        session_id: acc.id,
        status: CalibrationStatus::Submitted,
        submitted_at: rfc3339(now),
    }))
}

// ---------------------------------------------------------------- results

/// Raters (submitted participants, by name) and the items × raters table of
/// their ratings, items in position order.
async fn submitted_table(
    conn: &mut sqlx::AnyConnection,
    session_id: &str,
) -> ApiResult<(Vec<String>, Vec<Vec<Option<i64>>>)> {
    let raters: Vec<String> = sqlx::query(
        "SELECT p.user_id FROM calibration_participants p JOIN users u ON u.id = p.user_id \
         WHERE p.session_id = $1 AND p.submitted_at IS NOT NULL ORDER BY u.name, p.user_id",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("user_id"))
    .collect::<Result<_, _>>()?;
    let items: Vec<String> =
        sqlx::query("SELECT id FROM calibration_items WHERE session_id = $1 ORDER BY position")
            .bind(session_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
    let mut table = vec![vec![None; raters.len()]; items.len()];
    let scores = sqlx::query(
        "SELECT c.item_id, c.user_id, c.rating FROM calibration_scores c \
         JOIN calibration_participants p ON p.session_id = c.session_id AND p.user_id = c.user_id \
         WHERE c.session_id = $1 AND p.submitted_at IS NOT NULL",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    for s in &scores {
        let item: String = s.try_get("item_id")?;
        let user: String = s.try_get("user_id")?;
        if let (Some(u), Some(r)) = (
            items.iter().position(|i| *i == item),
            raters.iter().position(|r| *r == user),
        ) {
            if let Some(cell) = table.get_mut(u).and_then(|row| row.get_mut(r)) {
                *cell = Some(s.try_get::<i64, _>("rating")?);
            }
        }
    }
    Ok((raters, table))
}

/// Every submitted score per item with mean, median, spread and flags;
/// each reviewer's deviation from the panel; alpha (ordinal, interval, with
/// a bootstrap interval) and ICC(2,1)/ICC(2,k). `403` until the caller has
/// submitted (or an admin revealed the results); each answer is recorded in
/// the audit log as `calibration.results_viewed`.
#[utoipa::path(get, path = "/v1/calibration/{id}/results", operation_id = "calibration_results", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationResults), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationResults>> {
    let now = state.clock.now();
    // A write transaction: reading the results is itself recorded.
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    acc.gate().check(now)?;
    let data = load_results(&mut w.tx, &acc, &caller).await?;
    let via = match acc.me {
        Some(Some(_)) => "submitted",
        Some(None) => "revealed",
        None => "admin_after_deadline",
    };
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "calibration.results_viewed",
            entity_type: "calibration_session",
            entity_id: &acc.id,
            detail: serde_json::json!({ "via": via }),
        },
    )
    .await?;
    w.commit().await?;
    let seed = calc::seed_for(&acc.id);
    // The bootstrap is CPU work; keep it off the async workers.
    let reliability = tokio::task::spawn_blocking(move || {
        let rows: Vec<Vec<Option<f64>>> = data
            .table
            .iter()
            .map(|u| u.iter().map(|v| v.map(|x| x as f64)).collect())
            .collect();
        (calc::reliability(&rows, seed), data)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the reliability computation failed: {e}")))?;
    let (reliability, data) = reliability;
    Ok(axum::Json(CalibrationResults {
        session_id: acc.id.clone(),
        title: acc.title.clone(),
        deadline_at: rfc3339(acc.deadline_at),
        closed: acc.closed(now),
        revealed_at: acc.revealed_at.map(rfc3339),
        items: data.items,
        reviewers: data.reviewers,
        reliability,
    }))
}

struct ResultsData {
    items: Vec<ItemResult>,
    reviewers: Vec<ReviewerResult>,
    table: Vec<Vec<Option<i64>>>,
}

async fn load_results(
    conn: &mut sqlx::AnyConnection,
    acc: &Access,
    caller: &Caller,
) -> ApiResult<ResultsData> {
    let (raters, table) = submitted_table(conn, &acc.id).await?;
    let participants = participants_of(conn, &acc.id, &caller.id).await?;
    let item_rows = sqlx::query(
        "SELECT id, position, prompt, competency, scale_min, scale_max, pass_score, anchors_json \
         FROM calibration_items WHERE session_id = $1 ORDER BY position",
    )
    .bind(&acc.id)
    .fetch_all(&mut *conn)
    .await?;
    let note_rows = sqlx::query(
        "SELECT c.item_id, c.user_id, c.note FROM calibration_scores c \
         WHERE c.session_id = $1 AND c.note IS NOT NULL",
    )
    .bind(&acc.id)
    .fetch_all(&mut *conn)
    .await?;
    let discussion = sqlx::query(
        "SELECT n.id, n.item_id, n.author_id, u.name, n.body, n.created_at FROM calibration_notes n \
         JOIN users u ON u.id = n.author_id WHERE n.session_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(&acc.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut notes: Vec<CalibrationNote> = Vec::with_capacity(discussion.len());
    for n in &discussion {
        notes.push(note_of(n)?);
    }
    let name_of = |user_id: &str| {
        participants
            .iter()
            .find(|p| p.user_id == user_id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let score_note = |item_id: &str, user_id: &str| -> ApiResult<Option<String>> {
        for r in &note_rows {
            if r.try_get::<String, _>("item_id")? == item_id
                && r.try_get::<String, _>("user_id")? == user_id
            {
                return Ok(r.try_get("note")?);
            }
        }
        Ok(None)
    };
    let mut items = Vec::with_capacity(item_rows.len());
    for (u, row) in item_rows.iter().enumerate() {
        let item_id: String = row.try_get("id")?;
        let rubric = rubric_of(row)?;
        let mut scores = Vec::new();
        for (r, rater) in raters.iter().enumerate() {
            if let Some(Some(rating)) = table.get(u).and_then(|row| row.get(r)) {
                scores.push(ItemResultScore {
                    reviewer_id: rater.clone(),
                    name: name_of(rater),
                    is_me: *rater == caller.id,
                    rating: *rating,
                    note: score_note(&item_id, rater)?,
                });
            }
        }
        let ratings: Vec<i64> = scores.iter().map(|s| s.rating).collect();
        let stats = calc::item_stats(&ratings, rubric.pass_score);
        items.push(ItemResult {
            position: row.try_get("position")?,
            prompt: row.try_get("prompt")?,
            competency: row.try_get("competency")?,
            scores,
            mean: stats.mean,
            median: stats.median,
            spread: stats.spread,
            flagged: stats.flagged(),
            flag_reasons: stats.flag_reasons,
            notes: notes
                .iter()
                .filter(|n| n.item_id == item_id)
                .cloned()
                .collect(),
            rubric,
            item_id,
        });
    }
    let deviation = calc::deviations(&table, raters.len());
    let reviewers = participants
        .into_iter()
        .map(|p| {
            let col = raters.iter().position(|r| *r == p.user_id);
            let mean_deviation = col.and_then(|c| deviation.get(c).copied().flatten());
            ReviewerResult {
                items_scored: col
                    .map(|c| {
                        table
                            .iter()
                            .filter(|u| u.get(c).is_some_and(Option::is_some))
                            .count() as i64
                    })
                    .unwrap_or(0),
                tendency: mean_deviation.map(calc::tendency),
                mean_deviation,
                reviewer_id: p.user_id,
                name: p.name,
                is_me: p.is_me,
                status: p.status,
                submitted_at: p.submitted_at,
            }
        })
        .collect();
    Ok(ResultsData {
        items,
        reviewers,
        table,
    })
}

fn note_of(row: &AnyRow) -> ApiResult<CalibrationNote> {
    Ok(CalibrationNote {
        id: row.try_get("id")?,
        item_id: row.try_get("item_id")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("name")?,
        text: row.try_get("body")?,
        created_at: rfc3339(row.try_get("created_at")?),
    })
}

// ---------------------------------------------------------------- reveal

/// Opens the results to every participant, submitted or not (admins, after
/// the deadline, once).
#[utoipa::path(post, path = "/v1/calibration/{id}/reveal", operation_id = "calibration_reveal", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationRevealReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reveal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationRevealReceipt>> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    if !acc.admin {
        return Err(ApiError::forbidden(format!(
            "revealing results needs the admin role; {} is a {}",
            caller.name,
            caller.role.as_str()
        )));
    }
    if !acc.closed(now) {
        // Before the deadline participants still score; showing them others'
        // scores then would be exactly the anchoring calibration avoids.
        return Err(ApiError::conflict(format!(
            "results can be revealed after the deadline, {}",
            rfc3339(acc.deadline_at)
        )));
    }
    let updated = sqlx::query(
        "UPDATE calibration_sessions SET revealed_at = $1, revealed_by = $2 \
         WHERE id = $3 AND revealed_at IS NULL",
    )
    .bind(now)
    .bind(&caller.id)
    .bind(&acc.id)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(ApiError::conflict(format!(
            "calibration session {id} was already revealed at {}",
            acc.revealed_at.map(rfc3339).unwrap_or_default()
        )));
    }
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "calibration.revealed",
            entity_type: "calibration_session",
            entity_id: &acc.id,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(axum::Json(CalibrationRevealReceipt {
        session_id: acc.id,
        revealed_at: rfc3339(now),
        revealed_by: caller.name,
    }))
}

// ---------------------------------------------------------------- notes

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
    let item =
        sqlx::query("SELECT 1 AS x FROM calibration_items WHERE id = $1 AND session_id = $2")
            .bind(&item_id)
            .bind(&acc.id)
            .fetch_optional(&mut *w.tx)
            .await?;
    if item.is_none() {
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
    let note_id = new_id();
    sqlx::query(
        "INSERT INTO calibration_notes (id, session_id, item_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&note_id)
    .bind(&acc.id)
    .bind(&item_id)
    .bind(&caller.id)
    .bind(text)
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "calibration.note_added",
            entity_type: "calibration_session",
            entity_id: &acc.id,
            detail: serde_json::json!({"item_id": item_id, "note_id": note_id, "text": text}),
        },
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
