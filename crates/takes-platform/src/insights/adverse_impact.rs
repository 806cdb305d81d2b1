//! The adverse-impact report from self-identification rows: per category,
//! the selection rate of each group at each stage with the four-fifths
//! rule and Fisher's exact test ([`super::impact`]), and the distribution
//! of total scores per group. Small groups are suppressed everywhere: a
//! group hidden from the rates is hidden from the scores unless it has
//! enough scored interviews of its own, and no count of a hidden group is
//! ever given, only how many groups were hidden.

use std::collections::BTreeMap;

use serde::Deserialize;
use takes_api::self_identification::{
    GroupScores, ImpactCategory, ImpactGroup, ImpactStage, CATEGORIES, PREFER_NOT_TO_SAY,
};

use super::describe::{mean_sd, percentiles};
use super::impact::{impact, GroupCount, MIN_CELL};

/// `[adverse_impact]` in the server configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdverseImpactConfig {
    /// Groups and cells below this many candidates are never shown
    /// (default 5; values below 2 are read as 2, since a cell of one is a
    /// person).
    #[serde(default = "default_min_cell")]
    pub min_cell_size: u64,
}

fn default_min_cell() -> u64 {
    MIN_CELL
}

impl Default for AdverseImpactConfig {
    fn default() -> Self {
        Self {
            min_cell_size: MIN_CELL,
        }
    }
}

impl AdverseImpactConfig {
    pub fn min_cell(&self) -> u64 {
        self.min_cell_size.max(2)
    }
}

/// One completed interview's answer in one category.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    pub category: &'a str,
    pub group: &'a str,
    /// The latest decision, if any (`advance`, `reject`, `hold`).
    pub decision: Option<&'a str>,
    /// The mean of the interview's submitted ratings, if it was scored.
    pub score: Option<f64>,
}

#[derive(Default)]
struct Tally {
    completed: u64,
    advanced: u64,
    decided: u64,
    scores: Vec<f64>,
}

fn stage(name: &str, counts: &[GroupCount], min_cell: u64) -> ImpactStage {
    let i = impact(counts, min_cell);
    ImpactStage {
        stage: name.to_string(),
        reference_group: i.reference_group,
        groups: i
            .groups
            .into_iter()
            .map(|g| ImpactGroup {
                group: g.group,
                total: i64::try_from(g.total).unwrap_or(i64::MAX),
                selected: i64::try_from(g.selected).unwrap_or(i64::MAX),
                selection_rate: g.rate,
                impact_ratio: g.impact_ratio,
                fisher_p: g.p_value,
                below_four_fifths: g.below_four_fifths,
            })
            .collect(),
        suppressed_groups: i64::try_from(i.suppressed_groups).unwrap_or(i64::MAX),
    }
}

