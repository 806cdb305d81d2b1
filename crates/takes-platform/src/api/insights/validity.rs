//! Outcomes after hire (`PUT /v1/outcomes/{id}`, by interview id) and downstream
//! validity (`GET /v1/insights/validity`): each question's mean rating, and
//! the total of those means, against each outcome.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use takes_api::insights::{OutcomeWrite, ValidityFigure, ValidityReport};
use takes_api::{Problem, UserRole};

use super::{require_staff, scope, InsightsParams, Period};
use crate::auth::Caller;
use crate::calibration::seed_for;
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path, Query};
use crate::insights::validity::{validity_kept, Verdict};
use crate::state::AppState;
use crate::store::audit;
use crate::store::board::writes;
use crate::store::insights::outcomes::{self, Outcome};
use crate::store::insights::Scope;
use crate::worker::{Schedule, Worker, WorkerHandle};

fn check_rating(field: &str, v: Option<f64>) -> ApiResult<()> {
    match v {
        Some(x) if !x.is_finite() => Err(ApiError::invalid(
            field,
            format!("{field} must be a finite number"),
        )),
        _ => Ok(()),
    }
}

/// Records what became of an interview's candidate (admins, and the
/// recruiters of the interview's role); replaces an earlier outcome.
#[utoipa::path(put, path = "/v1/outcomes/{id}", tag = "insights",
    params(("id" = String, Path, description = "Interview id")),
    request_body = OutcomeWrite,
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn put_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(interview_id): Path<String>,
    Json(body): Json<OutcomeWrite>,
) -> ApiResult<axum::http::StatusCode> {
    require_staff(&caller)?;
    check_text("interview_id", &interview_id)?;
    check_rating("performance_6m", body.performance_6m)?;
    check_rating("performance_12m", body.performance_12m)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let role = writes::role_of(&mut w.tx, &interview_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no interview {interview_id:?}")))?;
    if caller.role != UserRole::Admin && !writes::recruits_for(&mut w.tx, &caller.id, &role).await?
    {
        return Err(ApiError::forbidden(format!(
            "{} does not recruit for this interview's role",
            caller.name
        )));
    }
    let outcome = Outcome {
        hired: body.hired,
        performance_6m: body.performance_6m,
        performance_12m: body.performance_12m,
        employed_12m: body.employed_12m,
    };
    outcomes::put(&mut w.tx, &interview_id, &outcome, now).await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "outcome.recorded",
        ("interview", &interview_id),
        serde_json::to_value(&body)?,
    )
    .await?;
    w.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

type OutcomeValue = fn(&Outcome) -> Option<f64>;

/// A score (key, label) with its value per interview.
type ScoreSeries<'a> = (String, String, Vec<(&'a str, f64)>);

const OUTCOMES: [(&str, OutcomeValue); 4] = [
    ("hired", |o| Some(f64::from(u8::from(o.hired)))),
    ("performance_6m", |o| o.performance_6m),
    ("performance_12m", |o| o.performance_12m),
    ("employed_12m", |o| {
        o.employed_12m.map(|e| f64::from(u8::from(e)))
    }),
];

