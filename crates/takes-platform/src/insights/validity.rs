//! Downstream validity: does a score predict an outcome after hire?
//! Spearman's rank correlation with a percentile bootstrap interval, and a
//! plain verdict when there are too few hires to say.

use super::inference::SplitMix64;

/// Below this many (score, outcome) pairs no correlation is reported: the
/// interval would span most of −1..1 and invite reading noise.
pub const MIN_PAIRS: usize = 10;
/// Below this, a correlation is shown but marked as based on few hires.
pub const SMALL_PAIRS: usize = 30;
/// Resamples for the interval.
pub const BOOTSTRAP_ITERATIONS: usize = 2000;

/// Ranks 1..=n with ties given their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share ranks start+1..=end.
        let avg = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = avg;
        }
        start = end;
    }
    out
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    let d = (sxx * syy).sqrt();
    (d > 0.0).then(|| (sxy / d).clamp(-1.0, 1.0))
}

/// Spearman's rho: Pearson's correlation of the average ranks; `None`
/// when either side has no variation or the lengths differ.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// One score's correlation with one outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Validity {
    pub n: usize,
    pub rho: Option<f64>,
    /// Percentile bootstrap 95% interval (pairs resampled together).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer than [`MIN_PAIRS`] hires with this outcome.
    TooFew,
    /// A figure, but from fewer than [`SMALL_PAIRS`] hires.
    Small,
    /// The interval excludes 0 and rho is positive.
    Predicts,
    /// The interval includes 0 (or rho is not positive): no evidence that
    /// this score predicts the outcome.
    DoesNotPredict,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::TooFew => "too_few",
            Verdict::Small => "small",
            Verdict::Predicts => "predicts",
            Verdict::DoesNotPredict => "does_not_predict",
        }
    }
}

pub fn validity(pairs: &[(f64, f64)], seed: u64) -> Validity {
    let n = pairs.len();
    let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    if n < MIN_PAIRS {
        return Validity {
            n,
            rho: None,
            lower: None,
            upper: None,
            verdict: Verdict::TooFew,
        };
    }
    let rho = spearman(&x, &y);
    let (lower, upper) = bootstrap(pairs, seed).unzip();
    let verdict = if n < SMALL_PAIRS {
        Verdict::Small
    } else if rho.is_some_and(|r| r > 0.0) && lower.is_some_and(|l| l > 0.0) {
        Verdict::Predicts
    } else {
        Verdict::DoesNotPredict
    };
    Validity {
        n,
        rho,
        lower,
        upper,
        verdict,
    }
}

fn bootstrap(pairs: &[(f64, f64)], seed: u64) -> Option<(f64, f64)> {
    let n = pairs.len();
    let mut rng = SplitMix64(seed);
    let mut draws = Vec::with_capacity(BOOTSTRAP_ITERATIONS);
    let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..BOOTSTRAP_ITERATIONS {
        for i in 0..n {
            let (a, b) = pairs[rng.below(n)];
            x[i] = a;
            y[i] = b;
        }
        // A resample with no variation on a side has no rho; skip it.
        if let Some(r) = spearman(&x, &y) {
            draws.push(r);
        }
    }
    if draws.len() * 2 < BOOTSTRAP_ITERATIONS {
        return None;
    }
    draws.sort_unstable_by(f64::total_cmp);
    Some((
        super::describe::quantile_sorted(&draws, 0.025)?,
        super::describe::quantile_sorted(&draws, 0.975)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        // 10, 20, 20, 30: ranks 1, (2+3)/2 = 2.5, 2.5, 4.
        assert_eq!(ranks(&[20.0, 10.0, 30.0, 20.0]), [2.5, 1.0, 4.0, 2.5]);
    }

    #[test]
    fn spearman_by_hand() {
        // x 1..5, y 2 1 4 3 5: d = -1 1 -1 1 0, sum d^2 = 4,
        // rho = 1 - 6 * 4 / (5 * 24) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!((rho.unwrap_or(0.0) - 0.8).abs() < 1e-12);
        // Reversed order: -1. No variation: undefined.
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN], &[1.0, 2.0]), None);
    }

    #[test]
    fn too_few_hires_are_said_plainly() {
        let pairs: Vec<_> = (0..9).map(|i| (i as f64, i as f64)).collect();
        let v = validity(&pairs, 1);
        assert_eq!((v.verdict, v.rho), (Verdict::TooFew, None));
    }

    #[test]
    fn a_monotone_outcome_predicts_and_noise_does_not() {
        // 40 hires, outcome = score: every resample with variation has
        // rho = 1, so the interval is [1, 1].
        let pairs: Vec<_> = (0..40)
            .map(|i| ((i % 5) as f64, (i % 5) as f64 * 2.0))
            .collect();
        let v = validity(&pairs, 7);
        assert_eq!(v.rho, Some(1.0));
        assert_eq!((v.lower, v.upper), (Some(1.0), Some(1.0)));
        assert_eq!(v.verdict, Verdict::Predicts);
        // Outcome independent of score by construction: the score cycles
        // with period 5, the outcome with period 8 over 40 = lcm(5, 8)
        // hires, so every (score, outcome) combination occurs exactly once
        // and rho is 0.
        let pairs: Vec<_> = (0..40).map(|i| ((i % 5) as f64, (i % 8) as f64)).collect();
        let v = validity(&pairs, 7);
        assert!(v.rho.unwrap_or(1.0).abs() < 1e-12);
        assert!(v.lower.unwrap_or(1.0) < 0.0 && v.upper.unwrap_or(-1.0) > 0.0);
        assert_eq!(v.verdict, Verdict::DoesNotPredict);
        // Same seed, same interval.
        assert_eq!(validity(&pairs, 7), v);
    }

    #[test]
    fn between_ten_and_thirty_is_small() {
        let pairs: Vec<_> = (0..12).map(|i| (i as f64, (i * i) as f64)).collect();
        let v = validity(&pairs, 3);
        assert_eq!(v.verdict, Verdict::Small);
        assert_eq!(v.rho, Some(1.0));
    }
}
