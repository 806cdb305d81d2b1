//! The few tests the insights need, written out so every figure can be
//! checked by hand: the normal distribution, Student's t critical values,
//! the two-proportion z-test, Fisher's exact test, and a small seeded
//! generator for bootstraps.

use super::describe::mean_sd;

/// Complementary error function, Numerical Recipes' `erfcc` (Chebyshev
/// fit, fractional error below 1.2e-7 everywhere): far more precision
/// than a p-value shown to two digits needs.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Standard normal cumulative distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Two-sided 95% critical value of Student's t with `df` degrees of
/// freedom (tabled to 30, then the normal 1.96, which is within 2% of the
/// true value from there on); `None` for df = 0.
pub fn t_975(df: usize) -> Option<f64> {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => None,
        d if d <= 30 => TABLE.get(d - 1).copied(),
        _ => Some(1.96),
    }
}

/// The pooled two-proportion z-test of `x1/n1` against `x2/n2`.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoProportion {
    pub p1: f64,
    pub p2: f64,
    pub z: f64,
    /// One-sided p-value for "p1 is lower than p2".
    pub p_lower: f64,
}

/// `None` when a sample is empty or both proportions are 0 or both 1 (no
/// variance, so no test).
pub fn two_proportion(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<TwoProportion> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (p1, p2) = (x1 as f64 / n1f, x2 as f64 / n2f);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let z = (p1 - p2) / se;
    Some(TwoProportion {
        p1,
        p2,
        z,
        p_lower: normal_cdf(z),
    })
}

/// Welch's z of the mean of `a` against the mean of `b`:
/// (mean_a − mean_b) / sqrt(var_a / n_a + var_b / n_b), sample variances.
/// `None` with fewer than two values on a side or no spread on either.
pub fn two_sided_outlier(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ma, sa) = mean_sd(a);
    let (mb, sb) = mean_sd(b);
    let (ma, sa, mb, sb) = (ma?, sa?, mb?, sb?);
    let se = (sa * sa / a.len() as f64 + sb * sb / b.len() as f64).sqrt();
    (se > 0.0).then(|| (ma - mb) / se)
}

/// Natural logs of 0!..=n!, summed once so a table of a hundred thousand
/// candidates costs one pass.
fn ln_factorials(n: u64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n as usize + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for i in 1..=n {
        acc += (i as f64).ln();
        out.push(acc);
    }
    out
}

/// Two-sided p-value of Fisher's exact test for the 2×2 table
/// `[[a, b], [c, d]]`: the total probability, under the hypergeometric
/// distribution with the table's margins, of every table no more likely
/// than the observed one (R's `fisher.test` definition, with the same
/// relative tolerance of 1e-7 for ties). `None` for an empty table.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    let n = a.checked_add(b)?.checked_add(c)?.checked_add(d)?;
    // Beyond this a table is not a cell count but corrupt data; refusing
    // keeps memory bounded.
    if n == 0 || n > 50_000_000 {
        return None;
    }
    let lf = ln_factorials(n);
    let f = |k: u64| lf.get(k as usize).copied().unwrap_or(0.0);
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let ln_p = |x: u64| -> f64 {
        // P(X = x) = C(r1, x) C(r2, c1 - x) / C(n, c1)
        f(r1) - f(x) - f(r1 - x) + f(r2) - f(c1 - x) - f(r2 - (c1 - x)) - f(n) + f(c1) + f(n - c1)
    };
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let observed = ln_p(a);
    let mut total = 0.0;
    for x in lo..=hi {
        let lp = ln_p(x);
        if lp <= observed + 1e-7_f64.ln_1p() {
            total += lp.exp();
        }
    }
    Some(total.min(1.0))
}

/// SplitMix64 (Steele, Lea & Flood 2014): reproducible bootstrap draws
/// without a dependency on a generator whose stream may change between
/// versions; a figure that moved between two page loads would not be
/// believed. One generator for every bootstrap, the reliability figures'
/// included.
pub use takes_irr::random::SplitMix64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_at_known_points() {
        // Table values: Phi(0) = 0.5, Phi(1.96) = 0.97500, Phi(-1) = 0.15866.
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.96) - 0.975_002).abs() < 1e-5);
        assert!((normal_cdf(-1.0) - 0.158_655).abs() < 1e-5);
    }

    #[test]
    fn two_proportion_planted_drop() {
        // 45/100 against 68/100: pooled 113/200 = 0.565,
        // se = sqrt(0.565 * 0.435 * (1/100 + 1/100)) = sqrt(0.0049155)
        //    = 0.070111; z = (0.45 - 0.68) / 0.070111 = -3.2805;
        // Phi(-3.2805) = 0.00052.
        let t = two_proportion(45, 100, 68, 100).expect("defined");
        assert!((t.z - (-3.2805)).abs() < 1e-3, "{}", t.z);
        assert!((t.p_lower - 0.000_52).abs() < 0.000_02, "{}", t.p_lower);
        assert!(two_proportion(0, 10, 0, 10).is_none());
        assert!(two_proportion(1, 0, 1, 10).is_none());
        assert!(two_proportion(11, 10, 1, 10).is_none());
    }

    #[test]
    fn fisher_textbook_table() {
        // [[1, 9], [11, 3]]: n = 24, margins 10/14 and 12/12,
        // C(24,12) = 2704156. P(a) = C(10,a) C(14,12-a) / 2704156:
        // a=0: 1*91 = 91; a=1: 10*364 = 3640 (observed); a=9: 10*364 =
        // 3640; a=10: 1*91 = 91; a=2: 45*1001 = 45045 and a=8 likewise are
        // more likely, so left out. p = (91+3640+3640+91)/2704156
        //   = 7462/2704156 = 0.0027594.
        let p = fisher_exact(1, 9, 11, 3).expect("defined");
        assert!((p - 7462.0 / 2_704_156.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn fisher_small_and_degenerate_tables() {
        // [[3, 0], [0, 3]]: margins 3/3, 3/3, C(6,3) = 20; only a=0 and
        // a=3 are as unlikely (1/20 each): p = 0.1.
        let p = fisher_exact(3, 0, 0, 3).expect("defined");
        assert!((p - 0.1).abs() < 1e-12);
        // Equal rows: the observed table is the most likely one, so p = 1.
        assert!((fisher_exact(2, 2, 2, 2).expect("defined") - 1.0).abs() < 1e-9);
        assert_eq!(fisher_exact(0, 0, 0, 0), None);
    }

    #[test]
    fn t_table_edges() {
        assert_eq!(t_975(0), None);
        assert_eq!(t_975(1), Some(12.706));
        assert_eq!(t_975(30), Some(2.042));
        assert_eq!(t_975(1000), Some(1.96));
    }

    #[test]
    fn generator_is_reproducible_and_in_range() {
        let (mut a, mut b) = (SplitMix64(7), SplitMix64(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
            assert!(a.below(5) < 5);
            let u = a.uniform();
            assert!((0.0..1.0).contains(&u));
            b.below(5);
            b.uniform();
        }
    }
}
