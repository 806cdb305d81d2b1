//! What a recruiter does from the board: decide several interviews at once
//! (all or nothing, idempotent), retry a decision's failed delivery to the
//! ATS, remind overdue reviewers, and move an assignment to another
//! reviewer of the role's pool.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use takes_api::board::{
    BulkDecisionRequest, BulkDecisionResult, ReassignRequest, Reassignment, ReminderResult,
    SyncRetry,
};
use takes_api::Problem;

use super::authorize;
use crate::api::idempotency::{key, request_hash, respond};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::decisions::{self as deciding, Access};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::board::writes::{self, ReviewerReminder};
use crate::store::idempotency::{self as stored, Claim};
use crate::store::{assignments, audit, decisions};

/// One confirmation should not decide more than a screenful or two.
const BULK_MAX: usize = 200;

/// Records one decision for every listed interview, or none: an unknown
/// interview is 404, interviews of roles the caller does not recruit for
/// are 403 (all named), an interview already advanced or rejected is 409
/// naming that decision. With an `Idempotency-Key` a retry gets the first
/// answer and records nothing more.
#[utoipa::path(post, path = "/v1/board/decisions", tag = "decisions",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = BulkDecisionRequest,
    responses((status = 200, body = BulkDecisionResult), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn decide_bulk(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<BulkDecisionRequest>,
) -> ApiResult<Response> {
    caller.require_decider()?;
    let idem = key(&headers)?;
    let hash = request_hash("POST /v1/board/decisions", &body)?;
    let claim = Claim {
        user_id: &caller.id,
        key: idem.as_deref(),
        request_hash: &hash,
    };
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(answer) = stored::stored(&mut conn, claim).await? {
            return Ok(respond(answer));
        }
    }
    let ids = body.interview_ids;
    if ids.is_empty() || ids.len() > BULK_MAX {
        return Err(ApiError::invalid(
            "interview_ids",
            format!(
                "interview_ids must list 1 to {BULK_MAX} interviews, got {}",
                ids.len()
            ),
        ));
    }
    for (n, id) in ids.iter().enumerate() {
        crate::extract::check_text("interview_ids", id)?;
        if ids[..n].contains(id) {
            return Err(ApiError::invalid(
                "interview_ids",
                format!("interview {id:?} is listed twice"),
            ));
        }
    }
    let reason = deciding::reason_of(body.reason)?;
    let now = state.clock.now();
    let verdict = deciding::Verdict {
        action: body.action,
        reason: reason.as_deref(),
        bulk: true,
    };
    let mut w = state.db.begin_write().await?;
    let mut unknown = Vec::new();
    let mut forbidden = Vec::new();
    for id in &ids {
        match deciding::access(&mut w.tx, &caller, id).await? {
            Access::Unknown => unknown.push(id.as_str()),
            Access::Forbidden => forbidden.push(id.as_str()),
            Access::Allowed => {}
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::not_found(format!(
            "no interview {}; nothing was decided",
            unknown.join(", ")
        ))
        .with_field("interview_ids"));
    }
    if !forbidden.is_empty() {
        return Err(ApiError::forbidden(format!(
            "{} does not recruit for the roles of interviews {}; nothing was decided",
            caller.name,
            forbidden.join(", ")
        ))
        .with_field("interview_ids"));
    }
    for id in &ids {
        deciding::refuse_if_final(&mut w.tx, id)
            .await
            .map_err(|e| e.with_field("interview_ids"))?;
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        let d = deciding::record(&mut w.tx, &state, now, &caller, id, &verdict).await?;
        out.push(d);
    }
    let json = serde_json::to_string(&BulkDecisionResult { decisions: out })?;
    let answer = stored::commit(&state.db, w, claim, json, now).await?;
    state.webhooks.wake();
    Ok(respond(answer))
}

/// Queues again every delivery of the interview's latest decision that
/// gave up (409 when none did).
#[utoipa::path(post, path = "/v1/board/{id}/retry-sync", tag = "decisions",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = SyncRetry), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn retry_sync(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SyncRetry>> {
    let mut conn = state.db.pool.acquire().await?;
    authorize(&mut conn, &caller, &id).await?;
    let events = decisions::latest_events(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::conflict(format!("interview {id:?} has no decision to sync")))?;
    let mut failed = Vec::new();
    for event in &events {
        failed.extend(writes::failed_deliveries(&mut conn, event).await?);
    }
    if failed.is_empty() {
        return Err(ApiError::conflict(format!(
            "no delivery of interview {id:?}'s decision has failed"
        )));
    }
    let mut queued = 0;
    for delivery in failed {
        let target = crate::webhooks::ops::ReplayTarget::Delivery(delivery);
        queued += crate::webhooks::ops::replay(&state, Some(&caller.id), &target)
            .await?
            .len() as i64;
    }
    state.webhooks.wake();
    let item = super::row(&state, &mut conn, &caller, &id).await?;
    Ok(axum::Json(SyncRetry {
        deliveries_queued: queued,
        sync: item.sync.unwrap_or(takes_api::board::SyncState {
            status: takes_api::board::SyncStatus::Queued,
            reason: None,
        }),
    }))
}

