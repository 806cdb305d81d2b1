//! Reliability figures of a units × raters table, through `takes-irr`.

use sha2::{Digest, Sha256};
use takes_api::{ConfidenceInterval, Reliability};
use takes_irr::{alpha, alpha_bootstrap_ci, icc, Metric, Ratings, Undefined};

/// Resamples for the alpha interval: enough for stable 2.5/97.5 percentiles
/// while a session's results still answer in milliseconds.
pub const BOOTSTRAP_ITERATIONS: usize = 1000;

/// A bootstrap seed derived from a stable name (a session or question set
/// id), so the same data always gives the same interval: figures that
/// wobbled between two page loads would not be believed.
pub fn seed_for(name: &str) -> u64 {
    let d = Sha256::digest(name.as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

fn split(r: Result<f64, Undefined>) -> (Option<f64>, Option<String>) {
    match r {
        // takes-irr never returns a non-finite value as Ok, but JSON has no
        // NaN, so guard anyway rather than fail serialisation.
        Ok(v) if v.is_finite() => (Some(v), None),
        Ok(v) => (None, Some(format!("the computation gave {v}"))),
        Err(e) => (None, Some(e.reason)),
    }
}

/// Alpha (ordinal and interval) with a bootstrap interval for the ordinal
/// one, and ICC(2,1) / ICC(2,k), for `table` (units × raters, `None` for a
/// missing rating). Columns are expected to be raters with at least one
/// rating: an empty column would make every unit incomplete for the ICCs.
pub fn reliability(table: &[Vec<Option<f64>>], seed: u64) -> Reliability {
    reliability_of(&Ratings::from_rows(table), seed)
}

/// [`reliability`] of ratings already in `takes-irr`'s sparse form (units
/// × raters, raters being the columns of the table).
pub fn reliability_of(data: &Ratings, seed: u64) -> Reliability {
    let n_raters = data.n_raters();
    let mut rated = vec![false; n_raters];
    let (mut units, mut ratings, mut complete) = (0usize, 0usize, 0usize);
    for u in 0..data.n_units() {
        let row = data.unit(u);
        for &(r, _) in row {
            if let Some(seen) = rated.get_mut(r) {
                *seen = true;
            }
        }
        if row.len() >= 2 {
            units += 1;
            ratings += row.len();
        }
        if n_raters > 0 && row.len() == n_raters {
            complete += 1;
        }
    }
    let raters = rated.iter().filter(|&&r| r).count();
    let (alpha_ordinal, alpha_ordinal_reason) = split(alpha(data, Metric::Ordinal));
    let (alpha_interval, alpha_interval_reason) = split(alpha(data, Metric::Interval));
    let (alpha_ordinal_ci, alpha_ordinal_ci_reason) =
        match alpha_bootstrap_ci(data, Metric::Ordinal, BOOTSTRAP_ITERATIONS, seed) {
            Ok((lower, upper)) if lower.is_finite() && upper.is_finite() => (
                Some(ConfidenceInterval {
                    lower,
                    upper,
                    level: 0.95,
                    iterations: BOOTSTRAP_ITERATIONS as i64,
                }),
                None,
            ),
            Ok(_) => (None, Some("the bootstrap gave a non-finite bound".into())),
            Err(e) => (None, Some(e.reason)),
        };
    let (icc2_1, icc2_1_reason, icc2_k, icc2_k_reason, icc_units) = match icc(data) {
        Ok(i) => {
            let (a, ar) = split(i.icc2_1);
            let (b, br) = split(i.icc2_k);
            (a, ar, b, br, i.n_units)
        }
        Err(e) => (None, Some(e.reason.clone()), None, Some(e.reason), complete),
    };
    Reliability {
        units: units as i64,
        raters: raters as i64,
        ratings: ratings as i64,
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
        icc_units: icc_units as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[i64]]) -> Vec<Vec<Option<f64>>> {
        rows.iter()
            .map(|r| r.iter().map(|&x| Some(x as f64)).collect())
            .collect()
    }

    #[test]
    fn perfect_agreement_is_one() {
        let t = table(&[&[1, 1, 1], &[3, 3, 3], &[5, 5, 5], &[2, 2, 2]]);
        let r = reliability(&t, 1);
        assert_eq!(r.units, 4);
        assert_eq!(r.raters, 3);
        assert_eq!(r.ratings, 12);
        assert_eq!(r.icc_units, 4);
        for v in [r.alpha_ordinal, r.alpha_interval, r.icc2_1, r.icc2_k] {
            assert!((v.expect("defined") - 1.0).abs() < 1e-9, "{r:?}");
        }
        let ci = r.alpha_ordinal_ci.expect("interval");
        assert!(ci.lower <= ci.upper && ci.upper <= 1.0 + 1e-9);
    }

    #[test]
    fn matches_an_independent_computation() {
        // Units × raters 4 4 4 / 3 2 3 / 1 3 2 / 5 4 5. Expected values from
        // an independent computation (numpy: the coincidence-matrix
        // definition of alpha, Shrout & Fleiss mean squares for the ICCs):
        // BMS = 4.4444, JMS = 0.0833, EMS = 0.5278.
        let t = table(&[&[4, 4, 4], &[3, 2, 3], &[1, 3, 2], &[5, 4, 5]]);
        let r = reliability(&t, 7);
        let close = |v: Option<f64>, want: f64| {
            let v = v.expect("defined");
            assert!((v - want).abs() < 1e-5, "{v} vs {want}");
        };
        close(r.alpha_interval, 0.725);
        close(r.alpha_ordinal, 0.813_272);
        close(r.icc2_1, 0.758_065);
        close(r.icc2_k, 0.903_846);
        // Same seed, same interval.
        assert_eq!(reliability(&t, 7).alpha_ordinal_ci, r.alpha_ordinal_ci);
    }

    #[test]
    fn undefined_figures_carry_a_reason() {
        // One rater: nothing is pairable.
        let r = reliability(&table(&[&[3], &[4]]), 1);
        assert_eq!(r.units, 0);
        assert_eq!(r.raters, 1);
        for (v, why) in [
            (r.alpha_ordinal, &r.alpha_ordinal_reason),
            (r.alpha_interval, &r.alpha_interval_reason),
            (r.icc2_1, &r.icc2_1_reason),
            (r.icc2_k, &r.icc2_k_reason),
        ] {
            assert!(v.is_none());
            assert!(why.as_deref().is_some_and(|w| !w.is_empty()), "{r:?}");
        }
        assert!(r.alpha_ordinal_ci.is_none() && r.alpha_ordinal_ci_reason.is_some());
        // Everyone gave the same rating everywhere: no variance.
        let flat = reliability(&table(&[&[3, 3], &[3, 3]]), 1);
        assert!(flat.alpha_interval.is_none() && flat.alpha_interval_reason.is_some());
        assert!(flat.icc2_1.is_none() && flat.icc2_1_reason.is_some());
        // Empty input.
        let empty = reliability(&[], 1);
        assert_eq!((empty.units, empty.raters, empty.icc_units), (0, 0, 0));
    }

    #[test]
    fn missing_ratings_count_for_alpha_but_not_icc() {
        let t = vec![
            vec![Some(1.0), Some(1.0), None],
            vec![Some(3.0), Some(4.0), Some(3.0)],
            vec![Some(5.0), Some(5.0), Some(4.0)],
            vec![None, Some(2.0), Some(2.0)],
        ];
        let r = reliability(&t, 3);
        assert_eq!(r.units, 4);
        assert_eq!(r.icc_units, 2);
        assert_eq!(r.ratings, 10);
        assert!(r.alpha_interval.is_some());
    }

    #[test]
    fn seeds_are_stable_per_name() {
        assert_eq!(seed_for("abc"), seed_for("abc"));
        assert_ne!(seed_for("abc"), seed_for("abd"));
    }
}
