//! Descriptive figures shared by the insights: percentiles of durations
//! and the distribution of ratings on a question's scale.

/// The `p` quantile (0..=1) of sorted values with linear interpolation
/// between closest ranks (Hyndman & Fan type 7, the default of R and
/// NumPy), so figures match what an analyst gets from the same data.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = p.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let a = *sorted.get(lo)?;
    let b = *sorted.get(hi)?;
    Some(a + (h - lo as f64) * (b - a))
}

/// Median, 90th percentile and maximum of a set of durations or other
/// non-negative quantities (`None` each when there are no values).
#[derive(Clone, Debug, PartialEq)]
pub struct Percentiles {
    pub n: usize,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
}

/// Percentiles of `values`; non-finite values are left out (they cannot
/// come from the database, but a bad clock should not poison a figure).
pub fn percentiles(values: &[f64]) -> Percentiles {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    Percentiles {
        n: sorted.len(),
        p50: quantile_sorted(&sorted, 0.5),
        p90: quantile_sorted(&sorted, 0.9),
        max: sorted.last().copied(),
    }
}

/// Mean and sample standard deviation (n − 1); `None` where undefined.
pub fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = values.len();
    if n == 0 {
        return (None, None);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (Some(mean), Some((ss / (n - 1) as f64).sqrt()))
}

/// How ratings of one question (or competency, role, version) spread over
/// its scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    /// `(score, count)` for every score from `scale_min` to `scale_max`,
    /// zeros included, so histograms line up across questions.
    pub counts: Vec<(i64, u64)>,
    /// Ratings outside the scale (a scale edited after scoring); counted,
    /// not binned, so the histogram never lies about the scale.
    pub outside_scale: u64,
}

/// [`quantile_sorted`] at 0.5 without sorting: the two middle ranks are
/// selected (linear time; a million ratings fall into one group).
fn median(mut values: Vec<f64>) -> Option<f64> {
    let last = values.len().checked_sub(1)?;
    let h = 0.5 * last as f64;
    let lo = h.floor() as usize;
    let (_, &mut a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    Some(a + (h - lo as f64) * (b - a))
}

pub fn distribution(ratings: &[i64], scale_min: i64, scale_max: i64) -> Distribution {
    let (lo, hi) = (scale_min.min(scale_max), scale_min.max(scale_max));
    // A scale is at most a handful of points; cap so a corrupt row cannot
    // allocate without bound.
    let width = (hi - lo).clamp(0, 100);
    let mut counts: Vec<(i64, u64)> = (0..=width).map(|i| (lo + i, 0)).collect();
    let mut outside = 0;
    for &r in ratings {
        match counts.iter_mut().find(|(s, _)| *s == r) {
            Some((_, c)) => *c += 1,
            None => outside += 1,
        }
    }
    let values: Vec<f64> = ratings.iter().map(|&r| r as f64).collect();
    let (mean, sd) = mean_sd(&values);
    Distribution {
        n: ratings.len(),
        mean,
        sd,
        median: median(values),
        counts,
        outside_scale: outside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn percentiles_of_turnaround_hours() {
        // [1, 2, 3, 4, 10]: p50 at rank 0.5 * 4 = 2 -> 3.
        // p90 at rank 0.9 * 4 = 3.6 -> 4 + 0.6 * (10 - 4) = 7.6.
        let p = percentiles(&[10.0, 2.0, 4.0, 1.0, 3.0]);
        assert_eq!(p.n, 5);
        assert!(close(p.p50, 3.0));
        assert!(close(p.p90, 7.6));
        assert!(close(p.max, 10.0));
        let empty = percentiles(&[f64::NAN]);
        assert_eq!((empty.n, empty.p50, empty.max), (0, None, None));
    }

    #[test]
    fn distribution_on_a_five_point_scale() {
        // [1, 2, 2, 3, 5]: mean 13 / 5 = 2.6; deviations -1.6 -0.6 -0.6
        // 0.4 2.4, squares 2.56 + 0.36 + 0.36 + 0.16 + 5.76 = 9.2,
        // sd = sqrt(9.2 / 4) = sqrt(2.3); median 2; the 7 is outside 1..5.
        let d = distribution(&[2, 1, 5, 2, 3], 1, 5);
        assert!(close(d.mean, 2.6));
        assert!(close(d.sd, 2.3_f64.sqrt()));
        assert!(close(d.median, 2.0));
        assert_eq!(d.counts, vec![(1, 1), (2, 2), (3, 1), (4, 0), (5, 1)]);
        let with_stray = distribution(&[7, 1], 1, 5);
        assert_eq!(with_stray.outside_scale, 1);
        assert_eq!(with_stray.counts.iter().map(|c| c.1).sum::<u64>(), 1);
    }

    #[test]
    fn the_median_by_selection_is_the_sorted_quantile() {
        for values in [
            vec![],
            vec![3.0],
            vec![4.0, 1.0],
            vec![5.0, 1.0, 3.0, 3.0, 2.0, 4.0],
            vec![2.0, 2.0, 7.0, 1.0, 5.0, 5.0, 5.0],
        ] {
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            assert_eq!(median(values), quantile_sorted(&sorted, 0.5));
        }
    }

    #[test]
    fn one_value_has_a_mean_but_no_spread() {
        assert_eq!(mean_sd(&[4.0]), (Some(4.0), None));
        assert_eq!(mean_sd(&[]), (None, None));
    }
}
