//! The completion drop alert: has a role's completion rate in the last
//! days fallen below its trailing baseline by more than chance and by
//! enough to matter?

use super::inference::two_proportion;

/// Invitations whose window has closed, and how many of them completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub invited: u64,
    pub completed: u64,
}

/// The rule's parameters (defaults documented in docs/INSIGHTS.md).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// Fewer invitations than this in either period: no verdict, so a role
    /// with a handful of candidates does not cry wolf.
    pub min_sample: u64,
    /// The one-sided p-value the drop must be below.
    pub max_p: f64,
    /// The smallest drop in percentage points worth a message.
    pub min_drop: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            min_sample: 30,
            max_p: 0.001,
            min_drop: 0.10,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Too few invitations in one of the periods.
    TooFew,
    Quiet {
        recent_rate: f64,
        baseline_rate: f64,
        p: f64,
    },
    Dropped {
        recent_rate: f64,
        baseline_rate: f64,
        z: f64,
        p: f64,
    },
}

pub fn check(recent: Period, baseline: Period, rule: Rule) -> Verdict {
    if recent.invited < rule.min_sample || baseline.invited < rule.min_sample {
        return Verdict::TooFew;
    }
    let Some(t) = two_proportion(
        recent.completed,
        recent.invited,
        baseline.completed,
        baseline.invited,
    ) else {
        // All or none completed in both: no variance, and certainly no drop.
        let rate = |p: Period| p.completed as f64 / p.invited as f64;
        return Verdict::Quiet {
            recent_rate: rate(recent),
            baseline_rate: rate(baseline),
            p: 1.0,
        };
    };
    if t.p_lower < rule.max_p && t.p2 - t.p1 >= rule.min_drop {
        Verdict::Dropped {
            recent_rate: t.p1,
            baseline_rate: t.p2,
            z: t.z,
            p: t.p_lower,
        }
    } else {
        Verdict::Quiet {
            recent_rate: t.p1,
            baseline_rate: t.p2,
            p: t.p_lower,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::inference::SplitMix64;
    use super::*;

    fn p(invited: u64, completed: u64) -> Period {
        Period { invited, completed }
    }

    #[test]
    fn the_seeds_drop_from_68_to_45_fires() {
        // 45/100 against 68/100: z = -3.2805, p = 0.00052 < 0.001, drop 23
        // points >= 10 (see inference::tests::two_proportion_planted_drop).
        match check(p(100, 45), p(100, 68), Rule::default()) {
            Verdict::Dropped {
                recent_rate,
                baseline_rate,
                p,
                ..
            } => {
                assert!((recent_rate - 0.45).abs() < 1e-12);
                assert!((baseline_rate - 0.68).abs() < 1e-12);
                assert!(p < 0.001);
            }
            other => panic!("expected a drop, got {other:?}"),
        }
    }

    #[test]
    fn a_small_dip_or_a_small_role_stays_quiet() {
        // 31/50 = 0.62 against 680/1000 = 0.68: pooled 711/1050 = 0.677143,
        // se = sqrt(0.677143 * 0.322857 * (1/50 + 1/1000)) = 0.067757,
        // z = -0.06 / 0.067757 = -0.8855, p = 0.188: quiet.
        match check(p(50, 31), p(1000, 680), Rule::default()) {
            Verdict::Quiet { p, .. } => assert!((p - 0.188).abs() < 0.001, "{p}"),
            other => panic!("expected quiet, got {other:?}"),
        }
        // 2 of 10 is a big fall, but 10 invitations are too few to say.
        assert_eq!(
            check(p(10, 2), p(100, 68), Rule::default()),
            Verdict::TooFew
        );
        // Significant with huge samples but under 10 points: quiet.
        assert!(matches!(
            check(p(100_000, 60_000), p(100_000, 65_000), Rule::default()),
            Verdict::Quiet { .. }
        ));
        assert!(matches!(
            check(p(40, 40), p(40, 40), Rule::default()),
            Verdict::Quiet { .. }
        ));
    }

    #[test]
    fn seeded_noise_never_fires() {
        // 200 roles whose true completion rate never changed (0.68): recent
        // 60 and baseline 300 invitations drawn with a fixed seed. With
        // p < 0.001 and a 10-point floor the expected false alarms are
        // well under one in 200; the seed makes the test exact.
        let mut rng = SplitMix64(2026);
        let mut draw = |n: u64| (0..n).filter(|_| rng.uniform() < 0.68).count() as u64;
        let fired = (0..200)
            .filter(|_| {
                let recent = p(60, draw(60));
                let baseline = p(300, draw(300));
                matches!(
                    check(recent, baseline, Rule::default()),
                    Verdict::Dropped { .. }
                )
            })
            .count();
        assert_eq!(fired, 0);
    }
}
