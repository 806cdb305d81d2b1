//! Degenerate data: every statistic either has a defined value or says why
//! it has none.

use takes_irr::{
    alpha, alpha_bootstrap_ci, cohen_kappa, fleiss_kappa, icc, report, Metric, Ratings, Weights,
};

const METRICS: [Metric; 4] = [
    Metric::Nominal,
    Metric::Ordinal,
    Metric::Interval,
    Metric::Ratio,
];

fn rows(data: &[&[Option<f64>]]) -> Ratings {
    Ratings::from_rows(data)
}

fn reason<T: std::fmt::Debug>(r: Result<T, takes_irr::Undefined>) -> String {
    r.expect_err("expected Undefined").reason
}

#[test]
fn empty_data() {
    let d = Ratings::from_rows::<Vec<Option<f64>>>(&[]);
    for m in METRICS {
        assert!(reason(alpha(&d, m)).contains("no unit has ratings from two or more"));
    }
    assert!(reason(icc(&d)).contains("at least two raters"));
    assert!(reason(fleiss_kappa(&d)).contains("at least one unit"));
    assert!(reason(cohen_kappa(&[], &[], Weights::Linear, None)).contains("at least one"));
    let r = report(&d);
    assert_eq!(
        (r.n_units, r.n_raters, r.n_ratings, r.icc_units),
        (0, 0, 0, 0)
    );
    assert!(r.alpha_nominal.is_none() && r.fleiss_kappa.is_none());
}

#[test]
fn one_rater() {
    let d = rows(&[&[Some(1.0)], &[Some(2.0)], &[Some(3.0)]]);
    for m in METRICS {
        assert!(reason(alpha(&d, m)).contains("no pairable values"));
    }
    assert!(reason(icc(&d)).contains("at least two raters; there is one"));
    assert!(reason(fleiss_kappa(&d)).contains("at least two ratings per unit"));
    let r = report(&d);
    assert!(r
        .null_reason("cohen_kappa")
        .unwrap()
        .contains("exactly two raters"));
    assert!(r.null_reason("icc2_k").unwrap().contains("two raters"));
    let table = r.to_table();
    assert!(table.contains("n/a: no unit has ratings"), "{table}");
}

#[test]
fn one_unit() {
    // Two raters who disagree on the only unit: alpha and Fleiss' kappa are
    // defined (α = 0 at every level: the only pair is as far apart as chance
    // pairs are; κ = −1), the ICCs need two units.
    let d = rows(&[&[Some(1.0), Some(2.0)]]);
    for m in METRICS {
        assert_eq!(alpha(&d, m).unwrap(), 0.0, "{m:?}");
    }
    assert_eq!(fleiss_kappa(&d).unwrap(), -1.0);
    assert!(reason(icc(&d)).contains("at least two units rated by all 2 raters; found 1"));
    assert_eq!(
        cohen_kappa(&[1.0], &[2.0], Weights::Unweighted, None).unwrap(),
        0.0
    );
    // Agreeing on the only unit leaves nothing to compare against.
    let agree = rows(&[&[Some(4.0), Some(4.0)]]);
    for m in METRICS {
        assert!(reason(alpha(&agree, m)).contains("same value"));
    }
    assert!(reason(cohen_kappa(&[4.0], &[4.0], Weights::Quadratic, None)).contains("0/0"));
}

#[test]
fn all_ratings_identical() {
    let d = rows(&[
        &[Some(3.0), Some(3.0), Some(3.0)],
        &[Some(3.0), Some(3.0), Some(3.0)],
        &[Some(3.0), None, Some(3.0)],
    ]);
    for m in METRICS {
        assert!(reason(alpha(&d, m)).contains("same value"), "{m:?}");
        assert!(alpha_bootstrap_ci(&d, m, 100, 1).is_err());
    }
    assert!(reason(icc(&d)).contains("every score is the same"));
    assert!(reason(fleiss_kappa(&d)).contains("same number of ratings"));
    let complete = rows(&[&[Some(3.0), Some(3.0)], &[Some(3.0), Some(3.0)]]);
    assert!(reason(fleiss_kappa(&complete)).contains("same category"));
    let r = report(&d);
    assert!(r.alpha_interval.is_none() && r.icc3_1.is_none());
    assert_eq!(r.icc_units, 2);
}