/// Every documented category (in the documented order), each with the
/// `review` stage (completed interviews; selected = decided advance) and
/// the `decision` stage (decided advance or reject; selected = advance).
/// `prefer_not_to_say` is no group; answers outside the documented set
/// (none can be stored) are left out.
pub fn report(answers: &[Answer<'_>], min_cell: u64) -> Vec<ImpactCategory> {
    let mut by: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for a in answers {
        if a.group == PREFER_NOT_TO_SAY {
            continue;
        }
        let t = by.entry((a.category, a.group)).or_default();
        t.completed += 1;
        match a.decision {
            Some("advance") => {
                t.advanced += 1;
                t.decided += 1;
            }
            Some("reject") => t.decided += 1,
            _ => {}
        }
        if let Some(s) = a.score.filter(|s| s.is_finite()) {
            t.scores.push(s);
        }
    }
    CATEGORIES
        .iter()
        .map(|(category, groups)| {
            let tallies: Vec<(&str, &Tally)> = groups
                .iter()
                .filter_map(|g| by.get(&(*category, *g)).map(|t| (*g, t)))
                .collect();
            let counts = |f: fn(&Tally) -> (u64, u64)| -> Vec<GroupCount> {
                tallies
                    .iter()
                    .map(|(g, t)| {
                        let (total, selected) = f(t);
                        GroupCount {
                            group: g.to_string(),
                            total,
                            selected,
                        }
                    })
                    .filter(|c| c.total > 0)
                    .collect()
            };
            let review = stage("review", &counts(|t| (t.completed, t.advanced)), min_cell);
            let decision = stage("decision", &counts(|t| (t.decided, t.advanced)), min_cell);
            let (shown, hidden): (Vec<_>, Vec<_>) = tallies
                .iter()
                .filter(|(_, t)| !t.scores.is_empty())
                .partition(|(_, t)| t.scores.len() as u64 >= min_cell);
            ImpactCategory {
                category: category.to_string(),
                stages: vec![review, decision],
                scores: shown
                    .iter()
                    .map(|(g, t)| {
                        let p = percentiles(&t.scores);
                        GroupScores {
                            group: g.to_string(),
                            mean: mean_sd(&t.scores).0,
                            percentiles: takes_api::insights::Percentiles {
                                n: i64::try_from(p.n).unwrap_or(i64::MAX),
                                p50: p.p50,
                                p90: p.p90,
                                max: p.max,
                            },
                        }
                    })
                    .collect(),
                suppressed_score_groups: i64::try_from(hidden.len()).unwrap_or(i64::MAX),
            }
        })
        .collect()
}

/// What suppression hid, in words a reader of the report understands.
pub fn notes(categories: &[ImpactCategory], min_cell: u64) -> Vec<String> {
    let mut notes = vec![format!(
        "Groups with fewer than {min_cell} candidates, or fewer than {min_cell} selected or not \
         selected, are suppressed: never shown, not even as a count. \"Prefer not to say\" is no group."
    )];
    for c in categories {
        for s in &c.stages {
            if s.suppressed_groups > 0 {
                notes.push(format!(
                    "{}, {} stage: {} group(s) suppressed as too small to show.",
                    c.category, s.stage, s.suppressed_groups
                ));
            }
        }
        if c.suppressed_score_groups > 0 {
            notes.push(format!(
                "{}, scores: {} group(s) suppressed as too small to show.",
                c.category, c.suppressed_score_groups
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::inference::fisher_exact;
    use proptest::prelude::*;

    fn a<'a>(group: &'a str, decision: Option<&'a str>, score: Option<f64>) -> Answer<'a> {
        Answer {
            category: "gender",
            group,
            decision,
            score,
        }
    }

    #[test]
    fn stages_rates_and_scores_by_hand() {
        // Women: 12 completed, 6 advanced, 5 rejected, 1 undecided.
        // Men: 20 completed, 15 advanced, 5 rejected.
        // Review: women 6/12 = 0.5, men 15/20 = 0.75 (reference); ratio
        //   0.5 / 0.75 = 2/3 < 0.8.
        // Decision: women 6/11, men 15/20; ratio (6/11) / 0.75 = 8/11 =
        //   0.727 < 0.8.
        // Non-binary: 3 completed: suppressed at both stages.
        let mut rows = Vec::new();
        for i in 0..12 {
            let d = match i {
                0..=5 => Some("advance"),
                6..=10 => Some("reject"),
                _ => None,
            };
            rows.push(a("woman", d, Some(2.0 + (i % 3) as f64)));
        }
        for i in 0..20 {
            rows.push(a(
                "man",
                Some(if i < 15 { "advance" } else { "reject" }),
                None,
            ));
        }
        for _ in 0..3 {
            rows.push(a("non_binary", Some("advance"), Some(4.0)));
        }
        rows.push(a(PREFER_NOT_TO_SAY, Some("reject"), Some(1.0)));
        let r = report(&rows, 5);
        let g = &r[0];
        assert_eq!(g.category, "gender");
        let review = &g.stages[0];
        assert_eq!(review.reference_group.as_deref(), Some("man"));
        assert_eq!(review.suppressed_groups, 1);
        let woman = review
            .groups
            .iter()
            .find(|x| x.group == "woman")
            .expect("w");
        assert_eq!((woman.total, woman.selected), (12, 6));
        assert!((woman.impact_ratio.unwrap_or(0.0) - 0.5 / 0.75).abs() < 1e-12);
        assert!(woman.below_four_fifths);
        // Fisher for [[6, 6], [15, 5]] is the test's own table.
        assert_eq!(woman.fisher_p, fisher_exact(6, 6, 15, 5));
        let decision = &g.stages[1];
        let woman = decision
            .groups
            .iter()
            .find(|x| x.group == "woman")
            .expect("w");
        assert_eq!((woman.total, woman.selected), (11, 6));
        assert!((woman.impact_ratio.unwrap_or(0.0) - 8.0 / 11.0).abs() < 1e-12);
        assert!(woman.below_four_fifths);
        assert_eq!(woman.fisher_p, fisher_exact(6, 5, 15, 5));
        // Scores: only women have them at 12 >= 5 (scores 2,3,4 four times
        // each: mean 3); non-binary's 3 are suppressed.
        assert_eq!(g.scores.len(), 1);
        assert_eq!(g.scores[0].mean, Some(3.0));
        assert_eq!(g.suppressed_score_groups, 1);
        // No group of "prefer not to say" anywhere, and no count of the
        // suppressed groups.
        let text = serde_json::to_string(&r).expect("json");
        assert!(!text.contains(PREFER_NOT_TO_SAY) && !text.contains("non_binary"));
        // Categories nobody answered are there, empty.
        assert_eq!(r.len(), CATEGORIES.len());
        assert!(r[1].stages[0].groups.is_empty());
        assert!(notes(&r, 5)
            .iter()
            .any(|n| n.contains("gender, review stage: 1 group")));
    }

    #[test]
    fn the_minimum_is_never_below_two() {
        let c = AdverseImpactConfig { min_cell_size: 0 };
        assert_eq!(c.min_cell(), 2);
        assert_eq!(AdverseImpactConfig::default().min_cell(), 5);
    }

    proptest! {
        #[test]
        fn fisher_p_is_a_probability(a in 0u64..60, b in 0u64..60, c in 0u64..60, d in 0u64..60) {
            match fisher_exact(a, b, c, d) {
                None => prop_assert_eq!(a + b + c + d, 0),
                Some(p) => prop_assert!((0.0..=1.0).contains(&p) && p > 0.0, "{}", p),
            }
        }
    }
}
