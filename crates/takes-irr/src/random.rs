//! Random numbers for the bootstrap: a seeded generator and exact binomial
//! and multinomial samplers. Kept in the crate so it needs no `rand`, and
//! so an interval stays the same for a seed whatever random crate version
//! happens to be in the build.

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for
/// bootstrap draws.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform index in `0..n` by Lemire's multiply-shift (bias below
    /// n / 2^64, far under anything a bootstrap can notice).
    #[cfg(test)]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform on [0, 1) from the top 53 bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Counts of `n` draws with replacement from categories of sizes
/// `sizes` (category j drawn with probability sizes[j] / Σ sizes), written
/// to `counts`.
///
/// Exact, by sequential conditional binomials: given the draws already
/// assigned to categories before j, the number in j is
/// Binomial(n − assigned, sizes[j] / Σ_{i ≥ j} sizes[i]). The probability is
/// formed from whole sizes, so no rounding error accumulates across
/// categories, and the last category with a non-zero size takes the rest.
/// Costs one binomial draw per category, whatever `n` is.
pub(crate) fn multinomial(rng: &mut SplitMix64, n: u64, sizes: &[u64], counts: &mut [u64]) {
    let mut left = n;
    let mut weight: u64 = sizes.iter().sum();
    for (&size, count) in sizes.iter().zip(counts.iter_mut()) {
        let k = if left == 0 || size == 0 {
            0
        } else if size >= weight {
            left
        } else {
            // Sample the rarer side, so the sampler's p is at most 1/2 and
            // 1 − p is never formed by subtraction.
            let rest = weight - size;
            if size <= rest {
                binomial_small_p(rng, left, size as f64 / weight as f64)
            } else {
                left - binomial_small_p(rng, left, rest as f64 / weight as f64)
            }
        };
        *count = k;
        left -= k;
        weight -= size;
    }
}

/// A Binomial(n, p) draw for 0 < p ≤ 1/2, in bounded expected time:
/// inversion by sequential search when n·p ≤ 30 (at most about n·p + 1
/// steps on average), otherwise the BTPE algorithm of V. Kachitvichyanukul
/// & B. W. Schmeiser (1988), *Binomial random variate generation*,
/// Communications of the ACM 31(2), 216–222, whose expected number of
/// trials is bounded for every n and p. The switch point and the BTPE
/// constants are the paper's (as in NumPy's `random_binomial`).
pub(crate) fn binomial_small_p(rng: &mut SplitMix64, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    let p = p.min(0.5);
    if n as f64 * p <= 30.0 {
        binomial_inversion(rng, n, p)
    } else {
        binomial_btpe(rng, n, p)
    }
}

/// Inversion: walks the probability mass function up from 0 until the
/// uniform is used up. The walk is cut off (and restarted with a fresh
/// uniform) far in the upper tail, where rounding could otherwise let it
/// run on; the mass beyond the cut-off is below 10⁻²⁰.
fn binomial_inversion(rng: &mut SplitMix64, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let q = 1.0 - p;
    let q_n = (nf * (-p).ln_1p()).exp();
    let np = nf * p;
    let bound = nf.min(np + 10.0 * (np * q + 1.0).sqrt());
    let mut x = 0u64;
    let mut px = q_n;
    let mut u = rng.uniform();
    while u > px {
        x += 1;
        let xf = x as f64;
        if xf > bound {
            x = 0;
            px = q_n;
            u = rng.uniform();
        } else {
            u -= px;
            px *= (nf - xf + 1.0) * p / (xf * q);
        }
    }
    x
}

