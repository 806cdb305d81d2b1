//! How reviewers rate compared with the panel: leniency or severity, the
//! halo check, and the muted-first shift.

use std::collections::BTreeMap;

use super::describe::mean_sd;
use super::inference::t_975;

/// One submitted rating: `unit` is an (interview, question) pair,
/// `sheet` the reviewer's assignment (one candidate). `K` is whatever
/// names them: strings, or indices into a request's tables.
#[derive(Clone, Debug)]
pub struct Rating<K = String> {
    pub reviewer: K,
    pub interview: K,
    pub question: K,
    pub rating: f64,
}

/// A mean with its 95% t interval.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanInterval {
    pub n: usize,
    pub mean: f64,
    /// `None` below two values (no spread to build an interval from).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

pub fn mean_interval(values: &[f64]) -> Option<MeanInterval> {
    let (mean, sd) = mean_sd(values);
    let mean = mean?;
    let half = sd
        .zip(t_975(values.len().saturating_sub(1)))
        .map(|(sd, t)| t * sd / (values.len() as f64).sqrt());
    Some(MeanInterval {
        n: values.len(),
        mean,
        lower: half.map(|h| mean - h),
        upper: half.map(|h| mean + h),
    })
}

/// Indices of `items` in ascending `key` order, ties in input order, cut
/// into runs of equal keys: grouping a million ratings without a map entry
/// and an allocation per group.
fn runs<'a, T, G: Ord>(items: &'a [T], key: impl Fn(&'a T) -> G) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| key(&items[a]).cmp(&key(&items[b])));
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut last: Option<G> = None;
    for i in order {
        let k = key(&items[i]);
        match out.last_mut() {
            Some(run) if last.as_ref() == Some(&k) => run.push(i),
            _ => out.push(vec![i]),
        }
        last = Some(k);
    }
    out
}

/// Leniency (positive) or severity (negative) of each reviewer: over every
/// (interview, question) that at least one other reviewer also rated, the
/// reviewer's rating minus the mean of the others' ratings; the mean of
/// those deviations with a 95% t interval. An interval that excludes 0
/// is a reviewer who rates differently from colleagues on the same
/// answers. Reviewers who never share an answer are left out.
pub fn leniency<K: Ord + Clone>(ratings: &[Rating<K>]) -> BTreeMap<K, MeanInterval> {
    let mut deviations: BTreeMap<&K, Vec<f64>> = BTreeMap::new();
    for unit in runs(ratings, |r| (&r.interview, &r.question)) {
        if unit.len() < 2 {
            continue;
        }
        let total: f64 = unit.iter().map(|&i| ratings[i].rating).sum();
        let others = (unit.len() - 1) as f64;
        for &i in &unit {
            let r = &ratings[i];
            deviations
                .entry(&r.reviewer)
                .or_default()
                .push(r.rating - (total - r.rating) / others);
        }
    }
    deviations
        .into_iter()
        .filter_map(|(who, d)| Some((who.clone(), mean_interval(&d)?)))
        .collect()
}

/// A reviewer's halo check.
#[derive(Clone, Debug, PartialEq)]
pub struct Halo {
    /// Candidates the reviewer rated on two or more questions.
    pub sheets: usize,
    /// Mean over those sheets of the (population) standard deviation of
    /// the reviewer's ratings across questions.
    pub spread: f64,
    /// The same for the other reviewers' sheets of the same candidates.
    pub panel_spread: Option<f64>,
    /// spread / panel_spread: 1 is like the panel, near 0 is one rating
    /// copied across every question.
    pub ratio: Option<f64>,
    /// ratio below [`HALO_RATIO`] over at least [`HALO_MIN_SHEETS`] sheets.
    pub flagged: bool,
}

pub const HALO_RATIO: f64 = 0.5;
pub const HALO_MIN_SHEETS: usize = 3;

