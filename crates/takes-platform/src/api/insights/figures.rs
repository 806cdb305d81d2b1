//! The organisation-wide insights (recruiters and admins): funnel,
//! turnaround, score distributions with leniency and halo, the muted-first
//! shift, and reliability drift. Each `*_report` builds the wire report
//! from the store's rows; the handlers only authorize and call it, so the
//! `takes report` command reads exactly what the API serves.

use std::collections::BTreeMap;

use axum::extract::State;
use sqlx::AnyConnection;
use takes_api::insights::{
    CalibrationReliability, FunnelGroup, FunnelReport, QuarterReliability, QuestionSetDropOff,
    ReliabilityDrift, ReliabilityDriftReport, ScoreDistribution, ScoresReport, ShiftReport,
    Turnaround, TurnaroundReport,
};
use takes_api::Problem;

use super::convert::{self, u};
use super::{require_staff, scope, InsightsParams, Period};
use crate::auth::Caller;
use crate::clock::{rfc3339, Millis, HOUR};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::insights::{describe, drift, funnel, raters};
use crate::state::AppState;
use crate::store::insights::reviewing::{QuestionInfo, RatingSet};
use crate::store::insights::{
    self as store, calibration, reviewing, turnaround as turnaround_store, Scope,
};

fn counts(r: &store::FunnelRow) -> funnel::StageCounts {
    funnel::StageCounts {
        invited: u(r.invited),
        started: u(r.started),
        completed: u(r.completed),
        reviewed: u(r.reviewed),
        decided: u(r.decided),
    }
}

fn add(a: &mut funnel::StageCounts, b: funnel::StageCounts) {
    a.invited += b.invited;
    a.started += b.started;
    a.completed += b.completed;
    a.reviewed += b.reviewed;
    a.decided += b.decided;
}

fn groups(map: BTreeMap<String, (String, funnel::StageCounts)>) -> Vec<FunnelGroup> {
    map.into_iter()
        .map(|(key, (label, c))| FunnelGroup {
            key,
            label,
            stages: convert::stages(c),
        })
        .collect()
}

/// A read on a connection of its own, so a report's independent reads
/// run side by side: the database answers them on separate cores.
async fn apart<T>(
    db: &Db,
    read: impl AsyncFnOnce(&mut AnyConnection) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut conn = db.pool.acquire().await?;
    read(&mut conn).await
}

pub async fn funnel_report(db: &Db, s: &Scope, period: Period) -> ApiResult<FunnelReport> {
    let (rows, started, answered, completions) = tokio::try_join!(
        apart(db, async |c| store::funnel(c, s).await),
        apart(db, async |c| store::started_by_set(c, s).await),
        apart(db, async |c| store::answered(c, s).await),
        apart(db, async |c| store::completions(c, s).await),
    )?;
    let mut total = funnel::StageCounts::default();
    let (mut by_role, mut by_department, mut by_week) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for r in &rows {
        let c = counts(r);
        add(&mut total, c);
        add(
            &mut by_role
                .entry(r.role_id.clone())
                .or_insert_with(|| (r.title.clone(), Default::default()))
                .1,
            c,
        );
        add(
            &mut by_department
                .entry(r.department.clone())
                .or_insert_with(|| (r.department.clone(), Default::default()))
                .1,
            c,
        );
        let day: String = rfc3339(r.week).chars().take(10).collect();
        add(
            &mut by_week
                .entry(day.clone())
                .or_insert_with(|| (format!("week of {day}"), Default::default()))
                .1,
            c,
        );
    }
    let started: BTreeMap<String, i64> = started.into_iter().collect();
    let mut sets: BTreeMap<String, (QuestionSetDropOff, Vec<(u64, String)>)> = BTreeMap::new();
    for a in answered
        .into_iter()
        .filter(|a| started.contains_key(&a.question_set_id))
    {
        let entry = sets.entry(a.question_set_id.clone()).or_insert_with(|| {
            (
                QuestionSetDropOff {
                    started: started.get(&a.question_set_id).copied().unwrap_or(0),
                    question_set_id: a.question_set_id.clone(),
                    name: a.set_name.clone(),
                    version: a.version,
                    questions: Vec::new(),
                },
                Vec::new(),
            )
        });
        entry.1.push((u(a.answered), a.prompt));
    }
    let drop_off = sets
        .into_values()
        .map(|(mut set, answered)| {
            let counts: Vec<u64> = answered.iter().map(|(n, _)| *n).collect();
            set.questions = funnel::drop_off(u(set.started), &counts)
                .iter()
                .zip(answered)
                .map(|(d, (_, prompt))| convert::drop_off(d, prompt))
                .collect();
            set
        })
        .collect();
    let completions: Vec<funnel::Completion> = completions
        .into_iter()
        // Times relative to the invitation: the window figures only use
        // differences from it.
        .map(|(took, window)| funnel::Completion {
            invited_at: 0,
            expires_at: window,
            completed_at: took,
        })
        .collect();
    Ok(FunnelReport {
        since: period.since,
        until: period.until,
        total: convert::stages(total),
        by_role: groups(by_role),
        by_department: groups(by_department),
        by_week: groups(by_week),
        drop_off,
        window: convert::window(&funnel::window_use(&completions)),
    })
}

