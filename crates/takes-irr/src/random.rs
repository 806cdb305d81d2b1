//! Random numbers for the bootstrap: a seeded generator and exact binomial
//! and multinomial samplers. Kept in the crate so it needs no `rand`, and
//! so an interval stays the same for a seed whatever random crate version
//! happens to be in the build. Public because the platform's other
//! bootstraps (downstream validity) resample the same way.

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for
/// bootstrap draws.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform index in `0..n` by Lemire's multiply-shift (bias below
    /// n / 2^64, far under anything a bootstrap can notice).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform on [0, 1) from the top 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Multinomial counts of `n` draws with replacement from categories of
/// fixed sizes (category j drawn with probability sizes[j] / Σ sizes),
/// drawn many times: what does not change between draws is set up once.
///
/// Exact, by sequential conditional binomials: given the draws already
/// assigned to categories before j, the number in j is
/// Binomial(n − assigned, sizes[j] / Σ_{i ≥ j} sizes[i]). The probability is
/// formed from whole sizes, so no rounding error accumulates across
/// categories, and the last category with a non-zero size takes the rest.
/// Costs one binomial draw per category, whatever `n` is.
pub struct Multinomial {
    n: u64,
    categories: Vec<Category>,
    /// ln k! for k in 0..=n (compensated sums of logarithms).
    ln_factorial: Vec<f64>,
    /// 1/k for k in 1..=n, so the inversion's steps do not divide.
    reciprocal: Vec<f64>,
}

/// One category's conditional binomial, on its rarer side so that the
/// sampler's p is at most 1/2 and 1 − p is never formed by subtraction.
struct Category {
    empty: bool,
    /// The last non-empty category: takes every draw left.
    rest: bool,
    /// p is that of the *other* categories (the draw is n − X).
    complement: bool,
    p: f64,
    ln_p: f64,
    ln_q: f64,
    /// p / q and q / p.
    odds: f64,
    inverse_odds: f64,
}

/// Binomials with n·p up to this are drawn by inversion from the mode
/// (about 1.6·√(npq) steps); above it by BTPE, which then costs less. Both
/// are exact; BTPE needs n·p > 30.
const INVERSION_UP_TO: f64 = 250.0;

impl Multinomial {
    pub fn new(n: u64, sizes: &[u64]) -> Self {
        let mut weight: u64 = sizes.iter().sum();
        let categories = sizes
            .iter()
            .map(|&size| {
                let rest = weight - size;
                let complement = size > rest;
                let side = if complement { rest } else { size };
                let p = if weight == 0 {
                    0.0
                } else {
                    side as f64 / weight as f64
                };
                let q = if weight == 0 {
                    1.0
                } else {
                    (weight - side) as f64 / weight as f64
                };
                let c = Category {
                    empty: size == 0,
                    rest: size > 0 && rest == 0,
                    complement,
                    p,
                    ln_p: p.ln(),
                    ln_q: q.ln(),
                    odds: p / q,
                    inverse_odds: q / p,
                };
                weight -= size;
                c
            })
            .collect();
        let len = usize::try_from(n).unwrap_or(usize::MAX).saturating_add(1);
        let mut ln_factorial = Vec::with_capacity(len);
        let mut reciprocal = Vec::with_capacity(len);
        ln_factorial.push(0.0);
        reciprocal.push(0.0);
        let mut sum = crate::numeric::Sum::default();
        for k in 1..len {
            sum.add((k as f64).ln());
            ln_factorial.push(sum.value());
            reciprocal.push(1.0 / k as f64);
        }
        Multinomial {
            n,
            categories,
            ln_factorial,
            reciprocal,
        }
    }

    /// One draw of the counts, written to `counts` (one per category).
    pub fn draw(&self, rng: &mut SplitMix64, counts: &mut [u64]) {
        let mut left = self.n;
        for (c, count) in self.categories.iter().zip(counts.iter_mut()) {
            let k = if left == 0 || c.empty {
                0
            } else if c.rest {
                left
            } else {
                let x = self.binomial(rng, left, c);
                if c.complement {
                    left - x
                } else {
                    x
                }
            };
            *count = k;
            left -= k;
        }
    }

    /// A Binomial(n, c.p) draw (c.p ≤ 1/2) in bounded expected time:
    /// inversion from the mode while n·p ≤ [`INVERSION_UP_TO`], otherwise
    /// the BTPE algorithm of V. Kachitvichyanukul & B. W. Schmeiser (1988),
    /// *Binomial random variate generation*, Communications of the ACM
    /// 31(2), 216–222, whose expected number of trials is bounded for every
    /// n and p.
    fn binomial(&self, rng: &mut SplitMix64, n: u64, c: &Category) -> u64 {
        if n == 0 || c.p <= 0.0 {
            0
        } else if n as f64 * c.p <= INVERSION_UP_TO {
            self.inversion_from_mode(rng, n, c)
        } else {
            binomial_btpe(rng, n, c.p)
        }
    }