/// Spearman's rho of each question's mean rating (and of the total of the
/// means) with each outcome, with a bootstrap 95% interval, n, and a plain
/// verdict (too few below 10 hires, small below 30).
#[utoipa::path(get, path = "/v1/insights/validity", tag = "insights", params(InsightsParams),
    responses((status = 200, body = ValidityReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_validity(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<InsightsParams>,
) -> ApiResult<axum::Json<ValidityReport>> {
    require_staff(&caller)?;
    let (s, period) = scope(&caller, &params)?;
    Ok(axum::Json(validity_report(&state, s, period).await?))
}

/// The validity report of a scope. Its intervals are kept by their input
/// (`state.kept_figures`), so a report whose hires and ratings did not
/// change is not drawn again; [`warm`] draws the organisation's at start.
pub async fn validity_report(
    state: &AppState,
    s: Scope,
    period: Period,
) -> ApiResult<ValidityReport> {
    let (recorded, questions) = {
        let mut conn = state.db.pool.acquire().await?;
        let recorded = outcomes::all(&mut conn).await?;
        (recorded, outcomes::question_labels(&mut conn).await?)
    };
    let wanted = recorded.iter().map(|(id, _)| id.clone()).collect();
    let cells = state.ratings.cell_sums(&state.db, &s, wanted).await?;
    let rated = outcomes::rated_interviews(recorded, cells, &questions)?;
    let kept = state.kept_figures.clone();
    let report = tokio::task::spawn_blocking(move || -> ApiResult<ValidityReport> {
        let by_position: BTreeMap<(&str, i64), &outcomes::QuestionLabel> = questions
            .iter()
            .map(|q| ((q.question_set_id.as_str(), q.position), q))
            .collect();
        let known: BTreeMap<&str, &Outcome> = rated
            .iter()
            .map(|r| (r.interview_id.as_str(), &r.outcome))
            .collect();
        // (interview, question, mean) of every cell, in that order: the
        // pairs of each question are in interview order, and each total
        // adds its means in question order, as the figures always did.
        let mut cells: Vec<(&str, &outcomes::QuestionLabel, f64)> = Vec::new();
        for r in &rated {
            for &[position, sum, n] in &r.cells {
                let q = by_position
                    .get(&(r.question_set_id.as_str(), position))
                    .ok_or_else(|| {
                        ApiError::internal(format!(
                            "question {position} of set {} is gone",
                            r.question_set_id
                        ))
                    })?;
                cells.push((&r.interview_id, q, sum as f64 / n as f64));
            }
        }
        cells.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        let mut labels: BTreeMap<&str, String> = BTreeMap::new();
        let mut per_question: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
        let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
        for &(interview, q, mean) in &cells {
            labels.entry(&q.id).or_insert_with(|| {
                format!("{} v{} Q{}: {}", q.title, q.version, q.position, q.prompt)
            });
            per_question
                .entry(&q.id)
                .or_default()
                .push((interview, mean));
            *totals.entry(interview).or_default() += mean;
        }
        let mut scores: Vec<ScoreSeries> = per_question
            .into_iter()
            .map(|(q, v)| (q.to_string(), labels.get(q).cloned().unwrap_or_default(), v))
            .collect();
        scores.push((
            "total".into(),
            "Total score".into(),
            totals.into_iter().collect(),
        ));
        // Every (series, outcome) figure's pairs, then the figures drawn
        // on every core: a figure whose input changed (a new hire, a new
        // sheet on a hired candidate) draws its 2,000 resamples again.
        let known = &known;
        let jobs: Vec<Job> = scores
            .iter()
            .enumerate()
            .flat_map(|(k, (_, _, values))| {
                OUTCOMES.iter().map(move |(outcome, value)| {
                    let pairs = values
                        .iter()
                        .filter_map(|(i, score)| Some((*score, value(known.get(*i)?)?)))
                        .collect();
                    (k, *outcome, pairs)
                })
            })
            .collect();
        let drawn = on_every_core(&jobs, |(k, outcome, pairs)| {
            validity_kept(
                pairs,
                seed_for(&format!("{}/{outcome}", scores[*k].0)),
                &kept.validity,
            )
        });
        let mut figures = Vec::new();
        let mut not_predicting = Vec::new();
        for (k, (key, label, _)) in scores.iter().enumerate() {
            let mut judged = false;
            let mut predicts = false;
            for ((_, outcome, _), v) in jobs.iter().zip(&drawn).filter(|((j, _, _), _)| *j == k) {
                judged |= matches!(v.verdict, Verdict::Predicts | Verdict::DoesNotPredict);
                predicts |= v.verdict == Verdict::Predicts;
                figures.push(ValidityFigure {
                    key: key.clone(),
                    label: label.clone(),
                    outcome: outcome.to_string(),
                    n: v.n as i64,
                    rho: v.rho,
                    lower: v.lower,
                    upper: v.upper,
                    verdict: v.verdict.as_str().to_string(),
                });
            }
            if judged && !predicts && key != "total" {
                not_predicting.push(label.clone());
            }
        }
        Ok(ValidityReport {
            since: period.since,
            until: period.until,
            figures,
            not_predicting,
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("the validity computation failed: {e}")))??;
    Ok(report)
}

/// One figure to draw: its series (index into the report's series), its
/// outcome, and the (score, outcome) pairs.
type Job<'a> = (usize, &'a str, Vec<(f64, f64)>);

/// `f` of every job, in the jobs' order, computed on as many threads as
/// the machine has cores (job `i` on thread `i mod threads`, so the big
/// figures at the end, the total score's, spread over the threads too).
fn on_every_core<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, jobs.len().max(1));
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(jobs.len()).collect();
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, j)| (i, f(j)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A panicking draw is a bug; it is re-raised here, inside the
            // blocking task, which reports it as an internal error.
            let done = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, r) in done {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter().flatten().collect()
}

/// How often the organisation's validity is drawn in the background: its
/// intervals then wait, kept, for the next request (the first unfiltered
/// request on a new server drew every interval itself: about 3.6 s at
/// 100,000 interviews).
const WARM_EVERY: Duration = Duration::from_secs(10 * 60);

/// Draws the whole organisation's validity report at start and then every
/// [`WARM_EVERY`], so its intervals are kept before anyone asks.
pub fn warm(state: AppState) -> WorkerHandle {
    WorkerHandle::spawn(Warm { state }, Schedule::every(WARM_EVERY))
}

struct Warm {
    state: AppState,
}

impl Worker for Warm {
    const NAME: &'static str = "insights-validity-warm";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        let everything = Scope {
            all_roles: true,
            user_id: String::new(),
            role_id: String::new(),
            department: String::new(),
            reviewer_id: String::new(),
            from: Millis::MIN,
            to: Millis::MAX,
        };
        let period = Period {
            since: None,
            until: None,
        };
        validity_report(&self.state, everything, period)
            .await
            .map_err(|e| anyhow::anyhow!("drawing the organisation's validity: {e}"))?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::on_every_core;

    #[test]
    fn every_job_is_done_once_and_answers_in_the_jobs_order() {
        for n in [0usize, 1, 2, 3, 17] {
            let jobs: Vec<usize> = (0..n).collect();
            let seen = std::sync::atomic::AtomicUsize::new(0);
            let out = on_every_core(&jobs, |j| {
                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                j * 10
            });
            assert_eq!(out, (0..n).map(|j| j * 10).collect::<Vec<_>>());
            assert_eq!(seen.into_inner(), n);
        }
    }
}
