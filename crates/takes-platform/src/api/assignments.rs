use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sqlx::Row;
use takes_api::{
    AssignmentDetail, AssignmentStatus, JobRoleView, Panel, PanelQuestion, PanelReviewer, Problem,
    QuestionView, ResponseView, Score, ScoreWrite, SubmitReceipt,
};

use super::idempotency;
use super::rows::{self, OwnAssignment, SCORE_COLUMNS};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::audit;

const NOTE_MAX_CHARS: usize = 10_000;
const EVIDENCE_MAX: usize = 100;

/// The interview to review: questions with rubrics and responses, and the
/// caller's own scores.
#[utoipa::path(get, path = "/v1/assignments/{id}", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = AssignmentDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AssignmentDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    let own = rows::own_assignment(&mut conn, &caller, &id).await?;
    let head = sqlx::query(
        "SELECT c.name, c.pseudonym, r.title, r.department, a.assigned_at \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.id = $1",
    )
    .bind(&own.id)
    .fetch_one(&mut *conn)
    .await?;
    let questions = questions_with_responses(&mut conn, &own).await?;
    let my_scores = scores_of(&mut conn, &own.id).await?;
    Ok(axum::Json(AssignmentDetail {
        id: own.id,
        interview_id: own.interview_id,
        status: own.status,
        candidate: rows::candidate(
            head.try_get("name")?,
            head.try_get("pseudonym")?,
            own.status == AssignmentStatus::Submitted,
        ),
        role: JobRoleView {
            title: head.try_get("title")?,
            department: head.try_get("department")?,
        },
        due_at: rfc3339(own.due_at),
        submitted_at: own.submitted_at.map(rfc3339),
        questions,
        my_scores,
    }))
}

async fn questions_with_responses(
    conn: &mut sqlx::AnyConnection,
    own: &OwnAssignment,
) -> ApiResult<Vec<QuestionView>> {
    let rows = sqlx::query(
        "SELECT q.id, q.position, q.prompt, q.competency, q.time_limit_s, q.scale_min, q.scale_max, \
                q.pass_score, q.anchors_json, \
                resp.id AS response_id, resp.duration_ms, resp.retakes_used, m.content_type \
         FROM questions q \
         LEFT JOIN responses resp ON resp.question_id = q.id AND resp.interview_id = $1 \
         LEFT JOIN media_objects m ON m.id = resp.media_object_id \
         WHERE q.question_set_id = $2 ORDER BY q.position",
    )
    .bind(&own.interview_id)
    .bind(&own.question_set_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let response = match row.try_get::<Option<String>, _>("response_id")? {
            Some(rid) => Some(ResponseView {
                media_url: format!("/v1/media/{rid}"),
                transcript_url: format!("/v1/responses/{rid}/transcript"),
                content_type: row
                    .try_get::<Option<String>, _>("content_type")?
                    .unwrap_or_default(),
                duration_s: row.try_get::<Option<i64>, _>("duration_ms")?.unwrap_or(0) as f64
                    / 1000.0,
                retakes_used: row.try_get::<Option<i64>, _>("retakes_used")?.unwrap_or(0),
                id: rid,
            }),
            None => None,
        };
        out.push(QuestionView {
            id: row.try_get("id")?,
            position: row.try_get("position")?,
            prompt: row.try_get("prompt")?,
            competency: row.try_get("competency")?,
            time_limit_s: row.try_get("time_limit_s")?,
            rubric: rows::rubric(row)?,
            response,
        });
    }
    Ok(out)
}

