//! Krippendorff's alpha and its bootstrap interval.
//!
//! Reference: K. Krippendorff (2011), *Computing Krippendorff's
//! Alpha-Reliability*, Annenberg School for Communication, University of
//! Pennsylvania (<https://repository.upenn.edu/asc_papers/43>).

use std::cmp::Ordering;

use crate::numeric::{canonical, percentile_sorted, Sum, UnitScale};
use crate::random::{Multinomial, SplitMix64};
use crate::{Ratings, Undefined};

/// Level of measurement: which difference function δ² alpha uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// δ²(c, k) = 0 if c = k, else 1.
    Nominal,
    /// δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², with n_g the number of
    /// pairable values equal to g.
    Ordinal,
    /// δ²(c, k) = (c − k)².
    Interval,
    /// δ²(c, k) = ((c − k)/(c + k))²; needs non-negative scores.
    Ratio,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::Nominal => "nominal",
            Metric::Ordinal => "ordinal",
            Metric::Interval => "interval",
            Metric::Ratio => "ratio",
        }
    }
}

/// Krippendorff's alpha for `data` at the given level of measurement.
///
/// Following Krippendorff (2011), only *pairable* values count: a unit
/// rated by fewer than two raters is dropped. From the pairable values the
/// coincidence matrix is
///
/// ```text
/// o_ck = Σ_u  (number of c–k pairs of values in unit u) / (m_u − 1)
/// ```
///
/// (pairs ordered, so a unit with values c and k adds to both o_ck and
/// o_kc), with m_u the number of values in unit u, marginals n_c = Σ_k o_ck
/// and n = Σ_c n_c. Then
///
/// ```text
/// α = 1 − D_o / D_e = 1 − (n − 1) · Σ_{c,k} o_ck δ²_ck / Σ_{c,k} n_c n_k δ²_ck
/// ```
///
/// Nothing quadratic in the number of values is built. Per unit, the
/// coincidences are formed from that unit's value counts n_uc
/// (o_ck gets n_uc·n_uk/(m_u−1), o_cc gets n_uc(n_uc−1)/(m_u−1)); and for
/// the squared-difference metrics both sums collapse to sums of squared
/// deviations, because Σ_{i,j} (x_i − x_j)² = 2m Σ_i (x_i − x̄)²:
///
/// ```text
/// interval:  α = 1 − (n − 1) Σ_u [m_u SS_u / (m_u − 1)] / (n · SS)
/// ```
///
/// where SS_u is the sum of squared deviations from the mean within unit u
/// and SS the same over all pairable values. The ordinal δ is a difference
/// of *mid-ranks*: with M_c = Σ_{g<c} n_g + n_c/2,
/// Σ_{g=c..k} n_g − (n_c + n_k)/2 = M_k − M_c, so ordinal alpha is interval
/// alpha computed on M. Nominal and interval/ordinal therefore run in
/// O(N log V) for N ratings and V distinct values; ratio has no such
/// reduction and its expected disagreement costs O(V²).
///
/// Undefined when no unit has two or more ratings, when every pairable
/// value is the same (D_e = 0, so α = 0/0), when a score is not finite, and
/// for [`Metric::Ratio`] when a pairable score is negative.
pub fn alpha(data: &Ratings, metric: Metric) -> Result<f64, Undefined> {
    Prepared::new(data)?.alpha(metric, None)
}

/// Alpha at all four levels (nominal, ordinal, interval, ratio), sharing
/// the preparation of the data.
pub(crate) fn alpha_all_metrics(data: &Ratings) -> [Result<f64, Undefined>; 4] {
    match Prepared::new(data) {
        Ok(p) => [
            Metric::Nominal,
            Metric::Ordinal,
            Metric::Interval,
            Metric::Ratio,
        ]
        .map(|m| p.alpha(m, None)),
        Err(e) => std::array::from_fn(|_| Err(e.clone())),
    }
}

