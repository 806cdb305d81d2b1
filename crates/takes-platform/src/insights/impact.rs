//! Adverse impact from voluntary self-identification: selection rate per
//! group, the impact ratio against the highest group (the four-fifths
//! rule, 29 CFR 1607.4(D)) with Fisher's exact test, and small groups
//! suppressed so no figure can point at a person.

use super::funnel::rate;
use super::inference::fisher_exact;

/// Groups with fewer candidates than this are never shown (their counts
/// are folded into [`Impact::suppressed_groups`] only as a number of
/// groups, not of people).
pub const MIN_CELL: u64 = 5;
/// The four-fifths rule's threshold.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Counts of one self-identified group at one stage.
#[derive(Clone, Debug)]
pub struct GroupCount {
    pub group: String,
    /// Candidates in the group who reached the stage.
    pub total: u64,
    /// Of those, how many were selected (advanced).
    pub selected: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupImpact {
    pub group: String,
    pub total: u64,
    pub selected: u64,
    pub rate: f64,
    /// rate / the highest shown group's rate.
    pub impact_ratio: Option<f64>,
    /// Fisher's exact two-sided p against the highest group (`None` for
    /// that group itself).
    pub p_value: Option<f64>,
    /// impact_ratio below 4/5.
    pub below_four_fifths: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Impact {
    pub groups: Vec<GroupImpact>,
    /// How many groups were left out for having fewer than `min_cell`
    /// candidates (or selected / not selected counts that small).
    pub suppressed_groups: usize,
    pub reference_group: Option<String>,
}

/// A group is shown only when its total, its selected and its
/// not-selected counts are all at least `min_cell`: a cell of two
/// "not selected" in a named group is as revealing as a group of two.
pub fn impact(counts: &[GroupCount], min_cell: u64) -> Impact {
    let (shown, hidden): (Vec<_>, Vec<_>) = counts.iter().partition(|g| {
        g.selected <= g.total
            && g.total >= min_cell
            && g.selected >= min_cell
            && g.total - g.selected >= min_cell
    });
    let best = shown
        .iter()
        .filter_map(|g| Some((*g, rate(g.selected, g.total)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.group.cmp(&a.0.group)));
    let groups = shown
        .iter()
        .filter_map(|g| {
            let r = rate(g.selected, g.total)?;
            let (impact_ratio, p_value) = match best {
                Some((b, br)) if br > 0.0 => (
                    Some(r / br),
                    (b.group != g.group)
                        .then(|| {
                            fisher_exact(
                                g.selected,
                                g.total - g.selected,
                                b.selected,
                                b.total - b.selected,
                            )
                        })
                        .flatten(),
                ),
                _ => (None, None),
            };
            Some(GroupImpact {
                group: g.group.clone(),
                total: g.total,
                selected: g.selected,
                rate: r,
                below_four_fifths: impact_ratio.is_some_and(|x| x < FOUR_FIFTHS),
                impact_ratio,
                p_value,
            })
        })
        .collect();
    Impact {
        groups,
        suppressed_groups: hidden.len(),
        reference_group: best.map(|(b, _)| b.group.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(group: &str, total: u64, selected: u64) -> GroupCount {
        GroupCount {
            group: group.into(),
            total,
            selected,
        }
    }

    #[test]
    fn four_fifths_against_the_highest_group() {
        // A 40/100 = 0.4 (reference), B 24/80 = 0.3 -> 0.3 / 0.4 = 0.75 <
        // 0.8; C 35/100 = 0.35 -> 0.875, not below. D has 4 people: hidden.
        // E has 20 people but only 3 selected: hidden too.
        let i = impact(
            &[
                g("A", 100, 40),
                g("B", 80, 24),
                g("C", 100, 35),
                g("D", 4, 2),
                g("E", 20, 3),
            ],
            MIN_CELL,
        );
        assert_eq!(i.reference_group.as_deref(), Some("A"));
        assert_eq!(i.suppressed_groups, 2);
        let names: Vec<_> = i.groups.iter().map(|x| x.group.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        let b = &i.groups[1];
        assert!((b.impact_ratio.unwrap_or(0.0) - 0.75).abs() < 1e-12);
        assert!(b.below_four_fifths);
        assert!(b.p_value.is_some_and(|p| p > 0.0 && p < 1.0));
        let c = &i.groups[2];
        assert!((c.impact_ratio.unwrap_or(0.0) - 0.875).abs() < 1e-12);
        assert!(!c.below_four_fifths);
        assert_eq!(i.groups[0].p_value, None);
        assert_eq!(i.groups[0].impact_ratio, Some(1.0));
    }

    #[test]
    fn fisher_p_is_the_one_for_the_two_by_two_table() {
        // Group X 5 of 10 selected, reference Y 10 of 10... Y has 0 not
        // selected, so it is hidden; use X 5/10 against Y 9/14 instead:
        // the p must be Fisher's for [[5, 5], [9, 5]].
        let i = impact(&[g("X", 10, 5), g("Y", 14, 9)], 5);
        assert_eq!(i.groups[0].p_value, fisher_exact(5, 5, 9, 5));
    }

    #[test]
    fn everything_small_shows_nothing() {
        let i = impact(&[g("A", 4, 2), g("B", 3, 1)], MIN_CELL);
        assert!(i.groups.is_empty());
        assert_eq!(i.reference_group, None);
        assert_eq!(i.suppressed_groups, 2);
        // Impossible counts are hidden, never shown.
        assert!(impact(&[g("A", 4, 9)], 1).groups.is_empty());
    }
}
