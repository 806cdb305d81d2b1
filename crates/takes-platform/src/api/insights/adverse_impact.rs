//! `GET /v1/insights/adverse-impact`: selection rates, impact ratios and
//! Fisher's exact test per self-identified group, for recruiters (their
//! roles) and admins only. Reviewers get 403 like every organisation-wide
//! insight: self-identification is never shown to anyone who reviews.

use axum::extract::State;
use sqlx::AnyConnection;
use takes_api::self_identification::AdverseImpactReport;
use takes_api::Problem;

use super::{require_staff, scope, InsightsParams, Period};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::insights::adverse_impact::{notes, report, Answer};
use crate::state::AppState;
use crate::store::insights::Scope;
use crate::store::self_identification as store;

pub async fn adverse_impact_report(
    conn: &mut AnyConnection,
    s: &Scope,
    period: Period,
    min_cell: u64,
) -> ApiResult<AdverseImpactReport> {
    let mut rows = store::impact_rows(conn, s).await?;
    // One order on both databases (NULLs sort differently in SQL), so each
    // group's scores are added up in the same order everywhere.
    rows.sort_by(|a, b| {
        (&a.category, &a.answer, &a.decision, a.score_sum, a.score_n).cmp(&(
            &b.category,
            &b.answer,
            &b.decision,
            b.score_sum,
            b.score_n,
        ))
    });
    // The report takes one answer per interview; a row stands for
    // `interviews` alike ones.
    let answers: Vec<Answer<'_>> = rows
        .iter()
        .flat_map(|r| {
            let answer = Answer {
                category: &r.category,
                group: &r.answer,
                decision: r.decision.as_deref(),
                score: (r.score_n > 0).then(|| r.score_sum as f64 / r.score_n as f64),
            };
            std::iter::repeat_n(answer, usize::try_from(r.interviews).unwrap_or(0))
        })
        .collect();
    let categories = report(&answers, min_cell);
    Ok(AdverseImpactReport {
        since: period.since,
        until: period.until,
        min_cell_size: i64::try_from(min_cell).unwrap_or(i64::MAX),
        notes: notes(&categories, min_cell),
        categories,
    })
}

/// Adverse impact from voluntary self-identification: per category and
/// group, the selection rate at the review stage (completed -> advanced)
/// and the decision stage (advance vs reject), the impact ratio against
/// the highest group (four-fifths rule, 29 CFR 1607.4(D)), Fisher's exact
/// test, and total-score distributions. Groups and cells below the
/// server's minimum cell size (default 5) are suppressed. Recruiters see
/// their roles, admins every role; reviewers get 403.
#[utoipa::path(get, path = "/v1/insights/adverse-impact", tag = "insights", params(InsightsParams),
    responses((status = 200, body = AdverseImpactReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem, description = "Reviewers never see self-identification figures"),
              (status = 422, body = Problem)))]
pub async fn get_adverse_impact(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<AdverseImpactReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    let mut conn = state.db.pool.acquire().await?;
    let min_cell = state.config.adverse_impact.min_cell();
    Ok(axum::Json(
        adverse_impact_report(&mut conn, &s, period, min_cell).await?,
    ))
}