async fn scores_of(conn: &mut sqlx::AnyConnection, assignment_id: &str) -> ApiResult<Vec<Score>> {
    let rows = sqlx::query(&format!(
        "SELECT {SCORE_COLUMNS} FROM scores s JOIN questions q ON q.id = s.question_id \
         WHERE s.assignment_id = $1 ORDER BY q.position"
    ))
    .bind(assignment_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(rows::score).collect()
}

fn validate_score(body: &ScoreWrite, scale: (i64, i64), duration_s: Option<f64>) -> ApiResult<()> {
    let (min, max) = scale;
    if !(min..=max).contains(&body.rating) {
        return Err(ApiError::invalid(
            "rating",
            format!(
                "rating {} is outside this question's scale {min}..={max}",
                body.rating
            ),
        ));
    }
    if let Some(m) = body.muted_rating {
        if !(min..=max).contains(&m) {
            return Err(ApiError::invalid(
                "muted_rating",
                format!("muted_rating {m} is outside this question's scale {min}..={max}"),
            ));
        }
    }
    if let Some(note) = &body.note {
        crate::extract::check_text("note", note)?;
        let n = note.chars().count();
        if n > NOTE_MAX_CHARS {
            return Err(ApiError::invalid(
                "note",
                format!("note has {n} characters; the limit is {NOTE_MAX_CHARS}"),
            ));
        }
    }
    if let Some(evidence) = &body.evidence {
        if evidence.len() > EVIDENCE_MAX {
            return Err(ApiError::invalid(
                "evidence",
                format!(
                    "{} evidence ranges; the limit is {EVIDENCE_MAX}",
                    evidence.len()
                ),
            ));
        }
        let limit = duration_s.map(|d| d + 1.0).unwrap_or(f64::MAX);
        for (i, e) in evidence.iter().enumerate() {
            if !e.start_s.is_finite()
                || !e.end_s.is_finite()
                || e.start_s < 0.0
                || e.end_s < e.start_s
            {
                return Err(ApiError::invalid(
                    &format!("evidence[{i}]"),
                    format!(
                        "evidence[{i}] must have 0 <= start_s <= end_s, got {}..{}",
                        e.start_s, e.end_s
                    ),
                ));
            }
            if e.end_s > limit {
                return Err(ApiError::invalid(
                    &format!("evidence[{i}].end_s"),
                    format!(
                        "evidence[{i}].end_s {} is past the end of the response",
                        e.end_s
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Records (or replaces) the caller's score for one question. With an
/// `Idempotency-Key`, a repeated request stores nothing new and gets the
/// first answer back.
#[utoipa::path(put, path = "/v1/assignments/{id}/scores/{question_id}", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id"),
           ("question_id" = String, Path, description = "Question id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first answer")),
    request_body = ScoreWrite,
    responses((status = 200, body = Score), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_score(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, question_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<ScoreWrite>,
) -> ApiResult<Response> {
    let key = idempotency::key(&headers)?;
    let request_hash = idempotency::request_hash(
        &format!("PUT /v1/assignments/{id}/scores/{question_id}"),
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

    let own = rows::own_assignment(&mut w.tx, &caller, &id).await?;
    if own.status == AssignmentStatus::Submitted {
        return Err(ApiError::conflict(format!(
            "assignment {id} was submitted at {}; its scores are locked",
            own.submitted_at.map(rfc3339).unwrap_or_default()
        )));
    }
    let q = sqlx::query(
        "SELECT q.scale_min, q.scale_max, resp.duration_ms FROM questions q \
         LEFT JOIN responses resp ON resp.question_id = q.id AND resp.interview_id = $1 \
         WHERE q.id = $2 AND q.question_set_id = $3",
    )
    .bind(&own.interview_id)
    .bind(&question_id)
    .bind(&own.question_set_id)
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "question {question_id:?} is not part of assignment {id}"
        ))
        .with_field("question_id")
    })?;
    let duration_s = q
        .try_get::<Option<i64>, _>("duration_ms")?
        .map(|ms| ms as f64 / 1000.0);
    validate_score(
        &body,
        (q.try_get("scale_min")?, q.try_get("scale_max")?),
        duration_s,
    )?;

    let evidence_json = serde_json::to_string(&body.evidence.clone().unwrap_or_default())?;
    let note = body.note.clone().filter(|n| !n.trim().is_empty());
    sqlx::query(
        "INSERT INTO scores (assignment_id, question_id, rating, muted_rating, note, evidence_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (assignment_id, question_id) DO UPDATE SET \
           rating = excluded.rating, muted_rating = excluded.muted_rating, note = excluded.note, \
           evidence_json = excluded.evidence_json, updated_at = excluded.updated_at",
    )
    .bind(&own.id)
    .bind(&question_id)
    .bind(body.rating)
    .bind(body.muted_rating)
    .bind(note.clone())
    .bind(&evidence_json)
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    if own.status == AssignmentStatus::Pending {
        sqlx::query(
            "UPDATE assignments SET status = 'in_progress' WHERE id = $1 AND status = 'pending'",
        )
        .bind(&own.id)
        .execute(&mut *w.tx)
        .await?;
    }
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "score.written",
            entity_type: "assignment",
            entity_id: &own.id,
            detail: serde_json::json!({
                "question_id": question_id, "rating": body.rating, "muted_rating": body.muted_rating,
                "note": note, "evidence": body.evidence, "idempotency_key": key,
            }),
        },
    )
    .await?;
    let row = sqlx::query(&format!(
        "SELECT {SCORE_COLUMNS} FROM scores s WHERE s.assignment_id = $1 AND s.question_id = $2"
    ))
    .bind(&own.id)
    .bind(&question_id)
    .fetch_one(&mut *w.tx)
    .await?;
    let score = rows::score(&row)?;
    let body_json = serde_json::to_string(&score)?;
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

/// Locks the caller's scores. Every question must be scored first.
#[utoipa::path(post, path = "/v1/assignments/{id}/submit", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = SubmitReceipt), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SubmitReceipt>> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let own = rows::own_assignment(&mut w.tx, &caller, &id).await?;
    if own.status == AssignmentStatus::Submitted {
        return Err(ApiError::conflict(format!(
            "assignment {id} was already submitted at {}",
            own.submitted_at.map(rfc3339).unwrap_or_default()
        )));
    }
    let unscored = sqlx::query(
        "SELECT q.position FROM questions q WHERE q.question_set_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM scores s WHERE s.assignment_id = $2 AND s.question_id = q.id) ORDER BY q.position",
    )
    .bind(&own.question_set_id)
    .bind(&own.id)
    .fetch_all(&mut *w.tx)
    .await?;
    if !unscored.is_empty() {
        let positions: Vec<String> = unscored
            .iter()
            .map(|r| r.try_get::<i64, _>("position").map(|p| p.to_string()))
            .collect::<Result<_, _>>()?;
        return Err(ApiError::conflict(format!(
            "cannot submit: question{} {} not scored yet",
            if positions.len() == 1 { "" } else { "s" },
            positions.join(", ")
        )));
    }
    sqlx::query("UPDATE assignments SET status = 'submitted', submitted_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&own.id)
        .execute(&mut *w.tx)
        .await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&caller.id),
            action: "assignment.submitted",
            entity_type: "assignment",
            entity_id: &own.id,
            detail: serde_json::json!({"interview_id": own.interview_id}),
        },
    )
    .await?;
    crate::webhooks::events::review_submitted(&mut w.tx, now, &own.id).await?;
    w.commit().await?;
    Ok(axum::Json(SubmitReceipt {
        assignment_id: own.id,
        status: AssignmentStatus::Submitted,
        submitted_at: rfc3339(now),
    }))
}

/// Every reviewer's submitted scores for this interview. Answers 403 until
/// the caller has submitted their own, so nobody is anchored by others.
#[utoipa::path(get, path = "/v1/assignments/{id}/panel", tag = "reviewing",
    params(("id" = String, Path, description = "Assignment id")),
    responses((status = 200, body = Panel), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn panel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Panel>> {
    let mut conn = state.db.pool.acquire().await?;
    let own = rows::own_assignment(&mut conn, &caller, &id).await?;
    if own.status != AssignmentStatus::Submitted {
        return Err(ApiError::forbidden(
            "submit your own scores for this interview first; the panel stays hidden until then",
        ));
    }
    build_panel(
        &mut conn,
        &own.interview_id,
        &own.question_set_id,
        Some(&caller.id),
    )
    .await
    .map(axum::Json)
}

/// The panel of an interview; `me` marks the caller's row.
pub(super) async fn build_panel(
    conn: &mut sqlx::AnyConnection,
    interview_id: &str,
    question_set_id: &str,
    me: Option<&str>,
) -> ApiResult<Panel> {
    let cand = sqlx::query("SELECT c.name FROM interviews i JOIN candidates c ON c.id = i.candidate_id WHERE i.id = $1")
        .bind(interview_id)
        .fetch_one(&mut *conn)
        .await?;
    let reviewers = sqlx::query(
        "SELECT a.id, a.reviewer_id, u.name, a.status, a.submitted_at FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.interview_id = $1 ORDER BY u.name",
    )
    .bind(interview_id)
    .fetch_all(&mut *conn)
    .await?;
    let questions = sqlx::query(
        "SELECT id, position, prompt, competency FROM questions WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(question_set_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut panel_reviewers = Vec::with_capacity(reviewers.len());
    for r in &reviewers {
        let status = rows::status(&r.try_get::<String, _>("status")?)?;
        let assignment_id: String = r.try_get("id")?;
        let reviewer_id: String = r.try_get("reviewer_id")?;
        // Drafts of reviewers who have not submitted stay private.
        let scores = if status == AssignmentStatus::Submitted {
            scores_of(conn, &assignment_id).await?
        } else {
            Vec::new()
        };
        panel_reviewers.push(PanelReviewer {
            is_me: me == Some(reviewer_id.as_str()),
            reviewer_id,
            name: r.try_get("name")?,
            status,
            submitted_at: r.try_get::<Option<i64>, _>("submitted_at")?.map(rfc3339),
            scores,
        });
    }
    let mut panel_questions = Vec::with_capacity(questions.len());
    for q in &questions {
        let qid: String = q.try_get("id")?;
        let ratings: Vec<i64> = panel_reviewers
            .iter()
            .flat_map(|r| r.scores.iter())
            .filter(|s| s.question_id == qid)
            .map(|s| s.rating)
            .collect();
        let mean = (!ratings.is_empty())
            .then(|| ratings.iter().sum::<i64>() as f64 / ratings.len() as f64);
        let spread = match (ratings.iter().min(), ratings.iter().max()) {
            (Some(lo), Some(hi)) => Some(hi - lo),
            _ => None,
        };
        panel_questions.push(PanelQuestion {
            question_id: qid,
            position: q.try_get("position")?,
            prompt: q.try_get("prompt")?,
            competency: q.try_get("competency")?,
            mean,
            spread,
        });
    }
    Ok(Panel {
        interview_id: interview_id.to_string(),
        candidate: rows::candidate(cand.try_get("name")?, String::new(), true),
        questions: panel_questions,
        reviewers: panel_reviewers,
    })
}
