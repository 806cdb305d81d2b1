//! A calibration session's results whose every figure is computed from its
//! ratings with `takes-irr`, as the server computes them.

use takes_api::*;

use crate::wire::{assignment, rfc, HOUR, NOW_MS};

/// Reviewers of [`calibration_results`]: name, "is me".
const PEOPLE: [(&str, bool); 3] = [
    ("Riley Chen", true),
    ("Sam Okoro", false),
    ("Jordan Alvarez", false),
];

/// Their ratings, one row per reviewer, one column per item.
pub const RESULT_RATINGS: [[i64; 4]; 3] = [[3, 4, 2, 4], [4, 4, 4, 5], [3, 4, 5, 4]];

/// Seed of the alpha interval's bootstrap, so the fixture is stable.
const BOOTSTRAP_SEED: u64 = 1;
const BOOTSTRAP_ITERATIONS: usize = 1000;

/// Reliability of [`RESULT_RATINGS`], computed by `takes-irr` as the server
/// does (items are the units, reviewers the raters).
pub fn results_reliability() -> Reliability {
    let table: Vec<Vec<Option<f64>>> = (0..4)
        .map(|i| RESULT_RATINGS.iter().map(|r| Some(r[i] as f64)).collect())
        .collect();
    let data = takes_irr::Ratings::from_rows(&table);
    let split = |r: Result<f64, takes_irr::Undefined>| match r {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e.reason)),
    };
    let (alpha_ordinal, alpha_ordinal_reason) =
        split(takes_irr::alpha(&data, takes_irr::Metric::Ordinal));
    let (alpha_interval, alpha_interval_reason) =
        split(takes_irr::alpha(&data, takes_irr::Metric::Interval));
    let (alpha_ordinal_ci, alpha_ordinal_ci_reason) = match takes_irr::alpha_bootstrap_ci(
        &data,
        takes_irr::Metric::Ordinal,
        BOOTSTRAP_ITERATIONS,
        BOOTSTRAP_SEED,
    ) {
        Ok((lower, upper)) => (
            Some(ConfidenceInterval {
                lower,
                upper,
                level: 0.95,
                iterations: BOOTSTRAP_ITERATIONS as i64,
            }),
            None,
        ),
        Err(e) => (None, Some(e.reason)),
    };
    let (icc2_1, icc2_1_reason, icc2_k, icc2_k_reason, icc_units) = match takes_irr::icc(&data) {
        Ok(i) => {
            let (a, ar) = split(i.icc2_1);
            let (b, br) = split(i.icc2_k);
            (a, ar, b, br, i.n_units as i64)
        }
        Err(e) => (None, Some(e.reason.clone()), None, Some(e.reason), 0),
    };
    Reliability {
        units: 4,
        raters: 3,
        ratings: 12,
        alpha_ordinal,
        alpha_ordinal_reason,
        alpha_interval,
        alpha_interval_reason,
        alpha_ordinal_ci,
        alpha_ordinal_ci_reason,
        icc2_1,
        icc2_1_reason,
        icc2_k,
        icc2_k_reason,
        icc_units,
    }
}

/// Each reviewer's mean deviation from the item means (which include the
/// reviewer), as the server computes it.
pub fn results_deviations() -> [f64; 3] {
    let means: Vec<f64> = (0..4)
        .map(|i| RESULT_RATINGS.iter().map(|r| r[i] as f64).sum::<f64>() / 3.0)
        .collect();
    RESULT_RATINGS.map(|r| {
        r.iter()
            .zip(&means)
            .map(|(v, m)| *v as f64 - m)
            .sum::<f64>()
            / 4.0
    })
}

/// Results of three reviewers over four items; item 3 flagged. Every
/// figure is computed from [`RESULT_RATINGS`].
pub fn calibration_results() -> CalibrationResults {
    let a = assignment("cal");
    let items = a
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let rs: Vec<i64> = RESULT_RATINGS.iter().map(|r| r[i]).collect();
            let mean = rs.iter().sum::<i64>() as f64 / 3.0;
            let (lo, hi) = (
                rs.iter().copied().min().unwrap_or(0),
                rs.iter().copied().max().unwrap_or(0),
            );
            let spread = hi - lo;
            let mut flag_reasons = Vec::new();
            if spread >= 2 {
                flag_reasons.push(FlagReason::Spread);
            }
            if lo < q.rubric.pass_score && hi >= q.rubric.pass_score {
                flag_reasons.push(FlagReason::PassLine);
            }
            ItemResult {
                item_id: format!("item-{}", i + 1),
                position: i as i64 + 1,
                prompt: q.prompt.clone(),
                competency: q.competency.clone(),
                rubric: q.rubric.clone(),
                scores: PEOPLE
                    .iter()
                    .zip(rs.iter())
                    .map(|((n, me), r)| ItemResultScore {
                        reviewer_id: n.to_lowercase().replace(' ', "-"),
                        name: n.to_string(),
                        is_me: *me,
                        rating: *r,
                        note: (i == 2 && !me).then(|| "Outcome was never stated.".to_string()),
                    })
                    .collect(),
                mean: Some(mean),
                median: None,
                spread: Some(spread),
                flagged: !flag_reasons.is_empty(),
                flag_reasons,
                notes: if i == 2 {
                    vec![CalibrationNote {
                        id: "n1".into(),
                        item_id: "item-3".into(),
                        author_id: "sam-okoro".into(),
                        author_name: "Sam Okoro".into(),
                        text: "Anchor 3 needs a clearer outcome line.".into(),
                        created_at: rfc(NOW_MS),
                    }]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    CalibrationResults {
        session_id: "cal-1".into(),
        title: "2026 Q4 — Backend screen".into(),
        deadline_at: rfc(NOW_MS + 72 * HOUR),
        closed: false,
        revealed_at: None,
        items,
        reviewers: PEOPLE
            .iter()
            .zip(results_deviations())
            .map(|((n, me), d)| ReviewerResult {
                reviewer_id: n.to_lowercase().replace(' ', "-"),
                name: n.to_string(),
                is_me: *me,
                status: CalibrationStatus::Submitted,
                submitted_at: Some(rfc(NOW_MS)),
                items_scored: 4,
                mean_deviation: Some(d),
                // The server's band: half a point either way is in line.
                tendency: Some(if d <= -0.5 {
                    Tendency::Severe
                } else if d >= 0.5 {
                    Tendency::Lenient
                } else {
                    Tendency::InLine
                }),
            })
            .collect(),
        reliability: results_reliability(),
    }
}
