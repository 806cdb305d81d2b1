//! Intraclass correlations of Shrout & Fleiss (1979).
//!
//! Reference: P. E. Shrout & J. L. Fleiss (1979), *Intraclass correlations:
//! uses in assessing rater reliability*, Psychological Bulletin 86(2),
//! 420–428. Interpretation bands in the report follow T. K. Koo & M. Y. Li
//! (2016), *A guideline of selecting and reporting intraclass correlation
//! coefficients for reliability research*, J. Chiropractic Medicine 15(2).

use crate::numeric::{Sum, UnitScale};
use crate::{Ratings, Undefined};

/// The six Shrout–Fleiss intraclass correlations of one data set, with the
/// ANOVA mean squares they are built from.
///
/// With n units ("targets"), k raters ("judges"), BMS the between-units
/// mean square, WMS the within-units mean square (one-way ANOVA), JMS the
/// between-raters mean square and EMS the residual mean square (two-way
/// ANOVA without replication):
///
/// ```text
/// ICC(1,1) = (BMS − WMS) / (BMS + (k − 1) WMS)
/// ICC(2,1) = (BMS − EMS) / (BMS + (k − 1) EMS + k (JMS − EMS) / n)
/// ICC(3,1) = (BMS − EMS) / (BMS + (k − 1) EMS)
/// ICC(1,k) = (BMS − WMS) / BMS
/// ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS) / n)
/// ICC(3,k) = (BMS − EMS) / BMS
/// ```
///
/// ICC(1,·) treats each unit as rated by a different random set of raters,
/// ICC(2,·) treats raters as a random sample (absolute agreement), ICC(3,·)
/// treats them as fixed (consistency). The `,1` forms are the reliability
/// of one rater, the `,k` forms of the mean of k raters.
#[derive(Clone, Debug, PartialEq)]
pub struct Icc {
    /// Units used: those rated by every rater.
    pub n_units: usize,
    /// Raters (k).
    pub n_raters: usize,
    /// Between-units mean square, in squared score units.
    pub bms: f64,
    /// Within-units mean square (one-way model).
    pub wms: f64,
    /// Between-raters mean square.
    pub jms: f64,
    /// Residual mean square (two-way model).
    pub ems: f64,
    /// ICC(1,1): one-way random, single rater.
    pub icc1_1: Result<f64, Undefined>,
    /// ICC(2,1): two-way random, absolute agreement, single rater.
    pub icc2_1: Result<f64, Undefined>,
    /// ICC(3,1): two-way mixed, consistency, single rater.
    pub icc3_1: Result<f64, Undefined>,
    /// ICC(1,k): one-way random, mean of k raters.
    pub icc1_k: Result<f64, Undefined>,
    /// ICC(2,k): two-way random, absolute agreement, mean of k raters.
    pub icc2_k: Result<f64, Undefined>,
    /// ICC(3,k): two-way mixed, consistency, mean of k raters.
    pub icc3_k: Result<f64, Undefined>,
}

/// Units whose ratings include every rater: ICC needs a complete
/// units × raters table.
pub(crate) fn complete_units(data: &Ratings) -> usize {
    let k = data.n_raters();
    data.units().filter(|row| row.len() == k).count()
}

