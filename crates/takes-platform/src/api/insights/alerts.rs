//! `GET /v1/insights/alerts`: the completion drop rule
//! (`insights::alert`, docs/INSIGHTS.md §2) run now over every role in
//! scope: invitations whose window closed in the last `days` against the
//! `4 × days` before.

use std::collections::BTreeMap;

use axum::extract::State;
use serde::Deserialize;
use sqlx::AnyConnection;
use takes_api::insights::{AlertsReport, CompletionCheck};
use takes_api::Problem;
use utoipa::IntoParams;

use super::convert::u;
use super::{require_staff, scope, InsightsParams};
use crate::auth::Caller;
use crate::clock::{rfc3339, Millis, DAY};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::insights::alert::{check, Period, Rule, Verdict};
use crate::state::AppState;
use crate::store::insights::alerts::{self as store, Periods, Setup};
use crate::store::insights::Scope;

pub const DEFAULT_DAYS: i64 = 14;
/// The baseline is this many recent periods long.
pub const BASELINE_PERIODS: i64 = 4;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Only this role (id).
    role: Option<String>,
    /// Only roles of this department.
    department: Option<String>,
    /// Length of the recent period in days, 1 to 90 (default 14).
    days: Option<String>,
}

fn days(value: Option<&str>) -> ApiResult<i64> {
    match value {
        None | Some("") => Ok(DEFAULT_DAYS),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=90).contains(d))
            .ok_or_else(|| {
                ApiError::invalid(
                    "days",
                    format!("days {v:?} is not a whole number from 1 to 90"),
                )
            }),
    }
}

/// The most used (version, window) of a role in a period.
fn usual(setups: &[&Setup], recent: bool) -> Option<(i64, i64)> {
    setups
        .iter()
        .filter(|s| s.recent == recent)
        .max_by_key(|s| (s.invitations, -s.version))
        .map(|s| (s.version, s.window_h))
}

fn changes(setups: &[&Setup]) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some((bv, bw)), Some((rv, rw))) = (usual(setups, false), usual(setups, true)) {
        if bv != rv {
            out.push(format!("question set version {rv} replaced version {bv}"));
        }
        if bw != rw {
            out.push(format!("completion window {bw} h became {rw} h"));
        }
    }
    out
}

/// Every role's check; the API and the notifier share it.
pub async fn checks(
    conn: &mut AnyConnection,
    s: &Scope,
    p: Periods,
) -> ApiResult<Vec<CompletionCheck>> {
    let rows = store::completion(conn, s, p).await?;
    let setups = store::setups(conn, s, p).await?;
    let mut by_role: BTreeMap<&str, Vec<&Setup>> = BTreeMap::new();
    for x in &setups {
        by_role.entry(&x.role_id).or_default().push(x);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let recent = Period {
                invited: u(r.recent_invited),
                completed: u(r.recent_completed),
            };
            let baseline = Period {
                invited: u(r.baseline_invited),
                completed: u(r.baseline_completed),
            };
            let rate = |p: Period| (p.invited > 0).then(|| p.completed as f64 / p.invited as f64);
            let (verdict, z, p_value) = match check(recent, baseline, Rule::default()) {
                Verdict::TooFew => ("too_few", None, None),
                Verdict::Quiet { p, .. } => ("quiet", None, Some(p)),
                Verdict::Dropped { z, p, .. } => ("dropped", Some(z), Some(p)),
            };
            CompletionCheck {
                changes: by_role
                    .get(r.role_id.as_str())
                    .map(|s| changes(s))
                    .unwrap_or_default(),
                role_id: r.role_id,
                title: r.title,
                verdict: verdict.to_string(),
                recent_invited: r.recent_invited,
                recent_completed: r.recent_completed,
                baseline_invited: r.baseline_invited,
                baseline_completed: r.baseline_completed,
                recent_rate: rate(recent),
                baseline_rate: rate(baseline),
                z,
                p_value,
            }
        })
        .collect())
}

pub fn periods(now: Millis, days: i64) -> Periods {
    let split = now - days * DAY;
    Periods {
        baseline_from: split - BASELINE_PERIODS * days * DAY,
        split,
        now,
    }
}

/// Completion drop alerts: each role's completion rate over invitations
/// whose window closed in the last `days`, tested against the 4 × `days`
/// before (two-proportion test, p < 0.001, at least 10 points, at least 30
/// invitations in each period), with what changed between the periods.
#[utoipa::path(get, path = "/v1/insights/alerts", tag = "insights", params(AlertParams),
    responses((status = 200, body = AlertsReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AlertParams>,
) -> ApiResult<axum::Json<AlertsReport>> {
    require_staff(&caller)?;
    let days = days(params.days.as_deref())?;
    let filters = InsightsParams {
        role: params.role,
        department: params.department,
        ..Default::default()
    };
    let (s, _) = scope(&caller, &filters)?;
    let p = periods(state.clock.now(), days);
    let mut conn = state.db.pool.acquire().await?;
    let checked = checks(&mut conn, &s, p).await?;
    Ok(axum::Json(AlertsReport {
        days,
        baseline_from: rfc3339(p.baseline_from),
        recent_from: rfc3339(p.split),
        until: rfc3339(p.now),
        alerts: checked
            .iter()
            .filter(|c| c.verdict == "dropped")
            .cloned()
            .collect(),
        checked,
    }))
}