#[test]
fn zero_variance_between_units() {
    // Both units have mean 1.5 and the raters' means are equal too, so
    // BMS = JMS = 0 while EMS > 0.
    let d = rows(&[&[Some(1.0), Some(2.0)], &[Some(2.0), Some(1.0)]]);
    let i = icc(&d).unwrap();
    assert_eq!(i.bms, 0.0);
    assert_eq!(i.icc1_1.clone().unwrap(), -1.0); // −WMS / ((k − 1) WMS)
    assert_eq!(i.icc3_1.clone().unwrap(), -1.0);
    assert!(reason(i.icc1_k).contains("same mean"));
    assert!(reason(i.icc3_k).contains("same mean"));
    assert!(reason(i.icc2_1).contains("denominator"));
    // (BMS − EMS)/(BMS + (JMS − EMS)/n) = −EMS/(−EMS/2): the Shrout–Fleiss
    // formula (and pingouin) gives 2 here; we report what it defines.
    assert_eq!(i.icc2_k.unwrap(), 2.0);
}

#[test]
fn scores_differ_only_between_raters() {
    // Every unit gets 1 from rater A and 5 from rater B: no unit variance,
    // no residual, only a rater effect.
    let d = rows(&[
        &[Some(1.0), Some(5.0)],
        &[Some(1.0), Some(5.0)],
        &[Some(1.0), Some(5.0)],
    ]);
    let i = icc(&d).unwrap();
    assert!(reason(i.icc3_1).contains("only between raters"));
    assert_eq!(i.icc2_1.unwrap(), 0.0);
}

#[test]
fn non_finite_scores_are_named() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let d = rows(&[&[Some(1.0), Some(2.0)], &[Some(2.0), Some(bad)]]);
        for m in METRICS {
            let why = reason(alpha(&d, m));
            assert!(why.contains("unit \"2\" by rater \"2\""), "{why}");
        }
        assert!(reason(icc(&d)).contains("finite"));
        assert!(reason(fleiss_kappa(&d)).contains("finite"));
        assert!(reason(cohen_kappa(
            &[1.0, bad],
            &[1.0, 2.0],
            Weights::Unweighted,
            None
        ))
        .contains("finite"));
        let r = report(&d);
        assert!(r.alpha_ordinal.is_none());
        assert!(r.null_reason("alpha_ordinal").unwrap().contains("finite"));
    }
}

#[test]
fn extreme_magnitudes_do_not_overflow() {
    let small = rows(&[
        &[Some(1.0), Some(2.0), Some(1.0)],
        &[Some(3.0), Some(3.0), Some(2.0)],
        &[Some(-1.0), Some(0.0), Some(-1.0)],
    ]);
    let big = 1e307;
    let huge = rows(&[
        &[Some(big), Some(2.0 * big), Some(big)],
        &[Some(3.0 * big), Some(3.0 * big), Some(2.0 * big)],
        &[Some(-big), Some(0.0), Some(-big)],
    ]);
    for m in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
        let (a, b) = (alpha(&small, m).unwrap(), alpha(&huge, m).unwrap());
        assert!((a - b).abs() < 1e-12, "{m:?}: {a} vs {b}");
    }
    let (a, b) = (icc(&small).unwrap(), icc(&huge).unwrap());
    assert!((a.icc2_1.unwrap() - b.icc2_1.unwrap()).abs() < 1e-12);
    let extremes = rows(&[
        &[Some(-f64::MAX), Some(f64::MAX)],
        &[Some(f64::MAX), Some(f64::MAX)],
    ]);
    assert!(alpha(&extremes, Metric::Interval).unwrap().is_finite());
    assert!(icc(&extremes).unwrap().icc1_1.unwrap().is_finite());
    let positive = rows(&[
        &[Some(f64::MAX), Some(f64::MAX)],
        &[Some(1.0), Some(f64::MAX)],
    ]);
    assert!(alpha(&positive, Metric::Ratio).unwrap().is_finite());
}

