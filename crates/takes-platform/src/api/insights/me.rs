//! `GET /v1/insights/me`: any signed-in reviewer's own figures (turnaround,
//! muted-first shift, leniency), measured on the interviews they are
//! assigned to against the other reviewers of those interviews. Nothing
//! about another person comes back, only the caller's own rows.

use axum::extract::State;
use takes_api::insights::MyInsights;
use takes_api::Problem;

use super::figures::{names, reviewer_shifts, to_ratings, turnaround, with_rating_set};
use super::{convert, scope, InsightsParams};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::insights::raters;
use crate::state::AppState;
use crate::store::insights::turnaround as turnaround_store;

/// The caller's own turnaround, muted-first shift and leniency against the
/// panel (every role; recruiters and admins who review get theirs too).
#[utoipa::path(get, path = "/v1/insights/me", tag = "insights", params(InsightsParams),
    responses((status = 200, body = MyInsights), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn get_me(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<MyInsights>> {
    let (mut s, period) = scope(&caller, &params)?;
    // Every role of the interviews the caller reviews, whatever roles a
    // recruiter owns: these are the caller's own reviews.
    s.all_roles = true;
    s.reviewer_id = caller.id.clone();
    let mut conn = state.db.pool.acquire().await?;
    // The scope's reviewer keeps only the caller's own assignments.
    let own = turnaround_store::assignment_groups(&mut conn, &s, state.clock.now()).await?;
    drop(conn);
    let own: Vec<&turnaround_store::AssignmentGroup> = own.iter().collect();
    let turnaround = turnaround(caller.id.clone(), caller.name.clone(), &own);
    let name = caller.name.clone();
    let (since, until) = (period.since.clone(), period.until.clone());
    let (shift, leniency) = with_rating_set(&state, &s, period, move |set, _| {
        let shift = reviewer_shifts(set).into_iter().find(|x| x.key == name);
        let (names, rank) = names(set);
        let leniency = names
            .binary_search(&name.as_str())
            .ok()
            .and_then(|i| raters::leniency(&to_ratings(set, &rank)).remove(&(i as u32)))
            .map(|m| convert::leniency(name.clone(), &m));
        (shift, leniency)
    })
    .await?;
    Ok(axum::Json(MyInsights {
        since,
        until,
        turnaround,
        shift,
        leniency,
    }))
}
