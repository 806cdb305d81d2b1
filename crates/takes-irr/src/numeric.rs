//! Small numerical helpers shared by the statistics.

/// Neumaier's compensated sum (Neumaier 1974, an improved Kahan–Babuška
/// sum). Sums of squared deviations over tens of thousands of ratings lose
/// several digits with naive addition when the terms differ widely in size;
/// this keeps the error at a few ulps independent of the number of terms.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    pub(crate) fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Treats `-0.0` and `0.0` as the same rating. Category equality elsewhere
/// uses `total_cmp`, which would otherwise tell them apart.
pub(crate) fn canonical(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// An affine map of finite data onto `[0, 1]`, so that squares and sums of
/// squares cannot overflow whatever the magnitude of the scores (every
/// statistic that uses it is invariant to such a map).
#[derive(Clone, Copy, Debug)]
pub(crate) struct UnitScale {
    half_min: f64,
    half_range: f64,
}

impl UnitScale {
    /// `None` when `min == max` (no spread to scale by). Halving first keeps
    /// `max - min` finite even for `-f64::MAX ..= f64::MAX`.
    pub(crate) fn new(min: f64, max: f64) -> Option<Self> {
        let half_range = max * 0.5 - min * 0.5;
        if half_range > 0.0 && half_range.is_finite() {
            Some(UnitScale {
                half_min: min * 0.5,
                half_range,
            })
        } else {
            None
        }
    }

    pub(crate) fn apply(&self, x: f64) -> f64 {
        (x * 0.5 - self.half_min) / self.half_range
    }

    /// Factor that turns a mean square of scaled data back into the
    /// original units (may be infinite for extreme data).
    pub(crate) fn square_factor(&self) -> f64 {
        let range = self.half_range * 2.0;
        range * range
    }
}

/// Percentile by linear interpolation between order statistics
/// (Hyndman & Fan 1996, type 7, the default of R and NumPy).
/// `sorted` must be non-empty and ascending.
pub(crate) fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = p.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let a = *sorted.get(lo)?;
    let b = *sorted.get(hi)?;
    Some(a + (h - lo as f64) * (b - a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let mut s = Sum::default();
        s.add(1e16);
        for _ in 0..1000 {
            s.add(1.0);
        }
        s.add(-1e16);
        assert_eq!(s.value(), 1000.0);
        let naive: f64 = std::iter::once(1e16)
            .chain(std::iter::repeat_n(1.0, 1000))
            .chain(std::iter::once(-1e16))
            .sum();
        assert_ne!(naive, 1000.0, "the test data must defeat naive summation");
    }

    #[test]
    fn unit_scale_handles_extreme_range() {
        let s = UnitScale::new(-f64::MAX, f64::MAX).unwrap();
        assert_eq!(s.apply(-f64::MAX), 0.0);
        assert_eq!(s.apply(f64::MAX), 1.0);
        assert_eq!(s.apply(0.0), 0.5);
        assert!(UnitScale::new(3.0, 3.0).is_none());
    }

    #[test]
    fn percentile_type7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_sorted(&v, 0.0), Some(1.0));
        assert_eq!(percentile_sorted(&v, 1.0), Some(4.0));
        assert_eq!(percentile_sorted(&v, 0.5), Some(2.5));
        assert_eq!(percentile_sorted(&[], 0.5), None);
    }
}