/// Emails every reviewer of the interview whose review is overdue, through
/// the outbox, and records it in the audit log (409 when nobody is
/// overdue).
#[utoipa::path(post, path = "/v1/board/{id}/remind", tag = "decisions",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = ReminderResult), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remind_reviewers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ReminderResult>> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    authorize(&mut w.tx, &caller, &id).await?;
    let overdue = writes::overdue(&mut w.tx, &id, now).await?;
    if overdue.is_empty() {
        return Err(ApiError::conflict(format!(
            "no review of interview {id:?} is overdue; nobody was reminded"
        )));
    }
    let head = crate::store::interviews::scorecard_head(&mut w.tx, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no interview {id:?}")).with_field("id"))?;
    let domain = state.config.email.message_domain();
    let mut queued = 0;
    for o in &overdue {
        let Some(to) = o.email.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        let subject = format!("Review overdue: {}", head.title);
        let body = format!(
            "Hello {},\n\nyour review of an interview for {} was due {}. {} asks you to \
             finish it in takes when you can.\n",
            o.name,
            head.title,
            rfc3339(o.due_at),
            caller.name
        );
        let reminder = ReviewerReminder {
            interview_id: &id,
            assignment_id: &o.assignment_id,
            to,
            subject: &subject,
            body: &body,
            domain: &domain,
            at: now,
        };
        if writes::queue_reminder(&mut w.tx, reminder).await? {
            queued += 1;
        }
    }
    let reminded: Vec<String> = overdue.iter().map(|o| o.name.clone()).collect();
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "reviewers.reminded",
        ("interview", &id),
        serde_json::json!({"reviewers": reminded,
                           "assignments": overdue.iter().map(|o| &o.assignment_id).collect::<Vec<_>>(),
                           "emails_queued": queued}),
    )
    .await?;
    w.commit().await?;
    Ok(axum::Json(ReminderResult {
        reminded,
        emails_queued: queued,
    }))
}

/// Withdraws an unsubmitted assignment (kept, marked withdrawn) and gives
/// the review to another reviewer of the role's pool, due when the old one
/// was. The old reviewer's draft scores go to the audit log and count
/// nowhere.
#[utoipa::path(post, path = "/v1/board/{id}/reassign", tag = "decisions",
    params(("id" = String, Path, description = "Interview id")),
    request_body = ReassignRequest,
    responses((status = 201, body = Reassignment), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn reassign_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ReassignRequest>,
) -> ApiResult<(StatusCode, axum::Json<Reassignment>)> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let role = authorize(&mut w.tx, &caller, &id).await?;
    let held = writes::assignment(&mut w.tx, &body.assignment_id)
        .await?
        .filter(|a| a.interview_id == id)
        .ok_or_else(|| {
            ApiError::invalid(
                "assignment_id",
                format!(
                    "interview {id:?} has no assignment {:?}",
                    body.assignment_id
                ),
            )
        })?;
    if held.withdrawn {
        return Err(ApiError::conflict(format!(
            "assignment {:?} ({}) was already withdrawn",
            body.assignment_id, held.reviewer
        ))
        .with_field("assignment_id"));
    }
    if held.submitted {
        return Err(ApiError::conflict(format!(
            "{}'s review is already submitted; a submitted review is not reassigned",
            held.reviewer
        ))
        .with_field("assignment_id"));
    }
    let name = writes::pool_member(&mut w.tx, &role, &body.reviewer_id)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "reviewer_id",
                format!(
                    "user {:?} is not an active reviewer of this role's pool",
                    body.reviewer_id
                ),
            )
        })?;
    match writes::on_interview(&mut w.tx, &id, &body.reviewer_id).await? {
        Some(writes::OnInterview::Reviews) => {
            return Err(ApiError::invalid(
                "reviewer_id",
                format!("{name} already reviews interview {id:?}"),
            ))
        }
        Some(writes::OnInterview::Withdrawn) => {
            return Err(ApiError::invalid(
                "reviewer_id",
                format!(
                    "{name} was withdrawn from interview {id:?} and is not assigned to it again"
                ),
            ))
        }
        None => {}
    }
    let scores = writes::withdraw(&mut w.tx, &body.assignment_id, &caller.id, now).await?;
    let new_id =
        assignments::assignment(&mut w.tx, &id, &body.reviewer_id, now, held.due_at, None).await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "assignment.withdrawn",
        ("assignment", &body.assignment_id),
        serde_json::json!({"interview_id": id, "reviewer_id": held.reviewer_id,
                           "reviewer": held.reviewer, "replaced_by": new_id, "scores": scores}),
    )
    .await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "assignment.reassigned",
        ("assignment", &new_id),
        serde_json::json!({"interview_id": id, "reviewer_id": body.reviewer_id,
                           "replaces": body.assignment_id}),
    )
    .await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Reassignment {
            withdrawn_assignment_id: body.assignment_id,
            assignment_id: new_id,
            reviewer: name,
            scores_withdrawn: scores.len() as i64,
        }),
    ))
}