fn hours(ms: &[Millis]) -> Vec<f64> {
    ms.iter().map(|&d| d as f64 / HOUR as f64).collect()
}

/// Turnaround of a set of assignment groups (one reviewer's or one role's).
pub fn turnaround(
    key: String,
    label: String,
    groups: &[&turnaround_store::AssignmentGroup],
) -> Turnaround {
    let first: Vec<f64> = groups
        .iter()
        .flat_map(|g| hours(&g.to_first_score_ms))
        .collect();
    let submitted: Vec<f64> = groups
        .iter()
        .flat_map(|g| hours(&g.to_submitted_ms))
        .collect();
    Turnaround {
        key,
        label,
        assignments: groups.iter().map(|g| g.assignments).sum(),
        overdue: groups.iter().map(|g| g.overdue).sum(),
        to_first_score_h: convert::percentiles(&describe::percentiles(&first)),
        to_submitted_h: convert::percentiles(&describe::percentiles(&submitted)),
    }
}

pub async fn turnaround_report(
    db: &Db,
    s: &Scope,
    period: Period,
    now: Millis,
) -> ApiResult<TurnaroundReport> {
    let (groups, to_decision) = tokio::try_join!(
        apart(db, async |c| turnaround_store::assignment_groups(c, s, now)
            .await),
        apart(db, async |c| turnaround_store::to_decision_ms(c, s).await),
    )?;
    type Groups<'a> = BTreeMap<(&'a str, &'a str), Vec<&'a turnaround_store::AssignmentGroup>>;
    let (mut by_reviewer, mut by_role): (Groups, Groups) = Default::default();
    for g in &groups {
        by_reviewer
            .entry((&g.reviewer, &g.reviewer_id))
            .or_default()
            .push(g);
        by_role.entry((&g.title, &g.role_id)).or_default().push(g);
    }
    let to_decision = hours(&to_decision);
    Ok(TurnaroundReport {
        since: period.since,
        until: period.until,
        by_reviewer: by_reviewer
            .iter()
            .map(|((name, id), v)| turnaround(id.to_string(), name.to_string(), v))
            .collect(),
        by_role: by_role
            .iter()
            .map(|((title, id), v)| turnaround(id.to_string(), title.to_string(), v))
            .collect(),
        to_decision_h: convert::percentiles(&describe::percentiles(&to_decision)),
    })
}

/// A distribution's label, scale (min, max) and ratings.
type Group<'a> = (&'a str, i64, i64, Vec<i64>);