/// A 95% bootstrap confidence interval `(lower, upper)` for alpha.
///
/// Resamples the pairable units with replacement `iterations` times,
/// recomputes alpha on each resample, and returns the 2.5th and 97.5th
/// percentiles (type-7 interpolation). Resampling whole units keeps each
/// unit's ratings together, which is the unit-level bootstrap recommended
/// for alpha by Zapf et al. (2016), *Measuring inter-rater reliability for
/// nominal data – which coefficients and confidence intervals are
/// appropriate?*, BMC Medical Research Methodology 16:93. (This is not
/// Krippendorff's own bootstrap, which resamples pairs of values.)
///
/// A resample is drawn as counts over the distinct unit *patterns*, not
/// unit by unit, and the distribution is exactly the same. Alpha depends on
/// a unit only through the multiset of its pairable values (its value
/// counts n_uc; which rater gave which value does not enter), so a
/// resample is fully described by how many times each pattern was drawn.
/// Drawing N units with replacement, each unit with probability 1/N, puts
/// each draw on pattern j with probability N_j/N (N_j units share it),
/// independently across draws; the pattern counts are therefore
/// Multinomial(N; N_1/N, …, N_P/N), and that is what is sampled (by
/// conditional binomials, exact samplers, see `random`). A unit-level
/// draw costs N random numbers per resample; this costs one binomial per
/// pattern, and a 1–5 scale with up to six raters has at most a few
/// hundred patterns, however many thousand units there are. Alpha is then
/// computed once per pattern with its count as weight.
///
/// The generator is SplitMix64 seeded with `seed`, so the interval is
/// reproducible for a given input, seed and iteration count; patterns are
/// taken in a fixed order of their values, so the order of the units does
/// not change the interval either. Resamples on which alpha is undefined
/// (e.g. every value the same) are left out; if that is more than half of
/// them the interval is undefined. A few thousand iterations are usual.
pub fn alpha_bootstrap_ci(
    data: &Ratings,
    metric: Metric,
    iterations: usize,
    seed: u64,
) -> Result<(f64, f64), Undefined> {
    if iterations == 0 {
        return Err(Undefined::new("a bootstrap needs at least one iteration"));
    }
    let prepared = Prepared::new(data)?;
    // If alpha itself is undefined its interval is too, for the same reason.
    prepared.alpha(metric, None)?;
    let units = prepared.sizes.len();
    if units < 2 {
        return Err(Undefined::new(
            "a bootstrap over units needs at least two units with two or more ratings",
        ));
    }
    let (patterns, sizes) = prepared.patterns();
    let mut rng = SplitMix64(seed);
    let sampler = Multinomial::new(units as u64, &sizes);
    let mut counts = vec![0u64; sizes.len()];
    // Capped so an absurd iteration count cannot abort on allocation.
    let mut draws = Vec::with_capacity(iterations.min(1 << 16));
    for _ in 0..iterations {
        sampler.draw(&mut rng, &mut counts);
        if let Ok(a) = patterns.alpha(metric, Some(&counts)) {
            draws.push(a);
        }
    }
    percentile_interval(metric, iterations, draws)
}

/// The 2.5th and 97.5th percentiles of the bootstrap `draws` (the defined
/// ones among `iterations` resamples); undefined when most were undefined.
fn percentile_interval(
    metric: Metric,
    iterations: usize,
    mut draws: Vec<f64>,
) -> Result<(f64, f64), Undefined> {
    let failed = iterations - draws.len();
    if failed > draws.len() {
        return Err(Undefined::new(format!(
            "{} alpha was undefined in {failed} of {iterations} bootstrap resamples",
            metric.name()
        )));
    }
    draws.sort_unstable_by(f64::total_cmp);
    match (
        percentile_sorted(&draws, 0.025),
        percentile_sorted(&draws, 0.975),
    ) {
        (Some(lo), Some(hi)) => Ok((lo, hi)),
        _ => Err(Undefined::new("no bootstrap resample gave a value")),
    }
}

