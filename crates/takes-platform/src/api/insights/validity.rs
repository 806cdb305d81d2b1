//! Outcomes after hire (`PUT /v1/outcomes/{id}`, by interview id) and downstream
//! validity (`GET /v1/insights/validity`): each question's mean rating, and
//! the total of those means, against each outcome.

use std::collections::BTreeMap;

use axum::extract::State;
use takes_api::insights::{OutcomeWrite, ValidityFigure, ValidityReport};
use takes_api::{Problem, UserRole};

use super::{require_staff, scope, InsightsParams};
use crate::auth::Caller;
use crate::calibration::seed_for;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json, Path, Query};
use crate::insights::validity::{validity_kept, Verdict};
use crate::state::AppState;
use crate::store::audit;
use crate::store::board::writes;
use crate::store::insights::outcomes::{self, Outcome};

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
    let (rated, questions) = {
        let mut conn = state.db.pool.acquire().await?;
        let rated = outcomes::rated_interviews(&mut conn, &s).await?;
        (rated, outcomes::question_labels(&mut conn).await?)
    };
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
        let mut figures = Vec::new();
        let mut not_predicting = Vec::new();
        for (key, label, values) in &scores {
            let mut judged = false;
            let mut predicts = false;
            for (outcome, value) in OUTCOMES {
                let pairs: Vec<(f64, f64)> = values
                    .iter()
                    .filter_map(|(i, score)| Some((*score, value(known.get(*i)?)?)))
                    .collect();
                let v = validity_kept(
                    &pairs,
                    seed_for(&format!("{key}/{outcome}")),
                    &kept.validity,
                );
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
    Ok(axum::Json(report))
}