fn population_sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// How strongly each reviewer's ratings of one candidate move together
/// across questions, against the other reviewers of the same candidates.
pub fn halo<K: Ord + Clone>(ratings: &[Rating<K>]) -> BTreeMap<K, Halo> {
    // (reviewer, interview, sd) in reviewer, interview order.
    let spreads: Vec<(&K, &K, f64)> = runs(ratings, |r| (&r.reviewer, &r.interview))
        .into_iter()
        .filter(|sheet| sheet.len() >= 2)
        .map(|sheet| {
            let values: Vec<f64> = sheet.iter().map(|&i| ratings[i].rating).collect();
            let r = &ratings[sheet[0]];
            (&r.reviewer, &r.interview, population_sd(&values))
        })
        .collect();
    let mut by_interview: BTreeMap<&K, Vec<usize>> = BTreeMap::new();
    for (i, (_, interview, _)) in spreads.iter().enumerate() {
        by_interview.entry(*interview).or_default().push(i);
    }
    let mut by_reviewer: BTreeMap<&K, Vec<usize>> = BTreeMap::new();
    for (i, (who, _, _)) in spreads.iter().enumerate() {
        by_reviewer.entry(*who).or_default().push(i);
    }
    by_reviewer
        .into_iter()
        .map(|(who, own)| {
            let spread = own.iter().map(|&i| spreads[i].2).sum::<f64>() / own.len() as f64;
            // The others' sheets of the reviewer's candidates, in the
            // (reviewer, interview) order of `spreads`, so the sum is the
            // same whichever way they are found.
            let mut panel: Vec<usize> = own
                .iter()
                .filter_map(|&i| by_interview.get(spreads[i].1))
                .flatten()
                .copied()
                .filter(|&j| spreads[j].0 != who)
                .collect();
            panel.sort_unstable();
            panel.dedup();
            let panel_spread = (!panel.is_empty())
                .then(|| panel.iter().map(|&j| spreads[j].2).sum::<f64>() / panel.len() as f64);
            let ratio = panel_spread.filter(|p| *p > 0.0).map(|p| spread / p);
            let flagged = own.len() >= HALO_MIN_SHEETS && ratio.is_some_and(|r| r < HALO_RATIO);
            (
                who.clone(),
                Halo {
                    sheets: own.len(),
                    spread,
                    panel_spread,
                    ratio,
                    flagged,
                },
            )
        })
        .collect()
}

/// One rating given first with the sound muted and then with it on.
#[derive(Clone, Debug)]
pub struct MutedPair<K = String> {
    /// What the shift is grouped by: a reviewer, or a question.
    pub key: K,
    pub muted: f64,
    pub final_rating: f64,
}

/// How final ratings differ from muted ones for one reviewer or question.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    pub n: usize,
    /// Mean of final − muted.
    pub mean_shift: f64,
    /// Share of pairs where the rating changed.
    pub changed: f64,
    pub up: usize,
    pub down: usize,
    /// Welch's z of this group's shifts against everyone else's.
    pub z: Option<f64>,
    /// |z| > 1.96 with at least [`SHIFT_MIN_PAIRS`] pairs: this group's
    /// shift stands out from the panel's.
    pub stands_out: bool,
}

pub const SHIFT_MIN_PAIRS: usize = 5;

/// Shifts counted by value: ratings are on short scales, so a handful of
/// distinct shifts stand for a million pairs.
#[derive(Clone, Default)]
struct Tally(Vec<(f64, u64)>);

impl Tally {
    fn add(&mut self, v: f64, by: i64) {
        match self.0.iter_mut().find(|(x, _)| x.to_bits() == v.to_bits()) {
            Some((_, c)) => *c = c.saturating_add_signed(by),
            None if by > 0 => self.0.push((v, by as u64)),
            None => {}
        }
    }