/// The six intraclass correlations of `data`, computed on the units rated
/// by every rater (others are left out, since the two-way ANOVA needs a
/// complete table).
///
/// Undefined as a whole when fewer than two raters or fewer than two
/// complete units remain, when a score is not finite, or when every score
/// is the same. A single form is undefined when its denominator is zero —
/// for example ICC(·,k) when all units have the same mean — where "zero"
/// means below 10⁻¹² of the total mean square, so that rounding noise in
/// an exactly-zero mean square is not divided by.
///
/// The mean squares are computed by two passes (means first, then squared
/// deviations, with the residual formed directly as
/// x − row mean − column mean + grand mean) on scores mapped onto [0, 1],
/// which the ICCs are invariant to; the reported mean squares are scaled
/// back to the original units.
pub fn icc(data: &Ratings) -> Result<Icc, Undefined> {
    data.check_finite()?;
    let k = data.n_raters();
    if k < 2 {
        return Err(Undefined::new(format!(
            "intraclass correlation needs at least two raters; there {}",
            if k == 1 { "is one" } else { "are none" }
        )));
    }
    let rows: Vec<&[(usize, f64)]> = data.units().filter(|row| row.len() == k).collect();
    let n = rows.len();
    if n < 2 {
        return Err(Undefined::new(format!(
            "intraclass correlation needs at least two units rated by all {k} raters; found {n}"
        )));
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(_, x) in rows.iter().flat_map(|r| r.iter()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let scale = UnitScale::new(lo, hi).ok_or_else(|| {
        Undefined::new("every score is the same, so there is no variance to apportion")
    })?;
    // Rows hold one rating per rater in rater order, so column j is rater j.
    let x: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.iter().map(|&(_, v)| scale.apply(v)))
        .collect();
    let cell = |i: usize, j: usize| x.get(i * k + j).copied().unwrap_or(0.0);

    let (nf, kf) = (n as f64, k as f64);
    let row_means: Vec<f64> = (0..n)
        .map(|i| shifted_mean((0..k).map(|j| cell(i, j))))
        .collect();
    let col_means: Vec<f64> = (0..k)
        .map(|j| shifted_mean((0..n).map(|i| cell(i, j))))
        .collect();
    let grand = shifted_mean(row_means.iter().copied());

    let mut ss_rows = Sum::default();
    for &r in &row_means {
        ss_rows.add((r - grand) * (r - grand));
    }
    let mut ss_cols = Sum::default();
    for &c in &col_means {
        ss_cols.add((c - grand) * (c - grand));
    }
    let mut ss_within = Sum::default();
    let mut ss_error = Sum::default();
    for (i, &r) in row_means.iter().enumerate() {
        for (j, &c) in col_means.iter().enumerate() {
            let v = cell(i, j);
            ss_within.add((v - r) * (v - r));
            let e = v - r - c + grand;
            ss_error.add(e * e);
        }
    }
    let bms = kf * ss_rows.value() / (nf - 1.0);
    let wms = ss_within.value() / (nf * (kf - 1.0));
    let jms = nf * ss_cols.value() / (kf - 1.0);
    let ems = ss_error.value() / ((nf - 1.0) * (kf - 1.0));

    let total_ms = (kf * ss_rows.value() + ss_within.value()) / (nf * kf - 1.0);
    let zero = 1e-12 * total_ms;
    let ratio = |form: &str, num: f64, den: f64, why: &str| {
        let r = num / den;
        if den.abs() > zero && r.is_finite() {
            Ok(r)
        } else {
            Err(Undefined::new(format!("{form} is undefined: {why}")))
        }
    };
    const NO_UNIT_VARIANCE: &str = "all units have the same mean score";
    Ok(Icc {
        n_units: n,
        n_raters: k,
        bms: bms * scale.square_factor(),
        wms: wms * scale.square_factor(),
        jms: jms * scale.square_factor(),
        ems: ems * scale.square_factor(),
        icc1_1: ratio(
            "ICC(1,1)",
            bms - wms,
            bms + (kf - 1.0) * wms,
            "there is no variance at all",
        ),
        icc2_1: ratio(
            "ICC(2,1)",
            bms - ems,
            bms + (kf - 1.0) * ems + kf * (jms - ems) / nf,
            "its denominator BMS + (k−1)EMS + k(JMS−EMS)/n is zero",
        ),
        icc3_1: ratio(
            "ICC(3,1)",
            bms - ems,
            bms + (kf - 1.0) * ems,
            "scores differ only between raters, not between units",
        ),
        icc1_k: ratio("ICC(1,k)", bms - wms, bms, NO_UNIT_VARIANCE),
        icc2_k: ratio(
            "ICC(2,k)",
            bms - ems,
            bms + (jms - ems) / nf,
            "its denominator BMS + (JMS−EMS)/n is zero",
        ),
        icc3_k: ratio("ICC(3,k)", bms - ems, bms, NO_UNIT_VARIANCE),
    })
}

/// Mean computed as first + mean(x − first): exact for constant input, and
/// free of the cancellation a plain sum suffers when values share a large
/// common part.
fn shifted_mean(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let mut it = values.clone();
    let Some(first) = it.next() else {
        return 0.0;
    };
    let mut offset = Sum::default();
    let mut count = 0.0;
    for v in values {
        offset.add(v - first);
        count += 1.0;
    }
    first + offset.value() / count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_mean_is_exact_for_constants() {
        let v = [0.1f64; 7];
        assert_eq!(shifted_mean(v.iter().copied()), 0.1);
        let naive: f64 = v.iter().sum::<f64>() / 7.0;
        assert_ne!(naive, 0.1, "plain mean should be off here");
    }
}
