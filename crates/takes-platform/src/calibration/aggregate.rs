//! Per-item agreement and per-reviewer deviation.

use takes_api::{FlagReason, Tendency};

/// Ratings this far apart (highest − lowest) or more flag an item: on a
/// five-point scale two points is the gap between "weak" and "acceptable"
/// anchors, the disagreement a calibration discussion is for.
pub const FLAG_SPREAD: i64 = 2;

/// A reviewer whose mean deviation is within this many points of the panel
/// counts as in line; beyond it, lenient or severe. Half a point is where
/// a reviewer's ratings round to a different anchor.
pub const TENDENCY_BAND: f64 = 0.5;

/// Agreement on one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub spread: Option<i64>,
    pub flag_reasons: Vec<FlagReason>,
}

impl ItemStats {
    pub fn flagged(&self) -> bool {
        !self.flag_reasons.is_empty()
    }
}

/// Mean, median, spread and flags of one item's ratings. An item is
/// flagged when ratings are [`FLAG_SPREAD`] or more apart, or when they
/// straddle the rubric's pass line (some below `pass_score`, some at or
/// above it), since then reviewers disagree on the outcome even if only by
/// one point. One rating or none cannot disagree and is never flagged.
pub fn item_stats(ratings: &[i64], pass_score: i64) -> ItemStats {
    if ratings.is_empty() {
        return ItemStats {
            mean: None,
            median: None,
            spread: None,
            flag_reasons: Vec::new(),
        };
    }
    let mut sorted = ratings.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    // Ratings are small integers; summing as f64 cannot overflow.
    let mean = sorted.iter().map(|&r| r as f64).sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0
    };
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    let spread = hi.saturating_sub(lo);
    let mut flag_reasons = Vec::new();
    if n >= 2 {
        if spread >= FLAG_SPREAD {
            flag_reasons.push(FlagReason::Spread);
        }
        if lo < pass_score && hi >= pass_score {
            flag_reasons.push(FlagReason::PassLine);
        }
    }
    ItemStats {
        mean: Some(mean),
        median: Some(median),
        spread: Some(spread),
        flag_reasons,
    }
}

/// Each rater's mean deviation from the panel: over the units with two or
/// more ratings, the mean of (rater's rating − the unit's mean rating).
/// The unit mean includes the rater, so it is the mean shown beside the
/// item and the deviations of a complete table sum to zero. `table` is
/// units × raters; `None` where a rater has no rating for a unit (or has
/// no panel to compare with anywhere).
pub fn deviations(table: &[Vec<Option<i64>>], n_raters: usize) -> Vec<Option<f64>> {
    let mut sums = vec![0.0f64; n_raters];
    let mut counts = vec![0usize; n_raters];
    for unit in table {
        let present: Vec<(usize, i64)> = unit
            .iter()
            .enumerate()
            .filter_map(|(r, v)| v.map(|v| (r, v)))
            .collect();
        if present.len() < 2 {
            continue;
        }
        let mean = present.iter().map(|&(_, v)| v as f64).sum::<f64>() / present.len() as f64;
        for (r, v) in present {
            if let (Some(s), Some(c)) = (sums.get_mut(r), counts.get_mut(r)) {
                *s += v as f64 - mean;
                *c += 1;
            }
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(&s, &c)| (c > 0).then(|| s / c as f64))
        .collect()
}

/// Lenient, in line or severe, by [`TENDENCY_BAND`].
pub fn tendency(mean_deviation: f64) -> Tendency {
    if mean_deviation >= TENDENCY_BAND {
        Tendency::Lenient
    } else if mean_deviation <= -TENDENCY_BAND {
        Tendency::Severe
    } else {
        Tendency::InLine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_an_item() {
        let s = item_stats(&[4, 2, 3], 3);
        assert_eq!(s.mean, Some(3.0));
        assert_eq!(s.median, Some(3.0));
        assert_eq!(s.spread, Some(2));
        assert_eq!(
            s.flag_reasons,
            vec![FlagReason::Spread, FlagReason::PassLine]
        );
        let even = item_stats(&[5, 1, 2, 4], 3);
        assert_eq!(even.median, Some(3.0));
        assert_eq!(even.mean, Some(3.0));
    }

    #[test]
    fn one_point_across_the_pass_line_is_flagged() {
        let s = item_stats(&[2, 3, 3], 3);
        assert_eq!(s.spread, Some(1));
        assert_eq!(s.flag_reasons, vec![FlagReason::PassLine]);
        assert!(s.flagged());
    }

    #[test]
    fn one_point_on_one_side_is_not_flagged() {
        assert!(!item_stats(&[3, 4, 4], 3).flagged());
        assert!(!item_stats(&[1, 2], 3).flagged());
        assert!(!item_stats(&[5, 5, 5], 3).flagged());
    }

    #[test]
    fn two_points_on_one_side_is_flagged_for_spread_only() {
        let s = item_stats(&[3, 5], 3);
        assert_eq!(s.flag_reasons, vec![FlagReason::Spread]);
    }

    #[test]
    fn a_lone_rating_cannot_disagree() {
        let s = item_stats(&[1], 3);
        assert_eq!(s.spread, Some(0));
        assert!(!s.flagged());
        let none = item_stats(&[], 3);
        assert_eq!((none.mean, none.median, none.spread), (None, None, None));
    }

    #[test]
    fn deviations_show_leniency_and_severity() {
        // Rater 0 is a point above the others on every item; rater 2 below.
        let table = vec![
            vec![Some(5), Some(4), Some(3)],
            vec![Some(4), Some(3), Some(2)],
            vec![Some(3), Some(3), Some(3)],
        ];
        let d = deviations(&table, 3);
        let d: Vec<f64> = d.into_iter().map(|x| x.expect("defined")).collect();
        assert!((d[0] - 2.0 / 3.0).abs() < 1e-12, "{d:?}");
        assert!(d[1].abs() < 1e-12, "{d:?}");
        assert!((d[2] + 2.0 / 3.0).abs() < 1e-12, "{d:?}");
        assert!((d.iter().sum::<f64>()).abs() < 1e-12);
        assert_eq!(tendency(d[0]), Tendency::Lenient);
        assert_eq!(tendency(d[1]), Tendency::InLine);
        assert_eq!(tendency(d[2]), Tendency::Severe);
    }

    #[test]
    fn deviations_skip_units_without_a_panel() {
        let table = vec![vec![Some(5), None], vec![Some(2), Some(4)]];
        let d = deviations(&table, 3);
        assert_eq!(d, vec![Some(-1.0), Some(1.0), None]);
        assert_eq!(deviations(&[vec![Some(3)]], 1), vec![None]);
        // A rating in a column past n_raters is ignored, not a panic.
        assert_eq!(deviations(&[vec![Some(3), Some(4)]], 1), vec![Some(-0.5)]);
    }
}