/// Ratings grouped by `key` of their question, each group with its label
/// (from its first rating) and the widest scale among its questions. The
/// key is worked out once per question, not per rating: a million ratings
/// fall into a few hundred groups.
fn distributions<F>(set: &RatingSet, key: F) -> Vec<ScoreDistribution>
where
    F: Fn(&QuestionInfo) -> (String, String),
{
    let keys: Vec<(String, String)> = set.questions.iter().map(key).collect();
    let mut order: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    order.sort_unstable();
    order.dedup();
    let group_of: Vec<usize> = keys
        .iter()
        .map(|(k, _)| order.binary_search(&k.as_str()).unwrap_or(0))
        .collect();
    let mut groups: Vec<Option<Group>> = vec![None; order.len()];
    for r in &set.rows {
        let (q, label) = (question(set, r), &keys[r.question as usize].1);
        let g = groups[group_of[r.question as usize]]
            .get_or_insert_with(|| (label, q.scale_min, q.scale_max, Vec::new()));
        g.1 = g.1.min(q.scale_min);
        g.2 = g.2.max(q.scale_max);
        g.3.push(r.rating);
    }
    order
        .into_iter()
        .zip(groups)
        .filter_map(|(k, g)| {
            let (label, lo, hi, ratings) = g?;
            Some(convert::distribution(
                k.to_string(),
                label.to_string(),
                &describe::distribution(&ratings, lo, hi),
            ))
        })
        .collect()
}

fn question<'a>(set: &'a RatingSet, r: &reviewing::Rated) -> &'a QuestionInfo {
    &set.questions[r.question as usize]
}

fn label_of(q: &QuestionInfo) -> String {
    format!("{} v{} Q{}: {}", q.title, q.version, q.position, q.prompt)
}

/// Reviewer names in ascending order, and each reviewer's index among
/// them: leniency, halo and shift are per name, as the panel knows people.
pub fn names(set: &RatingSet) -> (Vec<&str>, Vec<u32>) {
    let mut names: Vec<&str> = set.reviewers.iter().map(|(_, n)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let rank = set
        .reviewers
        .iter()
        .map(|(_, n)| names.binary_search(&n.as_str()).unwrap_or(0) as u32)
        .collect();
    (names, rank)
}

/// Ratings keyed by reviewer name rank, interview and question indices.
pub fn to_ratings(set: &RatingSet, rank: &[u32]) -> Vec<raters::Rating<u32>> {
    set.rows
        .iter()
        .map(|r| raters::Rating {
            reviewer: rank[r.reviewer as usize],
            interview: r.interview,
            question: r.question,
            rating: r.rating as f64,
        })
        .collect()
}

pub fn scores_from(set: &RatingSet, period: Period) -> ScoresReport {
    let (names, rank) = names(set);
    let ratings = to_ratings(set, &rank);
    let name = |i: &u32| names[*i as usize].to_string();
    ScoresReport {
        since: period.since,
        until: period.until,
        by_question: distributions(set, |q| (q.id.clone(), label_of(q))),
        by_competency: distributions(set, |q| (q.competency.clone(), q.competency.clone())),
        by_role: distributions(set, |q| (q.role_id.clone(), q.title.clone())),
        by_version: distributions(set, |q| {
            (
                q.question_set_id.clone(),
                format!("{} v{}", q.title, q.version),
            )
        }),
        leniency: raters::leniency(&ratings)
            .iter()
            .map(|(who, m)| convert::leniency(name(who), m))
            .collect(),
        halo: raters::halo(&ratings)
            .iter()
            .map(|(who, h)| convert::halo(name(who), h))
            .collect(),
    }
}

/// Shifts grouped by a key of each rating (a reviewer's name, or a
/// question) into `keys`, a table of `(key, label)` in key order.
fn shifts(
    set: &RatingSet,
    keys: &[(String, String)],
    key: impl Fn(&reviewing::Rated) -> u32,
) -> Vec<takes_api::insights::Shift> {
    let pairs: Vec<raters::MutedPair<u32>> = set
        .rows
        .iter()
        .filter_map(|r| {
            Some(raters::MutedPair {
                key: key(r),
                muted: r.muted_rating? as f64,
                final_rating: r.rating as f64,
            })
        })
        .collect();
    raters::muted_shift(&pairs)
        .iter()
        .map(|(k, s)| {
            let (key, label) = keys[*k as usize].clone();
            convert::shift(key, label, s)
        })
        .collect()
}

/// The muted-first shift per reviewer name.
pub fn reviewer_shifts(set: &RatingSet) -> Vec<takes_api::insights::Shift> {
    let (names, rank) = names(set);
    let keys: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.to_string(), n.to_string()))
        .collect();
    shifts(set, &keys, |r| rank[r.reviewer as usize])
}