/// BTPE ("binomial, triangle, parallelogram, exponential"): a
/// rejection sampler whose hat is a triangle over the mode, two
/// parallelograms and two exponential tails, with a squeeze and, for far
/// draws, Stirling-series bounds on the log-ratio f(y)/f(mode). Step
/// numbers refer to the paper. Needs n·p > 30 and p ≤ 1/2.
fn binomial_btpe(rng: &mut SplitMix64, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let (r, q) = (p, 1.0 - p);
    // Step 0: set-up.
    let fm = nf * r + r;
    let m = fm.floor();
    let npq = nf * r * q;
    let p1 = (2.195 * npq.sqrt() - 4.6 * q).floor() + 0.5;
    let xm = m + 0.5;
    let xl = xm - p1;
    let xr = xm + p1;
    let c = 0.134 + 20.5 / (15.3 + m);
    let a = (fm - xl) / (fm - xl * r);
    let lambda_l = a * (1.0 + a / 2.0);
    let a = (xr - fm) / (xr * q);
    let lambda_r = a * (1.0 + a / 2.0);
    let p2 = p1 * (1.0 + 2.0 * c);
    let p3 = p2 + c / lambda_l;
    let p4 = p3 + c / lambda_r;
    let to_count = |y: f64| (y as u64).min(n);
    loop {
        // Step 1: the triangle, accepted outright.
        let u = rng.uniform() * p4;
        let mut v = rng.uniform();
        if u <= p1 {
            return to_count((xm - p1 * v + u).floor());
        }
        let y = if u <= p2 {
            // Step 2: the parallelograms.
            let x = xl + (u - p1) / c;
            v = v * c + 1.0 - (m - x + 0.5).abs() / p1;
            if v > 1.0 {
                continue;
            }
            x.floor()
        } else if u <= p3 {
            // Step 3: the left exponential tail.
            if v == 0.0 {
                continue;
            }
            let y = (xl + v.ln() / lambda_l).floor();
            if y < 0.0 {
                continue;
            }
            v *= (u - p2) * lambda_l;
            y
        } else {
            // Step 4: the right exponential tail.
            if v == 0.0 {
                continue;
            }
            let y = (xr - v.ln() / lambda_r).floor();
            if y > nf {
                continue;
            }
            v *= (u - p3) * lambda_r;
            y
        };
        // Step 5.0: near the mode, f(y)/f(m) by its product recursion.
        let k = (y - m).abs();
        if k <= 20.0 || k >= npq / 2.0 - 1.0 {
            let s = r / q;
            let a = s * (nf + 1.0);
            let mut f = 1.0;
            if m < y {
                let mut i = m + 1.0;
                while i <= y {
                    f *= a / i - s;
                    i += 1.0;
                }
            } else if m > y {
                let mut i = y + 1.0;
                while i <= m {
                    f /= a / i - s;
                    i += 1.0;
                }
            }
            if v > f {
                continue;
            }
            return to_count(y);
        }
        // Step 5.2: squeeze on log v.
        let rho = (k / npq) * ((k * (k / 3.0 + 0.625) + 1.0 / 6.0) / npq + 0.5);
        let t = -k * k / (2.0 * npq);
        let log_v = v.ln();
        if log_v < t - rho {
            return to_count(y);
        }
        if log_v > t + rho {
            continue;
        }
        // Step 5.3: the final test against Stirling bounds.
        let x1 = y + 1.0;
        let f1 = m + 1.0;
        let z = nf + 1.0 - m;
        let w = nf - y + 1.0;
        let stirling = |d: f64| {
            let d2 = d * d;
            (13680. - (462. - (132. - (99. - 140. / d2) / d2) / d2) / d2) / d / 166_320.
        };
        let bound = xm * (f1 / x1).ln()
            + (nf - m + 0.5) * (z / w).ln()
            + (y - m) * (w * r / (x1 * q)).ln()
            + stirling(f1)
            + stirling(z)
            + stirling(x1)
            + stirling(w);
        if log_v > bound {
            continue;
        }
        return to_count(y);
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
    fn below_and_uniform_stay_in_range() {
        let mut g = SplitMix64(0);
        for n in 1..50 {
            for _ in 0..100 {
                assert!(g.below(n) < n);
                let u = g.uniform();
                assert!((0.0..1.0).contains(&u));
            }
        }
    }

    /// Binomial(n, p) probabilities, by the ratio recursion from the mode
    /// (no log-gamma needed), normalised.
    fn pmf(n: u64, p: f64) -> Vec<f64> {
        let q = 1.0 - p;
        let mode = ((n as f64 + 1.0) * p).floor() as usize;
        let mut f = vec![0.0; n as usize + 1];
        f[mode] = 1.0;
        for k in mode..n as usize {
            f[k + 1] = f[k] * (n as f64 - k as f64) / (k as f64 + 1.0) * p / q;
        }
        for k in (0..mode).rev() {
            f[k] = f[k + 1] * (k as f64 + 1.0) / (n as f64 - k as f64) * q / p;
        }
        let total: f64 = f.iter().sum();
        f.iter().map(|x| x / total).collect()
    }

    /// Pearson's chi-square of `draws` Binomial(n, p) samples against the
    /// exact probabilities, with cells merged until each expects ≥ 20, and
    /// the number of cells.
    fn chi_square(n: u64, p: f64, draws: usize, seed: u64) -> (f64, usize) {
        let mut rng = SplitMix64(seed);
        let mut seen = vec![0u64; n as usize + 1];
        for _ in 0..draws {
            let k = binomial_small_p(&mut rng, n, p);
            assert!(k <= n, "draw {k} above n = {n}");
            seen[k as usize] += 1;
        }
        let f = pmf(n, p);
        let mut above = vec![0.0; f.len() + 1];
        for k in (0..f.len()).rev() {
            above[k] = above[k + 1] + f[k];
        }
        let (mut stat, mut cells) = (0.0, 0);
        let (mut expected, mut observed) = (0.0, 0.0);
        for (k, &pk) in f.iter().enumerate() {
            expected += pk * draws as f64;
            observed += seen[k] as f64;
            let rest = above[k + 1] * draws as f64;
            if expected >= 20.0 && rest >= 20.0 || k == f.len() - 1 {
                stat += (observed - expected).powi(2) / expected.max(1e-300);
                cells += 1;
                expected = 0.0;
                observed = 0.0;
            }
        }
        (stat, cells)
    }

    #[test]
    fn binomial_matches_its_distribution_in_both_regimes() {
        // Inversion (n·p ≤ 30) and BTPE (n·p > 30), including both sides of
        // the switch and BTPE's far-tail Stirling test (large n·p·q).
        for (n, p) in [
            (1, 0.5),
            (7, 0.03),
            (40, 0.5),
            (60, 0.5),
            (61, 0.5),
            (200, 0.2),
            (5_000, 0.37),
            (1_000_000, 0.001),
            (2_000_000, 0.45),
        ] {
            let (stat, cells) = chi_square(n, p, 200_000, n ^ 0x5eed);
            // Degrees of freedom = cells − 1; the bound is about the
            // 99.9999th percentile of chi-square for them, so this fails
            // only on a real error (the draws are seeded, not flaky).
            let df = (cells - 1) as f64;
            let bound = df + 7.0 * (2.0 * df).sqrt() + 25.0;
            assert!(stat < bound, "n = {n}, p = {p}: chi² {stat} on {df} df");
        }
    }

    #[test]
    fn binomial_edges() {
        let mut g = SplitMix64(3);
        assert_eq!(binomial_small_p(&mut g, 0, 0.3), 0);
        assert_eq!(binomial_small_p(&mut g, 10, 0.0), 0);
        for _ in 0..1000 {
            assert!(binomial_small_p(&mut g, 3, 0.5) <= 3);
        }
    }

    #[test]
    fn multinomial_keeps_the_total_and_skips_empty_categories() {
        let mut g = SplitMix64(9);
        let sizes = [5, 0, 1, 994, 0];
        let mut counts = [0; 5];
        let mut sum = [0u64; 5];
        for _ in 0..2000 {
            multinomial(&mut g, 1000, &sizes, &mut counts);
            assert_eq!(counts.iter().sum::<u64>(), 1000);
            assert_eq!((counts[1], counts[4]), (0, 0));
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
        // Means n·size/Σ: 5, 1 and 994 per draw, within a few standard errors.
        let mean = |j: usize| sum[j] as f64 / 2000.0;
        assert!((mean(0) - 5.0).abs() < 0.25, "{}", mean(0));
        assert!((mean(2) - 1.0).abs() < 0.12, "{}", mean(2));
        assert!((mean(3) - 994.0).abs() < 0.3, "{}", mean(3));
        // A single non-empty category takes every draw.
        multinomial(&mut g, 7, &[0, 3, 0], &mut counts[..3]);
        assert_eq!(&counts[..3], &[0, 7, 0]);
    }
}