#[test]
fn negative_zero_equals_zero() {
    let d = rows(&[&[Some(0.0), Some(-0.0)], &[Some(1.0), Some(1.0)]]);
    assert_eq!(alpha(&d, Metric::Nominal).unwrap(), 1.0);
    assert_eq!(alpha(&d, Metric::Ratio).unwrap(), 1.0);
    assert_eq!(
        cohen_kappa(&[0.0, 1.0], &[-0.0, 1.0], Weights::Unweighted, None).unwrap(),
        1.0
    );
}

#[test]
fn ratio_needs_non_negative_scores() {
    let d = rows(&[&[Some(-1.0), Some(2.0)], &[Some(2.0), Some(3.0)]]);
    assert!(reason(alpha(&d, Metric::Ratio)).contains("non-negative"));
    assert!(alpha(&d, Metric::Interval).is_ok());
    // A negative score on an unpairable unit plays no part.
    let d = rows(&[
        &[Some(-1.0), None],
        &[Some(2.0), Some(3.0)],
        &[Some(1.0), Some(1.0)],
    ]);
    assert!(alpha(&d, Metric::Ratio).is_ok());
}

#[test]
fn bootstrap_edge_cases() {
    let d = rows(&[
        &[Some(1.0), Some(2.0)],
        &[Some(2.0), Some(2.0)],
        &[Some(3.0), Some(3.0)],
    ]);
    assert!(reason(alpha_bootstrap_ci(&d, Metric::Interval, 0, 1)).contains("at least one"));
    let one = rows(&[&[Some(1.0), Some(2.0)], &[Some(5.0), None]]);
    assert!(reason(alpha_bootstrap_ci(&one, Metric::Interval, 10, 1)).contains("two units"));
    // Half the resamples of two units draw one unit twice; those with no
    // variation are dropped, and the rest still give an interval.
    let two = rows(&[&[Some(1.0), Some(2.0)], &[Some(5.0), Some(5.0)]]);
    let (lo, hi) = alpha_bootstrap_ci(&two, Metric::Interval, 200, 3).unwrap();
    assert!(lo <= hi);
}

#[test]
fn cohen_kappa_input_problems() {
    let k = |a: &[f64], b: &[f64], c: Option<&[f64]>| reason(cohen_kappa(a, b, Weights::Linear, c));
    assert!(k(&[1.0, 2.0], &[1.0], None).contains("one rater has 2 and the other 1"));
    assert!(k(&[1.0, 2.0], &[1.0, 3.0], Some(&[1.0, 2.0])).contains("score 3 is not in"));
    assert!(k(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0, 2.0, 1.0])).contains("listed twice"));
    assert!(k(&[1.0, 2.0], &[1.0, 2.0], Some(&[1.0, f64::NAN])).contains("not a finite"));
}

#[test]
fn fleiss_needs_equal_counts() {
    let d = rows(&[
        &[Some(1.0), Some(2.0), None],
        &[Some(1.0), Some(1.0), Some(2.0)],
    ]);
    let why = reason(fleiss_kappa(&d));
    assert!(
        why.contains("unit \"1\" has 2 and unit \"2\" has 3"),
        "{why}"
    );
    // A unit with no ratings at all also breaks the design.
    let d = rows(&[&[Some(1.0), Some(2.0)], &[None, None]]);
    assert!(fleiss_kappa(&d).is_err());
}