/// Pairable data reduced to per-unit value counts over one sorted list of
/// distinct values: everything alpha needs, for any metric and any
/// weighting of units (the bootstrap reweights units instead of copying).
struct Prepared {
    /// Distinct pairable values, ascending.
    values: Vec<f64>,
    /// Pairable unit `i`'s counts are `entries[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    /// `(index into values, number of ratings with that value)`.
    entries: Vec<(usize, f64)>,
    /// m_u: ratings in each pairable unit.
    sizes: Vec<f64>,
}

impl Prepared {
    fn new(data: &Ratings) -> Result<Self, Undefined> {
        data.check_finite()?;
        let mut groups: Vec<(f64, f64)> = Vec::new();
        let mut starts = vec![0];
        let mut sizes = Vec::new();
        let mut scratch: Vec<f64> = Vec::new();
        for row in data.units() {
            if row.len() < 2 {
                continue;
            }
            scratch.clear();
            scratch.extend(row.iter().map(|&(_, x)| canonical(x)));
            scratch.sort_unstable_by(f64::total_cmp);
            for run in scratch.chunk_by(|a, b| a == b) {
                if let Some(&v) = run.first() {
                    groups.push((v, run.len() as f64));
                }
            }
            starts.push(groups.len());
            sizes.push(row.len() as f64);
        }
        if sizes.is_empty() {
            return Err(Undefined::new(
                "no unit has ratings from two or more raters, so there are no pairable values",
            ));
        }
        let mut values: Vec<f64> = groups.iter().map(|&(v, _)| v).collect();
        values.sort_unstable_by(f64::total_cmp);
        values.dedup();
        let entries = groups
            .iter()
            .map(|&(v, count)| {
                let index = values.binary_search_by(|p| p.total_cmp(&v)).unwrap_or(0);
                (index, count)
            })
            .collect();
        Ok(Prepared {
            values,
            starts,
            entries,
            sizes,
        })
    }

    fn unit(&self, i: usize) -> &[(usize, f64)] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The distinct units (value counts), as a `Prepared` whose units are
    /// those patterns in ascending order of their counts, with how many
    /// units share each: weighting pattern j by its count gives the same
    /// alpha as the units themselves.
    fn patterns(&self) -> (Prepared, Vec<u64>) {
        let mut order: Vec<usize> = (0..self.sizes.len()).collect();
        order.sort_unstable_by(|&a, &b| compare_units(self.unit(a), self.unit(b)));
        let mut patterns = Prepared {
            values: self.values.clone(),
            starts: vec![0],
            entries: Vec::new(),
            sizes: Vec::new(),
        };
        let mut counts: Vec<u64> = Vec::new();
        let mut last: Option<&[(usize, f64)]> = None;
        for i in order {
            let unit = self.unit(i);
            if let (Some(prev), Some(count)) = (last, counts.last_mut()) {
                if compare_units(prev, unit) == Ordering::Equal {
                    *count += 1;
                    continue;
                }
            }
            patterns.entries.extend_from_slice(unit);
            patterns.starts.push(patterns.entries.len());
            patterns
                .sizes
                .push(self.sizes.get(i).copied().unwrap_or_default());
            counts.push(1);
            last = Some(unit);
        }
        (patterns, counts)
    }

