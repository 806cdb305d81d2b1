//! The report's data model and the small formatting rules every renderer
//! shares.

use serde::{Deserialize, Serialize};
use takes_api::insights::{
    AlertsReport, FunnelGroup, FunnelReport, ReliabilityDriftReport, ScoresReport, ShiftReport,
    TurnaroundReport, ValidityReport,
};
use takes_api::self_identification::AdverseImpactReport;

/// Below this many ratings (or sheets, or answers) a figure is shown with
/// a plain "too few to read" instead of being interpreted.
pub const MIN_N: i64 = 5;

/// The role a report is limited to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: String,
    pub title: String,
}

/// One role's funnel per invitation week (for the completion chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleWeeks {
    pub role_id: String,
    pub title: String,
    pub weeks: Vec<FunnelGroup>,
}

/// Everything a report shows; each figure exactly as the API returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub generated_at: String,
    pub server: String,
    pub role: Option<RoleRef>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub funnel: FunnelReport,
    /// `by_week` of each role's own funnel.
    pub weekly_by_role: Vec<RoleWeeks>,
    pub turnaround: TurnaroundReport,
    pub scores: ScoresReport,
    pub shift: ShiftReport,
    pub reliability: ReliabilityDriftReport,
    pub validity: ValidityReport,
    pub alerts: AlertsReport,
    /// `adverse-impact` in the JSON, as the API names it.
    #[serde(rename = "adverse-impact")]
    pub adverse_impact: AdverseImpactReport,
}

/// One row of the adverse-impact tables, in words every renderer shares:
/// category, stage, group, selected of total, rate, impact ratio, Fisher
/// p, and the four-fifths flag spelt out (never shown by colour alone).
pub fn impact_rows(a: &AdverseImpactReport) -> Vec<[String; 8]> {
    let mut rows = Vec::new();
    for c in &a.categories {
        for s in &c.stages {
            for g in &s.groups {
                let reference = s.reference_group.as_deref() == Some(g.group.as_str());
                rows.push([
                    c.category.clone(),
                    s.stage.clone(),
                    g.group.clone(),
                    format!("{} of {}", g.selected, g.total),
                    pct(Some(g.selection_rate)),
                    if reference {
                        "reference".into()
                    } else {
                        num(g.impact_ratio)
                    },
                    num(g.fisher_p),
                    if g.below_four_fifths {
                        "below four-fifths".into()
                    } else {
                        String::new()
                    },
                ]);
            }
        }
    }
    rows
}

/// What suppression hid, in words, plus the server's own notes.
pub fn impact_notes(a: &AdverseImpactReport) -> Vec<String> {
    let mut notes = vec![format!(
        "Groups with fewer than {} candidates in any cell are not shown, not even as a count.",
        a.min_cell_size
    )];
    notes.extend(a.notes.iter().cloned());
    if a.categories
        .iter()
        .all(|c| c.stages.iter().all(|s| s.groups.is_empty()))
    {
        notes.push("No group is large enough to show.".into());
    }
    notes
}

/// "n = 3, too few to read" when n is under [`MIN_N`].
pub fn too_few(n: i64) -> Option<String> {
    (n < MIN_N).then(|| format!("n = {n}: too few to read (fewer than {MIN_N})"))
}

/// A rate as a percentage with no decimals, or a dash.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

/// A number with two decimals, or a dash.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.2}"))
}

/// The completion rate of a funnel group (completed / invited).
pub fn completion(g: &FunnelGroup) -> (i64, Option<f64>) {
    let get = |name: &str| g.stages.iter().find(|s| s.stage == name);
    let invited = get("invited").map_or(0, |s| s.count);
    (invited, get("completed").and_then(|s| s.rate_from_invited))
}

/// A validity verdict in words.
pub fn verdict(v: &str) -> &'static str {
    match v {
        "too_few" => "too few hires to say anything (under 10)",
        "small" => "a small sample (under 30): read with care",
        "predicts" => "predicts",
        "does_not_predict" => "does not predict",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use takes_api::self_identification::{
        AdverseImpactReport, ImpactCategory, ImpactGroup, ImpactStage,
    };

    use super::{impact_notes, impact_rows};

    fn group(name: &str, selected: i64, total: i64, ratio: Option<f64>, low: bool) -> ImpactGroup {
        ImpactGroup {
            group: name.into(),
            total,
            selected,
            selection_rate: selected as f64 / total as f64,
            impact_ratio: ratio,
            fisher_p: ratio.map(|_| 0.25),
            below_four_fifths: low,
        }
    }

    #[test]
    fn rows_name_the_reference_and_spell_out_the_four_fifths_flag() {
        // 9 of 10 men and 6 of 10 women advanced: 0.6 / 0.9 = 0.67 < 0.8.
        let report = AdverseImpactReport {
            since: None,
            until: None,
            min_cell_size: 5,
            categories: vec![ImpactCategory {
                category: "gender".into(),
                stages: vec![ImpactStage {
                    stage: "review".into(),
                    reference_group: Some("man".into()),
                    groups: vec![
                        group("man", 9, 10, Some(1.0), false),
                        group("woman", 6, 10, Some(6.0 / 9.0), true),
                    ],
                    suppressed_groups: 1,
                }],
                scores: Vec::new(),
                suppressed_score_groups: 0,
            }],
            notes: vec!["1 group hidden".into()],
        };
        let rows = impact_rows(&report);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][2], "man");
        assert_eq!(rows[0][3], "9 of 10");
        assert_eq!(rows[0][5], "reference");
        assert_eq!(rows[0][7], "");
        assert_eq!(rows[1][4], "60%");
        assert_eq!(rows[1][5], "0.67");
        assert_eq!(rows[1][7], "below four-fifths");
        let notes = impact_notes(&report);
        assert!(notes[0].contains("fewer than 5"), "{notes:?}");
        assert!(notes.contains(&"1 group hidden".to_string()));
        assert!(!notes.iter().any(|n| n.contains("No group is large enough")));
    }
}