pub fn shift_from(set: &RatingSet, period: Period) -> ShiftReport {
    let questions: Vec<(String, String)> = set
        .questions
        .iter()
        .map(|q| (q.id.clone(), label_of(q)))
        .collect();
    ShiftReport {
        since: period.since,
        until: period.until,
        by_reviewer: reviewer_shifts(set),
        by_question: shifts(set, &questions, |r| r.question),
    }
}

/// Each calibration session's reliability per question set: items ×
/// submitted raters, the session's own figures restricted to the set's
/// questions. Keyed by set id, with the set's name.
fn calibration_figures(
    rows: &[calibration::CalibrationRating],
) -> BTreeMap<String, (String, Vec<CalibrationReliability>)> {
    // (set, deadline, session) keeps sessions in deadline order.
    let mut groups: BTreeMap<(&str, Millis, &str), Vec<&calibration::CalibrationRating>> =
        BTreeMap::new();
    for r in rows {
        groups
            .entry((&r.question_set_id, r.deadline_at, &r.session_id))
            .or_default()
            .push(r);
    }
    let mut out: BTreeMap<String, (String, Vec<CalibrationReliability>)> = BTreeMap::new();
    for ((set, deadline, session), rs) in groups {
        let mut raters: Vec<&str> = rs.iter().map(|r| r.user_id.as_str()).collect();
        raters.sort_unstable();
        raters.dedup();
        let mut items: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
        for r in &rs {
            let row = items
                .entry(&r.item_id)
                .or_insert_with(|| vec![None; raters.len()]);
            if let Some(cell) = raters
                .iter()
                .position(|u| *u == r.user_id)
                .and_then(|i| row.get_mut(i))
            {
                *cell = Some(r.rating as f64);
            }
        }
        let table: Vec<Vec<Option<f64>>> = items.into_values().collect();
        let first = rs[0];
        out.entry(set.to_string())
            .or_insert_with(|| (first.set_name.clone(), Vec::new()))
            .1
            .push(CalibrationReliability {
                session_id: session.to_string(),
                title: first.title.clone(),
                deadline_at: rfc3339(deadline),
                quarter: drift::quarter_of(deadline).unwrap_or_default(),
                items: table.len() as i64,
                reliability: crate::calibration::reliability(
                    &table,
                    crate::calibration::seed_for(&format!("{session}/{set}")),
                ),
            });
    }
    out
}

pub fn drift_from(
    set: &RatingSet,
    calibrations: &[calibration::CalibrationRating],
    period: Period,
    kept: &drift::KeptReliability,
) -> ReliabilityDriftReport {
    // Question sets in id order, and each question's set as a position
    // among them: a million ratings are sorted into sets without a map
    // lookup (string comparisons) per rating.
    let mut set_ids: Vec<&str> = set
        .questions
        .iter()
        .map(|q| q.question_set_id.as_str())
        .collect();
    set_ids.sort_unstable();
    set_ids.dedup();
    let set_of: Vec<usize> = set
        .questions
        .iter()
        .map(|q| {
            set_ids
                .binary_search(&q.question_set_id.as_str())
                .unwrap_or(0)
        })
        .collect();
    // The name comes from the set's first rating, as it always has.
    let mut live: Vec<(Option<String>, Vec<drift::LiveRating<u32>>)> =
        vec![(None, Vec::new()); set_ids.len()];
    for r in &set.rows {
        let q = question(set, r);
        let Some((name, ratings)) = set_of
            .get(r.question as usize)
            .and_then(|&i| live.get_mut(i))
        else {
            continue;
        };
        name.get_or_insert_with(|| format!("{} v{}", q.title, q.version));
        ratings.push(drift::LiveRating {
            interview: r.interview,
            question: r.question,
            reviewer: r.reviewer,
            rating: r.rating,
            submitted_at: r.submitted_at,
        });
    }
    let sets = set_ids
        .into_iter()
        .zip(live)
        .filter_map(|(id, (name, ratings))| Some((id, (name?, ratings))));
    let mut sessions = calibration_figures(calibrations);
    let mut question_sets: Vec<ReliabilityDrift> = sets
        .map(|(id, (name, live))| ReliabilityDrift {
            quarters: drift::by_quarter_indexed(&live, id, kept)
                .into_iter()
                .map(|(quarter, (interviews, reliability))| QuarterReliability {
                    quarter,
                    interviews: interviews as i64,
                    reliability,
                })
                .collect(),
            calibration: sessions.remove(id).map(|(_, c)| c).unwrap_or_default(),
            question_set_id: id.to_string(),
            name,
        })
        .collect();
    // Sets calibrated but without live reviews in the period still show.
    question_sets.extend(
        sessions
            .into_iter()
            .map(|(id, (name, calibration))| ReliabilityDrift {
                question_set_id: id,
                name,
                quarters: Vec::new(),
                calibration,
            }),
    );
    ReliabilityDriftReport {
        since: period.since,
        until: period.until,
        question_sets,
    }
}