    /// Pairable units with their weight and size, skipping weight zero.
    fn weighted_units<'a>(
        &'a self,
        weights: Option<&'a [u64]>,
    ) -> impl Iterator<Item = (f64, f64, &'a [(usize, f64)])> + 'a {
        self.sizes.iter().enumerate().filter_map(move |(i, &m)| {
            let w = match weights {
                None => 1.0,
                // Exact: a weight counts units, far below 2^53.
                Some(ws) => ws.get(i).copied().unwrap_or(0) as f64,
            };
            (w > 0.0).then(|| (w, m, self.unit(i)))
        })
    }

    fn alpha(&self, metric: Metric, weights: Option<&[u64]>) -> Result<f64, Undefined> {
        // Counts are whole numbers held exactly in f64 (below 2^53).
        let mut n_c = vec![0.0f64; self.values.len()];
        for (w, _, entries) in self.weighted_units(weights) {
            for &(c, count) in entries {
                if let Some(slot) = n_c.get_mut(c) {
                    *slot += w * count;
                }
            }
        }
        let present = n_c.iter().filter(|&&x| x > 0.0).count();
        if present == 0 {
            return Err(Undefined::new("no pairable values"));
        }
        if present == 1 {
            return Err(Undefined::new(
                "every pairable rating has the same value, so there is no variation to \
                 agree on (expected disagreement is zero and alpha is 0/0)",
            ));
        }
        let n: f64 = n_c.iter().sum();
        let (observed, expected) = match metric {
            Metric::Nominal => self.nominal_sums(&n_c, n, weights),
            Metric::Interval => {
                let (lo, hi) = match (self.values.first(), self.values.last()) {
                    (Some(&lo), Some(&hi)) => (lo, hi),
                    _ => return Err(Undefined::new("no pairable values")),
                };
                let scale = UnitScale::new(lo, hi)
                    .ok_or_else(|| Undefined::new("all pairable values are equal"))?;
                let t: Vec<f64> = self.values.iter().map(|&v| scale.apply(v)).collect();
                self.squared_difference_sums(&t, &n_c, n, weights)
            }
            Metric::Ordinal => {
                let mut below = 0.0;
                let t: Vec<f64> = n_c
                    .iter()
                    .map(|&count| {
                        let mid = below + count / 2.0;
                        below += count;
                        mid
                    })
                    .collect();
                self.squared_difference_sums(&t, &n_c, n, weights)
            }
            Metric::Ratio => {
                if let Some(&v) = self.values.first().filter(|&&v| v < 0.0) {
                    return Err(Undefined::new(format!(
                        "ratio alpha needs non-negative scores, but {v} occurs"
                    )));
                }
                self.ratio_sums(&n_c, weights)
            }
        };
        let a = 1.0 - (n - 1.0) * observed / expected;
        if a.is_finite() && expected > 0.0 {
            Ok(a)
        } else {
            Err(Undefined::new(format!(
                "{} alpha could not be computed: expected disagreement is zero",
                metric.name()
            )))
        }
    }

    /// (Σ_{c≠k} o_ck, Σ_{c≠k} n_c n_k) for the nominal metric.
    fn nominal_sums(&self, n_c: &[f64], n: f64, weights: Option<&[u64]>) -> (f64, f64) {
        let mut observed = Sum::default();
        for (w, m, entries) in self.weighted_units(weights) {
            let same: f64 = entries.iter().map(|&(_, k)| k * k).sum();
            observed.add(w * (m * m - same) / (m - 1.0));
        }
        let same: f64 = n_c.iter().map(|&k| k * k).sum();
        (observed.value(), n * n - same)
    }

    /// The two alpha sums for δ²(c, k) = (t_c − t_k)², halved (the 2 in
    /// Σ_{i,j}(x_i − x_j)² = 2m·SS cancels between them).
    fn squared_difference_sums(
        &self,
        t: &[f64],
        n_c: &[f64],
        n: f64,
        weights: Option<&[u64]>,
    ) -> (f64, f64) {
        let at = |c: usize| t.get(c).copied().unwrap_or(0.0);
        let mut observed = Sum::default();
        for (w, m, entries) in self.weighted_units(weights) {
            if entries.len() < 2 {
                continue; // one value, no within-unit disagreement
            }
            // Shifting by a member value makes identical values deviate by
            // exactly zero and avoids cancellation when values are large.
            let shift = entries.first().map_or(0.0, |&(c, _)| at(c));
            let offset: f64 = entries.iter().map(|&(c, k)| k * (at(c) - shift)).sum();
            let mean = shift + offset / m;
            let ss: f64 = entries
                .iter()
                .map(|&(c, k)| {
                    let d = at(c) - mean;
                    k * d * d
                })
                .sum();
            observed.add(w * m * ss / (m - 1.0));
        }
        let shift = n_c
            .iter()
            .zip(t)
            .find(|(&k, _)| k > 0.0)
            .map_or(0.0, |(_, &v)| v);
        let mut offset = Sum::default();
        for (&k, &v) in n_c.iter().zip(t) {
            offset.add(k * (v - shift));
        }
        let mean = shift + offset.value() / n;
        let mut ss = Sum::default();
        for (&k, &v) in n_c.iter().zip(t) {
            let d = v - mean;
            ss.add(k * d * d);
        }
        (observed.value(), n * ss.value())
    }

    /// The two alpha sums for the ratio metric over unordered pairs c < k
    /// (the factor 2 cancels).
    fn ratio_sums(&self, n_c: &[f64], weights: Option<&[u64]>) -> (f64, f64) {
        let value = |c: usize| self.values.get(c).copied().unwrap_or(0.0);
        let mut observed = Sum::default();
        for (w, m, entries) in self.weighted_units(weights) {
            let mut unit = 0.0;
            for (i, &(c, kc)) in entries.iter().enumerate() {
                for &(d, kd) in entries.iter().skip(i + 1) {
                    unit += kc * kd * ratio_delta2(value(c), value(d));
                }
            }
            observed.add(w * unit / (m - 1.0));
        }
        let present: Vec<(f64, f64)> = n_c
            .iter()
            .zip(&self.values)
            .filter(|(&k, _)| k > 0.0)
            .map(|(&k, &v)| (k, v))
            .collect();
        let mut expected = Sum::default();
        for (i, &(kc, vc)) in present.iter().enumerate() {
            let mut row = 0.0;
            for &(kd, vd) in present.iter().skip(i + 1) {
                row += kd * ratio_delta2(vc, vd);
            }
            expected.add(kc * row);
        }
        (observed.value(), expected.value())
    }
}

