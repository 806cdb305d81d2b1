//! The recruiter's triage board: every interview of the caller's roles
//! (admins: all) by stage, filtered, sorted and paged; one interview with
//! its panel and transcripts; and the actions in `actions.rs`. Reviewers
//! get 403 on all of it.

pub(super) mod actions;
mod assemble;
pub(super) mod sync;

use std::collections::HashMap;

use axum::extract::State;
use serde::Deserialize;
use takes_api::board::{
    BoardAnswer, BoardInterview, BoardItem, BoardPage, BoardStage, PoolReviewer, StageCounts,
};
use takes_api::{Cue, Problem, UserRole};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::clock::{parse_rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::store::board::summary::{self, Filters, PageSpec, SortKey};
use crate::store::board::{self, writes, Scope, Which};

const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page (with the same filters).
    cursor: Option<String>,
    /// Only this stage: `invited`, `awaiting_reviews`, `ready_to_decide`, `decided`.
    stage: Option<String>,
    /// Only this role (id).
    role: Option<String>,
    /// Mean score at least this.
    min_score: Option<f64>,
    /// Mean score at most this.
    max_score: Option<f64>,
    /// `true`: only interviews whose panel disagrees; `false`: only those that agree.
    disagreement: Option<bool>,
    /// Completed (or, before that, invited) at or after this date (`YYYY-MM-DD` or RFC 3339).
    from: Option<String>,
    /// Completed (or invited) before this date (`YYYY-MM-DD` or RFC 3339).
    to: Option<String>,
    /// Text in the candidate's name or the role's title (case-insensitive).
    q: Option<String>,
    /// `completed`, `score`, `role`, `candidate`, `reviews`, `stage` (invited
    /// first) or `disagreement` (agreeing first, then by mean); a leading `-`
    /// sorts descending (default `-completed`, newest first).
    sort: Option<String>,
}

/// Refuses reviewers: the board is for recruiters and admins.
pub(super) fn require_board(caller: &Caller) -> ApiResult<()> {
    caller.require_decider()
}

fn scope_of(caller: &Caller) -> Scope {
    Scope {
        all_roles: caller.role == UserRole::Admin,
        user_id: caller.id.clone(),
        role_id: String::new(),
        interview_id: String::new(),
        pattern: String::new(),
        from: Millis::MIN,
        to: Millis::MAX,
    }
}

fn date(field: &str, value: &str) -> ApiResult<Millis> {
    let v = value.trim();
    let full = if v.len() == 10 {
        format!("{v}T00:00:00Z")
    } else {
        v.to_string()
    };
    parse_rfc3339(&full).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("{field} {value:?} is not a date (YYYY-MM-DD or RFC 3339)"),
        )
    })
}

/// The sort key and direction (`true`: descending).
fn sort_of(sort: Option<&str>) -> ApiResult<(SortKey, bool)> {
    let s = sort.unwrap_or("-completed");
    let (key, desc) = match s.strip_prefix('-') {
        Some(k) => (k, true),
        None => (s, false),
    };
    SortKey::parse(key).map(|k| (k, desc)).ok_or_else(|| {
        ApiError::invalid(
            "sort",
            format!("sort {s:?} is not one of completed, score, role, candidate, reviews, stage, disagreement (a leading - for descending)"),
        )
    })
}

