//! Krippendorff's alpha and its bootstrap interval.
//!
//! Reference: K. Krippendorff (2011), *Computing Krippendorff's
//! Alpha-Reliability*, Annenberg School for Communication, University of
//! Pennsylvania (<https://repository.upenn.edu/asc_papers/43>).

use crate::numeric::{canonical, percentile_sorted, Sum, UnitScale};
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
/// The generator is SplitMix64 seeded with `seed`, so the interval is
/// reproducible for a given input, seed and iteration count. Resamples on
/// which alpha is undefined (e.g. every value the same) are left out;
/// if that is more than half of them the interval is undefined. A few
/// thousand iterations are usual; each costs about one alpha computation.
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
    let mut rng = SplitMix64(seed);
    let mut weights = vec![0u32; units];
    // Capped so an absurd iteration count cannot abort on allocation.
    let mut draws = Vec::with_capacity(iterations.min(1 << 16));
    for _ in 0..iterations {
        weights.fill(0);
        for _ in 0..units {
            if let Some(w) = weights.get_mut(rng.below(units)) {
                *w = w.saturating_add(1);
            }
        }
        if let Ok(a) = prepared.alpha(metric, Some(&weights)) {
            draws.push(a);
        }
    }
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

    /// Pairable units with their weight and size, skipping weight zero.
    fn weighted_units<'a>(
        &'a self,
        weights: Option<&'a [u32]>,
    ) -> impl Iterator<Item = (f64, f64, &'a [(usize, f64)])> + 'a {
        self.sizes.iter().enumerate().filter_map(move |(i, &m)| {
            let w = match weights {
                None => 1.0,
                Some(ws) => f64::from(ws.get(i).copied().unwrap_or(0)),
            };
            (w > 0.0).then(|| (w, m, self.unit(i)))
        })
    }

    fn alpha(&self, metric: Metric, weights: Option<&[u32]>) -> Result<f64, Undefined> {
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
    fn nominal_sums(&self, n_c: &[f64], n: f64, weights: Option<&[u32]>) -> (f64, f64) {
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
        weights: Option<&[u32]>,
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
    fn ratio_sums(&self, n_c: &[f64], weights: Option<&[u32]>) -> (f64, f64) {
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

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for
/// drawing bootstrap indices; kept here so the crate needs no `rand`.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform index in `0..n` by Lemire's multiply-shift (bias below
    /// n / 2^64, far under anything a bootstrap can notice).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_output() {
        // Seed 0 gives 0xe220a8397b1dcdaf first in Vigna's splitmix64.c, the
        // value other ports test against; a wrong constant or shift changes it.
        let mut g = SplitMix64(0);
        assert_eq!(g.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(g.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn below_stays_in_range() {
        let mut g = SplitMix64(0);
        for n in 1..50 {
            for _ in 0..100 {
                assert!(g.below(n) < n);
            }
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