/// ((c − k)/(c + k))², computed on halves so that c + k cannot overflow;
/// 0 when both are 0 (two zeros agree perfectly).
fn ratio_delta2(c: f64, k: f64) -> f64 {
    let (c, k) = (c * 0.5, k * 0.5);
    let sum = c + k;
    if sum == 0.0 {
        0.0
    } else {
        let r = (c - k) / sum;
        r * r
    }
}

/// Orders units by their value counts: equal exactly when alpha cannot
/// tell them apart. Counts are whole numbers, so comparing them as such is
/// exact.
fn compare_units(a: &[(usize, f64)], b: &[(usize, f64)]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        a.iter()
            .zip(b)
            .map(|(&(c, k), &(d, l))| c.cmp(&d).then((k as u64).cmp(&(l as u64))))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The unit-by-unit bootstrap (N uniform unit indices per resample),
    /// the definition the pattern bootstrap must agree with.
    fn unit_draw_ci(
        data: &Ratings,
        metric: Metric,
        iterations: usize,
        seed: u64,
    ) -> Result<(f64, f64), Undefined> {
        let prepared = Prepared::new(data)?;
        prepared.alpha(metric, None)?;
        let units = prepared.sizes.len();
        let mut rng = SplitMix64(seed);
        let mut weights = vec![0u64; units];
        let mut draws = Vec::new();
        for _ in 0..iterations {
            weights.fill(0);
            for _ in 0..units {
                weights[rng.below(units)] += 1;
            }
            if let Ok(a) = prepared.alpha(metric, Some(&weights)) {
                draws.push(a);
            }
        }
        percentile_interval(metric, iterations, draws)
    }

    #[test]
    fn patterns_group_units_by_value_counts() {
        // Units 1 and 4 are both {2, 3} (rater order differs), 2 and 5 both
        // {4, 4}; unit 3 is {2, 3, 3}; unit 6 has one rating, not pairable.
        let d = Ratings::from_rows(&[
            vec![Some(2.0), Some(3.0), None],
            vec![Some(4.0), Some(4.0), None],
            vec![Some(2.0), Some(3.0), Some(3.0)],
            vec![None, Some(3.0), Some(2.0)],
            vec![None, Some(4.0), Some(4.0)],
            vec![Some(5.0), None, None],
        ]);
        let p = Prepared::new(&d).unwrap();
        let (patterns, counts) = p.patterns();
        // Values 2, 3, 4 are indices 0, 1, 2; patterns with fewer distinct
        // values come first, then by (value, count).
        assert_eq!(counts, [2, 2, 1]);
        assert_eq!(patterns.unit(0), [(2, 2.0)]);
        assert_eq!(patterns.unit(1), [(0, 1.0), (1, 1.0)]);
        assert_eq!(patterns.unit(2), [(0, 1.0), (1, 2.0)]);
        assert_eq!(patterns.sizes, [2.0, 2.0, 3.0]);
        for metric in [
            Metric::Nominal,
            Metric::Ordinal,
            Metric::Interval,
            Metric::Ratio,
        ] {
            let a = p.alpha(metric, None).unwrap();
            let b = patterns.alpha(metric, Some(&counts)).unwrap();
            assert!((a - b).abs() < 1e-12, "{metric:?}: {a} vs {b}");
        }
    }

    #[test]
    fn bootstrap_of_two_patterns_by_hand() {
        // Units u1 = {1, 2} and u2 = {3, 3}. A resample of two units is
        // {u1, u1} (probability 1/4), {u1, u2} (1/2) or {u2, u2} (1/4, every
        // value 3: alpha undefined, left out). So a third of the defined
        // draws are alpha({u1, u1}) and two thirds alpha({u1, u2}), and the
        // 2.5th and 97.5th percentiles are those two values.
        // {u1, u1}, values 1 2 1 2: each unit adds m·SS_u/(m − 1) = 2·0.5 = 1
        // to D_o's sum (2 in all); n·SS = 4·(4·0.25) = 4; alpha = 1 − 3·2/4
        // = −0.5, at every level (two distinct values).
        // {u1, u2} ordinal: mid-ranks 1 → 0.5, 2 → 1.5, 3 → 3; SS_u1 =
        // 0.5, so D_o's sum is 2·0.5 = 1; values 0.5 1.5 3 3 have mean 2 and
        // SS 4.5, so n·SS = 18; alpha = 1 − 3·1/18 = 5/6.
        // Interval: values 1 2 3 3, mean 2.25, SS 2.75; D_o's sum 1;
        // alpha = 1 − 3·1/11 = 8/11.
        let d = Ratings::from_rows(&[vec![Some(1.0), Some(2.0)], vec![Some(3.0), Some(3.0)]]);
        for (metric, upper) in [(Metric::Ordinal, 5.0 / 6.0), (Metric::Interval, 8.0 / 11.0)] {
            let (lo, hi) = alpha_bootstrap_ci(&d, metric, 1000, 11).unwrap();
            assert!((lo + 0.5).abs() < 1e-12, "{metric:?}: {lo}");
            assert!((hi - upper).abs() < 1e-12, "{metric:?}: {hi}");
        }
    }

    fn small_scale_data() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
        // 30 to 150 units of two or three raters out of four, scores 1–5,
        // skewed towards agreement as live reviewing is.
        (30usize..150, any::<u64>()).prop_map(|(units, seed)| {
            let mut g = SplitMix64(seed);
            (0..units)
                .map(|_| {
                    let truth = 1 + g.below(5) as i64;
                    let raters = 2 + g.below(2);
                    let skip = g.below(4);
                    (0..4)
                        .map(|r| {
                            let rated = if raters == 3 {
                                r != skip
                            } else {
                                r == skip || r == (skip + 1) % 4
                            };
                            rated.then(|| {
                                let noise = g.below(5) as i64 - 2;
                                let x = if g.below(3) == 0 {
                                    truth + noise
                                } else {
                                    truth
                                };
                                x.clamp(1, 5) as f64
                            })
                        })
                        .collect()
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// The pattern bootstrap samples the same distribution as drawing
        /// units one by one: with 4,000 resamples each, the two intervals'
        /// ends agree within Monte-Carlo error. The standard error of an
        /// end is about 0.05 of the bootstrap's standard deviation, itself
        /// about a quarter of the interval's width, so a tolerance of 0.15
        /// of the width is some ten standard errors of the difference; a
        /// wrong pattern probability moves the ends much further.
        #[test]
        fn pattern_bootstrap_agrees_with_unit_draws(rows in small_scale_data(), seed in any::<u64>()) {
            let d = Ratings::from_rows(&rows);
            for metric in [Metric::Ordinal, Metric::Interval] {
                let (Ok(p), Ok(u)) = (
                    alpha_bootstrap_ci(&d, metric, 4000, seed),
                    unit_draw_ci(&d, metric, 4000, seed ^ 1),
                ) else {
                    continue;
                };
                let width = (u.1 - u.0).max(p.1 - p.0);
                let tol = 0.15 * width + 1e-9;
                prop_assert!((p.0 - u.0).abs() <= tol, "{metric:?} lower: {p:?} vs {u:?}");
                prop_assert!((p.1 - u.1).abs() <= tol, "{metric:?} upper: {p:?} vs {u:?}");
            }
        }

        /// Patterns come in a fixed order, so reordering units leaves the
        /// interval exactly as it was.
        #[test]
        fn bootstrap_ignores_unit_order(rows in small_scale_data(), seed in any::<u64>()) {
            let d = Ratings::from_rows(&rows);
            let mut reversed = rows.clone();
            reversed.reverse();
            let r = Ratings::from_rows(&reversed);
            prop_assert_eq!(
                alpha_bootstrap_ci(&d, Metric::Ordinal, 200, seed),
                alpha_bootstrap_ci(&r, Metric::Ordinal, 200, seed)
            );
        }
    }

    #[test]
    fn ratio_delta_is_scale_free_and_handles_zero() {
        assert_eq!(ratio_delta2(0.0, 0.0), 0.0);
        assert_eq!(ratio_delta2(0.0, 5.0), 1.0);
        assert_eq!(ratio_delta2(f64::MAX, f64::MAX), 0.0);
        assert!((ratio_delta2(1.0, 3.0) - 0.25).abs() < 1e-15);
    }

    #[test]
    fn weights_equal_to_duplicating_units() {
        let base = Ratings::from_rows(&[
            vec![Some(1.0), Some(2.0)],
            vec![Some(3.0), Some(3.0)],
            vec![Some(2.0), Some(4.0), Some(4.0)],
        ]);
        let doubled = Ratings::from_rows(&[
            vec![Some(1.0), Some(2.0)],
            vec![Some(3.0), Some(3.0)],
            vec![Some(3.0), Some(3.0)],
            vec![Some(2.0), Some(4.0), Some(4.0)],
            vec![Some(2.0), Some(4.0), Some(4.0)],
            vec![Some(2.0), Some(4.0), Some(4.0)],
        ]);
        let p = Prepared::new(&base).unwrap();
        for metric in [
            Metric::Nominal,
            Metric::Ordinal,
            Metric::Interval,
            Metric::Ratio,
        ] {
            let w = p.alpha(metric, Some(&[1, 2, 3])).unwrap();
            let d = alpha(&doubled, metric).unwrap();
            assert!((w - d).abs() < 1e-12, "{metric:?}: {w} vs {d}");
        }
    }
}