/// The board: interviews of the caller's roles with stage, panel
/// aggregates (submitted scores only), flags, decision and ATS sync state,
/// and the count of every stage.
#[utoipa::path(get, path = "/v1/board", tag = "decisions", params(BoardParams),
    responses((status = 200, body = BoardPage), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<BoardParams>,
) -> ApiResult<axum::Json<BoardPage>> {
    require_board(&caller)?;
    let limit = crate::cursor::limit(p.limit)?;
    let offset = match p.cursor.as_deref() {
        Some(c) if !c.is_empty() => {
            let (offset, kind) = crate::cursor::decode(c)?;
            if kind != "board" || offset < 0 {
                return Err(ApiError::bad_request(format!(
                    "cursor {c:?} is not one of the board's"
                ))
                .with_field("cursor"));
            }
            offset
        }
        _ => 0,
    };
    let stage = match p.stage.as_deref() {
        None | Some("") => None,
        Some(s) => Some(BoardStage::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "stage",
                format!(
                    "stage {s:?} is not one of invited, awaiting_reviews, ready_to_decide, decided"
                ),
            )
        })?),
    };
    for (field, v) in [("min_score", p.min_score), ("max_score", p.max_score)] {
        if v.is_some_and(|v| !v.is_finite()) {
            return Err(ApiError::invalid(
                field,
                format!("{field} must be a number"),
            ));
        }
    }
    let (key, desc) = sort_of(p.sort.as_deref())?;
    let mut scope = scope_of(&caller);
    if let Some(role) = p.role.filter(|r| !r.is_empty()) {
        crate::extract::check_text("role", &role)?;
        scope.role_id = role;
    }
    if let Some(q) = p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        crate::extract::check_text("q", q)?;
        if q.chars().count() > QUERY_MAX_CHARS {
            return Err(ApiError::invalid(
                "q",
                format!("q is longer than {QUERY_MAX_CHARS} characters"),
            ));
        }
        scope.pattern = Scope::contains(q);
    }
    if let Some(f) = p.from.as_deref().filter(|s| !s.is_empty()) {
        scope.from = date("from", f)?;
    }
    if let Some(t) = p.to.as_deref().filter(|s| !s.is_empty()) {
        scope.to = date("to", t)?;
    }
    let filters = Filters {
        min_score: p.min_score,
        max_score: p.max_score,
        disagreement: p.disagreement,
    };
    let now = state.clock.now();
    let mut conn = state.db.pool.acquire().await?;
    // Filtered, counted, sorted and paged in SQL; only the page's
    // interviews are read in full.
    let mut counts = StageCounts::default();
    for (name, n) in summary::stage_counts(&mut conn, &scope, &filters).await? {
        let slot = match BoardStage::parse(&name) {
            Some(BoardStage::Invited) => &mut counts.invited,
            Some(BoardStage::AwaitingReviews) => &mut counts.awaiting_reviews,
            Some(BoardStage::ReadyToDecide) => &mut counts.ready_to_decide,
            Some(BoardStage::Decided) => &mut counts.decided,
            None => continue,
        };
        *slot = n;
    }
    let total = match stage {
        Some(st) => counts.get(st),
        None => BoardStage::ALL.iter().map(|st| counts.get(*st)).sum(),
    };
    let spec = PageSpec {
        stage: stage.map(BoardStage::as_str).unwrap_or(""),
        key,
        desc,
        limit,
        offset,
    };
    let ids = summary::page(&mut conn, &scope, &filters, &spec).await?;
    let rows = board::rows(&mut conn, Which::Ids(&ids)).await?;
    let mut built: HashMap<String, BoardItem> = assemble::items(rows, now)?
        .into_iter()
        .map(|(i, _)| (i.id.clone(), i))
        .collect();
    let items: Vec<BoardItem> = ids.iter().filter_map(|id| built.remove(id)).collect();
    let end = offset.saturating_add(ids.len() as i64);
    let next_cursor = (end < total).then(|| crate::cursor::encode(end, "board"));
    Ok(axum::Json(BoardPage {
        items,
        next_cursor,
        counts,
        total,
    }))
}

/// Whether the caller may act on this interview's role: 404 when it does
/// not exist, 403 for a recruiter who does not recruit for its role.
pub(super) async fn authorize(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    interview_id: &str,
) -> ApiResult<String> {
    require_board(caller)?;
    let role = writes::role_of(conn, interview_id).await?.ok_or_else(|| {
        ApiError::not_found(format!("no interview {interview_id:?}")).with_field("id")
    })?;
    if caller.role != UserRole::Admin && !writes::recruits_for(conn, &caller.id, &role).await? {
        return Err(ApiError::forbidden(format!(
            "{} does not recruit for the role of interview {interview_id:?}",
            caller.name
        )));
    }
    Ok(role)
}

/// One interview of the board with its panel (every submitted reviewer's
/// rating, note and evidence per question) and the transcript of every
/// answer.
#[utoipa::path(get, path = "/v1/board/{id}", tag = "decisions",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = BoardInterview), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn board_interview(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BoardInterview>> {
    let mut conn = state.db.pool.acquire().await?;
    let role = authorize(&mut conn, &caller, &id).await?;
    let item = row(&state, &mut conn, &caller, &id).await?;
    let set = crate::store::interviews::scorecard_head(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no interview {id:?}")).with_field("id"))?
        .question_set_id;
    let panel = crate::store::assignments::panel(&mut conn, &id, &set, None).await?;
    let transcripts = board::transcripts(&mut conn, &id).await?;
    let mut answers = Vec::with_capacity(panel.questions.len());
    for q in &panel.questions {
        let found = transcripts.iter().find(|(qid, _, _)| *qid == q.question_id);
        let transcript: Vec<Cue> = match found {
            Some((_, _, json)) => serde_json::from_str(json).unwrap_or_default(),
            None => Vec::new(),
        };
        answers.push(BoardAnswer {
            question_id: q.question_id.clone(),
            position: q.position,
            prompt: q.prompt.clone(),
            response_id: found.map(|(_, rid, _)| rid.clone()),
            transcript,
        });
    }
    let pool = writes::free_pool(&mut conn, &role, &id)
        .await?
        .into_iter()
        .map(|(id, name)| PoolReviewer { id, name })
        .collect();
    Ok(axum::Json(BoardInterview {
        item,
        panel,
        answers,
        pool,
    }))
}

/// The board row of one interview the caller may see.
pub(super) async fn row(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<BoardItem> {
    let mut scope = scope_of(caller);
    scope.interview_id = id.to_string();
    let rows = board::rows(conn, Which::Scope(&scope)).await?;
    assemble::items(rows, state.clock.now())?
        .into_iter()
        .next()
        .map(|(i, _)| i)
        .ok_or_else(|| ApiError::not_found(format!("no interview {id:?}")).with_field("id"))
}