/// The scope's submitted ratings ([`RatingSet`], from the rollup checked
/// against the database), then `f` on a blocking
/// thread: the statistics (bootstraps over a million scores) must not hold
/// up the async workers.
pub async fn with_rating_set<T, F>(
    state: &AppState,
    s: &Scope,
    period: Period,
    f: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&RatingSet, Period) -> T + Send + 'static,
{
    let set = state.ratings.rating_set(&state.db, s).await?;
    tokio::task::spawn_blocking(move || f(&set, period))
        .await
        .map_err(|e| ApiError::internal(format!("the insights computation failed: {e}")))
}

/// The completion funnel by role, department and invitation week, with
/// per-question drop-off and the use of the completion window (recruiters:
/// their roles; admins).
#[utoipa::path(get, path = "/v1/insights/funnel", tag = "insights", params(InsightsParams),
    responses((status = 200, body = FunnelReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_funnel(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<FunnelReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    Ok(axum::Json(funnel_report(&state.db, &s, period).await?))
}

/// Reviewer turnaround from completion to first score and to submission,
/// overdue assignments, and completion to decision (percentiles, hours).
#[utoipa::path(get, path = "/v1/insights/turnaround", tag = "insights", params(InsightsParams),
    responses((status = 200, body = TurnaroundReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_turnaround(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<TurnaroundReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    let now = state.clock.now();
    Ok(axum::Json(
        turnaround_report(&state.db, &s, period, now).await?,
    ))
}

/// Score distributions per question, competency, role and question-set
/// version; reviewer leniency with an interval; the halo check.
#[utoipa::path(get, path = "/v1/insights/scores", tag = "insights", params(InsightsParams),
    responses((status = 200, body = ScoresReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_scores(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<ScoresReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    Ok(axum::Json(
        with_rating_set(&state, &s, period, scores_from).await?,
    ))
}

/// The muted-first shift per reviewer and per question, with a flag where
/// a shift stands out from the panel's.
#[utoipa::path(get, path = "/v1/insights/shift", tag = "insights", params(InsightsParams),
    responses((status = 200, body = ShiftReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_shift(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<ShiftReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    Ok(axum::Json(
        with_rating_set(&state, &s, period, shift_from).await?,
    ))
}

/// Live inter-rater reliability per question set and quarter (alpha
/// ordinal with interval, ICC(2,1)), with each calibration session's
/// figures on the same question set alongside.
#[utoipa::path(get, path = "/v1/insights/reliability", tag = "insights", params(InsightsParams),
    responses((status = 200, body = ReliabilityDriftReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_reliability(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<ReliabilityDriftReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    let calibrations = {
        let mut conn = state.db.pool.acquire().await?;
        calibration::ratings(&mut conn, &s, state.clock.now()).await?
    };
    let kept = state.kept_figures.clone();
    Ok(axum::Json(
        with_rating_set(&state, &s, period, move |set, p| {
            drift_from(set, &calibrations, p, &kept.reliability)
        })
        .await?,
    ))
}