    /// Mean and sample standard deviation, as [`mean_sd`] gives them.
    fn mean_sd(&self) -> (Option<f64>, Option<f64>) {
        let n: u64 = self.0.iter().map(|(_, c)| c).sum();
        if n == 0 {
            return (None, None);
        }
        let mean = self.0.iter().map(|(v, c)| v * *c as f64).sum::<f64>() / n as f64;
        if n < 2 {
            return (Some(mean), None);
        }
        let ss: f64 = self
            .0
            .iter()
            .map(|(v, c)| (v - mean).powi(2) * *c as f64)
            .sum();
        (Some(mean), Some((ss / (n - 1) as f64).sqrt()))
    }
}

/// Welch's z of `own` against the rest, as
/// [`super::inference::two_sided_outlier`] computes
/// it, with the rest given by its tally.
fn outlier(own: &[f64], rest: &Tally) -> Option<f64> {
    let nb: u64 = rest.0.iter().map(|(_, c)| c).sum();
    let (ma, sa) = mean_sd(own);
    let (mb, sb) = rest.mean_sd();
    let (ma, sa, mb, sb) = (ma?, sa?, mb?, sb?);
    let se = (sa * sa / own.len() as f64 + sb * sb / nb as f64).sqrt();
    (se > 0.0).then(|| (ma - mb) / se)
}