    /// Inversion of the distribution function taken in the order m, m − 1,
    /// m + 1, m − 2, m + 2, … from the mode m: the first value whose
    /// probability mass exceeds what is left of the uniform is returned,
    /// which is exact for any fixed order; starting at the mode makes the
    /// expected walk about 1.6·√(npq) steps instead of n·p. f(m) comes from
    /// log-factorials, the neighbours by the ratio f(k+1)/f(k) =
    /// (n − k)/(k + 1) · p/q. If rounding leaves the uniform above the
    /// total (a sliver of about 10⁻¹⁰), the draw starts again.
    fn inversion_from_mode(&self, rng: &mut SplitMix64, n: u64, c: &Category) -> u64 {
        let at = |t: &[f64], k: u64| {
            usize::try_from(k)
                .ok()
                .and_then(|k| t.get(k))
                .copied()
                .unwrap_or(0.0)
        };
        let (lf, inv) = (&self.ln_factorial, &self.reciprocal);
        let m = (((n as f64 + 1.0) * c.p) as u64).min(n);
        let f_m =
            (at(lf, n) - at(lf, m) - at(lf, n - m) + m as f64 * c.ln_p + (n - m) as f64 * c.ln_q)
                .exp();
        loop {
            let mut u = rng.uniform();
            if u < f_m {
                return m;
            }
            u -= f_m;
            let (mut lo, mut hi, mut f_lo, mut f_hi) = (m, m, f_m, f_m);
            while lo > 0 || hi < n {
                if lo > 0 {
                    f_lo *= lo as f64 * at(inv, n - lo + 1) * c.inverse_odds;
                    lo -= 1;
                    if u < f_lo {
                        return lo;
                    }
                    u -= f_lo;
                }
                if hi < n {
                    f_hi *= (n - hi) as f64 * at(inv, hi + 1) * c.odds;
                    hi += 1;
                    if u < f_hi {
                        return hi;
                    }
                    u -= f_hi;
                }
            }
        }
    }
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

    /// Pearson's chi-square of `draws` Binomial(n, a/(a+b)) samples (the
    /// first of two categories of sizes a and b) against the exact
    /// probabilities, with cells merged until each expects ≥ 20, and the
    /// number of cells.
    fn chi_square(n: u64, a: u64, b: u64, draws: usize, seed: u64) -> (f64, usize) {
        let mut rng = SplitMix64(seed);
        let sampler = Multinomial::new(n, &[a, b]);
        let mut seen = vec![0u64; n as usize + 1];
        let mut counts = [0u64; 2];
        for _ in 0..draws {
            sampler.draw(&mut rng, &mut counts);
            assert_eq!(counts[0] + counts[1], n);
            seen[counts[0] as usize] += 1;
        }
        let f = pmf(n, a as f64 / (a + b) as f64);
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
    fn binomial_matches_its_distribution_in_every_regime() {
        // Inversion from the mode (n·p ≤ 250) and BTPE (above), both sides
        // of the switch, BTPE's far-tail Stirling test (large n·p·q), and
        // p above 1/2 (drawn as n minus its complement).
        for (n, a, b) in [
            (1, 1, 1),
            (7, 3, 97),
            (40, 1, 1),
            (200, 1, 4),
            (200, 4, 1),
            (2_000, 1, 9),
            (600, 1, 1),
            (5_000, 37, 63),
            (1_000_000, 1, 999),
            (2_000_000, 9, 11),
        ] {
            let (stat, cells) = chi_square(n, a, b, 200_000, n ^ 0x5eed);
            // Degrees of freedom = cells − 1; the bound is about the
            // 99.9999th percentile of chi-square for them, so this fails
            // only on a real error (the draws are seeded, not flaky).
            let df = (cells - 1) as f64;
            let bound = df + 7.0 * (2.0 * df).sqrt() + 25.0;
            assert!(
                stat < bound,
                "n = {n}, sizes {a}:{b}: chi² {stat} on {df} df"
            );
        }
    }

    #[test]
    fn binomial_edges() {
        let mut g = SplitMix64(3);
        let mut counts = [0u64; 2];
        Multinomial::new(0, &[1, 1]).draw(&mut g, &mut counts);
        assert_eq!(counts, [0, 0]);
        for _ in 0..1000 {
            Multinomial::new(3, &[1, 1]).draw(&mut g, &mut counts);
            assert_eq!(counts[0] + counts[1], 3);
        }
    }

    #[test]
    fn multinomial_keeps_the_total_and_skips_empty_categories() {
        let mut g = SplitMix64(9);
        let sampler = Multinomial::new(1000, &[5, 0, 1, 994, 0]);
        let mut counts = [0; 5];
        let mut sum = [0u64; 5];
        for _ in 0..2000 {
            sampler.draw(&mut g, &mut counts);
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
        Multinomial::new(7, &[0, 3, 0]).draw(&mut g, &mut counts[..3]);
        assert_eq!(&counts[..3], &[0, 7, 0]);
    }
}
