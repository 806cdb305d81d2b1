//! Reliability of live reviewing: per question set, over interviews that two
//! or more reviewers scored and submitted, so drift between calibration
//! sessions shows. Units are (interview, question) pairs, raters the
//! reviewers; `since`/`until` pick submissions in a window so periods can
//! be compared.

use std::collections::BTreeMap;

use axum::extract::State;
use serde::Deserialize;
use takes_api::{JobRoleView, Problem, QuestionSetReliability, ReliabilityReport};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::calibration as calc;
use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Query};
use crate::state::AppState;
use crate::store::assignments;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReliabilityParams {
    /// Only this question set (default: every question set).
    question_set: Option<String>,
    /// RFC 3339: only reviews submitted at or after this time.
    since: Option<String>,
    /// RFC 3339: only reviews submitted before this time.
    until: Option<String>,
}

fn time_param(field: &str, value: Option<&str>) -> ApiResult<Option<Millis>> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => parse_rfc3339(v).map(Some).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("{field} {v:?} is not an RFC 3339 time such as 2026-07-01T00:00:00Z"),
            )
        }),
    }
}

/// Krippendorff's alpha (ordinal, interval, with a bootstrap interval) and
/// ICC(2,1)/ICC(2,k) of submitted live reviews, per question set
/// (recruiters and admins).
#[utoipa::path(get, path = "/v1/reliability", tag = "calibration", params(ReliabilityParams),
    responses((status = 200, body = ReliabilityReport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reliability(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ReliabilityParams>,
) -> ApiResult<axum::Json<ReliabilityReport>> {
    caller.require_decider()?;
    let since = time_param("since", params.since.as_deref())?;
    let until = time_param("until", params.until.as_deref())?;
    if let (Some(s), Some(u)) = (since, until) {
        if s >= u {
            return Err(ApiError::invalid(
                "until",
                format!("until {} is not after since {}", rfc3339(u), rfc3339(s)),
            ));
        }
    }
    let filter = match params.question_set.as_deref() {
        None | Some("") => None,
        Some(id) => {
            check_text("question_set", id)?;
            Some(id.to_string())
        }
    };
    let mut conn = state.db.pool.acquire().await?;
    let sets = assignments::reliability_sets(&mut conn, filter.as_deref()).await?;
    if let (Some(id), true) = (&filter, sets.is_empty()) {
        return Err(
            ApiError::not_found(format!("no question set {id:?}")).with_field("question_set")
        );
    }
    let (lo, hi) = (since.unwrap_or(i64::MIN), until.unwrap_or(i64::MAX));
    let mut inputs = Vec::with_capacity(sets.len());
    for set in sets {
        let ratings = assignments::reliability_ratings(&mut conn, &set.id, lo, hi).await?;
        let triples = ratings
            .into_iter()
            .map(|r| ((r.interview_id, r.question_id), r.reviewer_id, r.rating))
            .collect::<Vec<_>>();
        inputs.push((
            set.id,
            set.name,
            JobRoleView {
                title: set.title,
                department: set.department,
            },
            triples,
        ));
    }
    drop(conn);
    // The bootstraps are CPU work; keep them off the async workers.
    let question_sets = tokio::task::spawn_blocking(move || {
        inputs
            .into_iter()
            .map(|(id, name, role, triples)| {
                let (interviews, table) = to_table(triples);
                QuestionSetReliability {
                    reliability: calc::reliability(&table, calc::seed_for(&id)),
                    question_set_id: id,
                    name,
                    role,
                    interviews,
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::internal(format!("the reliability computation failed: {e}")))?;
    Ok(axum::Json(ReliabilityReport {
        since: since.map(rfc3339),
        until: until.map(rfc3339),
        question_sets,
    }))
}

type Unit = (String, String);

/// Units × raters from `(unit, rater, rating)`, in a stable order (sorted
/// ids), with the number of distinct interviews.
fn to_table(triples: Vec<(Unit, String, i64)>) -> (i64, Vec<Vec<Option<f64>>>) {
    let mut raters: BTreeMap<String, usize> = BTreeMap::new();
    for (_, r, _) in &triples {
        let next = raters.len();
        raters.entry(r.clone()).or_insert(next);
    }
    // Column order by rater id, independent of row order from the database.
    for (i, v) in raters.values_mut().enumerate() {
        *v = i;
    }
    let mut units: BTreeMap<Unit, Vec<Option<f64>>> = BTreeMap::new();
    for (unit, rater, rating) in triples {
        let row = units
            .entry(unit)
            .or_insert_with(|| vec![None; raters.len()]);
        if let Some(col) = raters.get(&rater).and_then(|&c| row.get_mut(c)) {
            *col = Some(rating as f64);
        }
    }
    let interviews = units
        .keys()
        .map(|(i, _)| i)
        .collect::<std::collections::BTreeSet<_>>()
        .len() as i64;
    (interviews, units.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_units_by_raters_table() {
        let u = |i: &str, q: &str| (i.to_string(), q.to_string());
        let (n, t) = to_table(vec![
            (u("i1", "q1"), "bob".into(), 4),
            (u("i1", "q1"), "amy".into(), 3),
            (u("i1", "q2"), "amy".into(), 2),
            (u("i2", "q1"), "cat".into(), 5),
            (u("i2", "q1"), "bob".into(), 5),
        ]);
        assert_eq!(n, 2);
        // Raters amy, bob, cat; units (i1,q1), (i1,q2), (i2,q1).
        assert_eq!(
            t,
            vec![
                vec![Some(3.0), Some(4.0), None],
                vec![Some(2.0), None, None],
                vec![None, Some(5.0), Some(5.0)],
            ]
        );
        assert_eq!(to_table(Vec::new()), (0, Vec::new()));
    }
}