pub fn muted_shift<K: Ord + Clone>(pairs: &[MutedPair<K>]) -> BTreeMap<K, Shift> {
    let mut groups: BTreeMap<&K, Vec<f64>> = BTreeMap::new();
    let mut everyone = Tally::default();
    for p in pairs {
        let d = p.final_rating - p.muted;
        groups.entry(&p.key).or_default().push(d);
        everyone.add(d, 1);
    }
    groups
        .iter()
        .map(|(&key, own)| {
            let mut rest = everyone.clone();
            for &d in own {
                rest.add(d, -1);
            }
            let n = own.len();
            let mean_shift = own.iter().sum::<f64>() / n as f64;
            let z = outlier(own, &rest);
            (
                key.clone(),
                Shift {
                    n,
                    mean_shift,
                    changed: own.iter().filter(|d| **d != 0.0).count() as f64 / n as f64,
                    up: own.iter().filter(|d| **d > 0.0).count(),
                    down: own.iter().filter(|d| **d < 0.0).count(),
                    z,
                    stands_out: n >= SHIFT_MIN_PAIRS && z.is_some_and(|z| z.abs() > 1.96),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(reviewer: &str, interview: &str, question: &str, rating: f64) -> Rating {
        Rating {
            reviewer: reviewer.into(),
            interview: interview.into(),
            question: question.into(),
            rating,
        }
    }

    #[test]
    fn leniency_against_the_others_on_the_same_answers() {
        // u1: A 4, B 3, C 2; u2: A 5, B 4; u3: A 3, C 1; u4: only A (left out).
        // A: 4 - 2.5 = 1.5, 5 - 4 = 1, 3 - 1 = 2 -> mean 1.5, sd
        //    sqrt((0 + 0.25 + 0.25) / 2) = 0.5, se 0.5 / sqrt 3 = 0.288675,
        //    t(2) = 4.303 -> 1.5 -+ 1.242169.
        // B: 3 - 3 = 0, 4 - 5 = -1 -> mean -0.5.
        // C: 2 - 3.5 = -1.5, 1 - 3 = -2 -> mean -1.75.
        let data = [
            r("A", "i1", "q1", 4.0),
            r("B", "i1", "q1", 3.0),
            r("C", "i1", "q1", 2.0),
            r("A", "i2", "q1", 5.0),
            r("B", "i2", "q1", 4.0),
            r("A", "i3", "q1", 3.0),
            r("C", "i3", "q1", 1.0),
            r("A", "i4", "q1", 5.0),
        ];
        let l = leniency(&data);
        let a = &l["A"];
        assert_eq!(a.n, 3);
        assert!((a.mean - 1.5).abs() < 1e-12);
        assert!((a.lower.unwrap_or(f64::NAN) - (1.5 - 1.242_169)).abs() < 1e-5);
        assert!((a.upper.unwrap_or(f64::NAN) - (1.5 + 1.242_169)).abs() < 1e-5);
        assert!((l["B"].mean + 0.5).abs() < 1e-12);
        assert!((l["C"].mean + 1.75).abs() < 1e-12);
        assert!(leniency(&data[7..]).is_empty());
    }

    #[test]
    fn halo_flags_the_reviewer_who_copies_one_rating() {
        // A: i1 [4,4,4] sd 0; i2 [3,3,3] sd 0; i3 [5,5,4] mean 14/3,
        //    var (1/9 + 1/9 + 4/9) / 3 = 2/9, sd 0.471405 -> spread 0.157135.
        // B: i1 [2,4,3] sd sqrt(2/3) = 0.816497; i2 [1,5,3] sd sqrt(8/3) =
        //    1.632993; i3 [2,5,5] sd sqrt(2) = 1.414214 -> spread 1.287901.
        // A's ratio 0.157135 / 1.287901 = 0.122009 < 0.5 over 3 sheets.
        let mut data = Vec::new();
        for (who, i, ratings) in [
            ("A", "i1", [4.0, 4.0, 4.0]),
            ("A", "i2", [3.0, 3.0, 3.0]),
            ("A", "i3", [5.0, 5.0, 4.0]),
            ("B", "i1", [2.0, 4.0, 3.0]),
            ("B", "i2", [1.0, 5.0, 3.0]),
            ("B", "i3", [2.0, 5.0, 5.0]),
        ] {
            for (q, v) in ["q1", "q2", "q3"].iter().zip(ratings) {
                data.push(r(who, i, q, v));
            }
        }
        let h = halo(&data);
        let a = &h["A"];
        assert_eq!(a.sheets, 3);
        assert!((a.spread - 0.157_135).abs() < 1e-6);
        assert!((a.panel_spread.unwrap_or(0.0) - 1.287_901).abs() < 1e-6);
        assert!((a.ratio.unwrap_or(1.0) - 0.122_009).abs() < 1e-6);
        assert!(a.flagged);
        assert!(!h["B"].flagged);
        // Two sheets are too few to flag, however flat.
        let few: Vec<_> = data.into_iter().filter(|x| x.interview != "i3").collect();
        assert!(!halo(&few)["A"].flagged);
    }

    #[test]
    fn shift_stands_out_against_the_panel() {
        // A: shifts 1,1,1,1,0,1 -> n 6, mean 5/6, sample var
        //    (5 * (1/6)^2 + (5/6)^2) / 5 = (5/36 + 25/36) / 5 = 1/6.
        // B: 0,0,0,0,-1,0,1,0 -> n 8, mean 0, var 2/7.
        // z(A vs B) = (5/6) / sqrt((1/6)/6 + (2/7)/8)
        //           = 0.833333 / sqrt(0.027778 + 0.035714) = 3.30719.
        let mut pairs: Vec<MutedPair> = Vec::new();
        for d in [1.0, 1.0, 1.0, 1.0, 0.0, 1.0] {
            pairs.push(MutedPair {
                key: "A".into(),
                muted: 3.0,
                final_rating: 3.0 + d,
            });
        }
        for d in [0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0] {
            pairs.push(MutedPair {
                key: "B".into(),
                muted: 3.0,
                final_rating: 3.0 + d,
            });
        }
        let s = muted_shift(&pairs);
        let a = &s["A"];
        assert_eq!((a.n, a.up, a.down), (6, 5, 0));
        assert!((a.mean_shift - 5.0 / 6.0).abs() < 1e-12);
        assert!((a.changed - 5.0 / 6.0).abs() < 1e-12);
        assert!((a.z.unwrap_or(0.0) - 3.30719).abs() < 1e-4);
        assert!(a.stands_out);
        let b = &s["B"];
        assert_eq!((b.up, b.down), (1, 1));
        assert!((b.changed - 0.25).abs() < 1e-12);
        // Fewer than five pairs never stand out.
        let few: Vec<_> = pairs.iter().skip(2).cloned().collect();
        assert!(!muted_shift(&few[..4])["A"].stands_out);
    }
}
