//! The adverse-impact section: per self-identified group and stage, the
//! selection rate, the impact ratio against the highest group with the
//! four-fifths flag in words, Fisher's p, and total-score distributions.
//! Groups the server suppressed (below the minimum cell size) are said to
//! exist as "fewer than N: not shown", never with numbers of their own.

use ratatui::text::Line;
use takes_api::self_identification::{AdverseImpactReport, ImpactCategory, ImpactStage};

use super::words::{heading, num, pct, plain, Lines};
use crate::config::Theme;

/// A group's answer as a person reads it (`non_binary` → `non binary`).
fn words(key: &str) -> String {
    key.replace('_', " ")
}

fn stage_title(stage: &str) -> String {
    match stage {
        "review" => "Review stage (completed → advanced)".into(),
        "decision" => "Decision stage (advanced of decided)".into(),
        other => format!("Stage {other}"),
    }
}

fn suppressed(n: i64, min: i64, what: &str) -> String {
    let groups = if n == 1 { "group" } else { "groups" };
    format!("      {n} {groups} with fewer than {min} {what}: not shown")
}

/// The group column fits the category's longest label (ethnicity's are
/// long), at least the header's old 14 and at most 32 (80 columns).
fn name_width(c: &ImpactCategory) -> usize {
    let stage_groups = c
        .stages
        .iter()
        .flat_map(|s| s.groups.iter().map(|g| &g.group));
    let score_groups = c.scores.iter().map(|g| &g.group);
    stage_groups
        .chain(score_groups)
        .map(|g| words(g).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(14, 32)
}

fn name(group: &str, width: usize) -> String {
    let w = words(group);
    if w.chars().count() <= width {
        return w;
    }
    let mut cut: String = w.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

fn stage_lines(st: &ImpactStage, min: i64, width: usize, theme: &Theme) -> Lines {
    let mut out = vec![plain(format!("    {}", stage_title(&st.stage)), theme.info)];
    if st.groups.is_empty() && st.suppressed_groups == 0 {
        out.push(plain(
            "      nobody who self-identified reached it",
            theme.dim,
        ));
    } else if !st.groups.is_empty() {
        out.push(plain(
            format!(
                "      {:<width$} {:>10} {:>5} {:>9} {:>8}",
                "group", "selected", "rate", "ratio", "Fisher p"
            ),
            theme.dim,
        ));
    }
    for g in &st.groups {
        let reference = st.reference_group.as_deref() == Some(g.group.as_str());
        let ratio = if reference {
            "reference".to_string()
        } else {
            num(g.impact_ratio, 2)
        };
        let flag = if g.below_four_fifths {
            "  ⚑ BELOW FOUR-FIFTHS"
        } else {
            ""
        };
        let name = name(&g.group, width);
        out.push(plain(
            format!(
                "      {name:<width$} {:>10} {:>5} {ratio:>9} {:>8}{flag}",
                format!("{} of {}", g.selected, g.total),
                pct(Some(g.selection_rate)),
                num(g.fisher_p, 3),
            ),
            if g.below_four_fifths {
                theme.warning
            } else {
                theme.text
            },
        ));
    }
    if st.suppressed_groups > 0 {
        out.push(plain(
            suppressed(st.suppressed_groups, min, "in a cell"),
            theme.dim,
        ));
    }
    out
}

pub fn lines(a: &AdverseImpactReport, theme: &Theme) -> Lines {
    let min = a.min_cell_size;
    let mut out = vec![
        heading(
            "Adverse impact by voluntary self-identification (four-fifths rule)",
            theme,
        ),
        plain(
            format!("  Groups with fewer than {min} in a cell are not shown (notes at the end)."),
            theme.dim,
        ),
    ];
    if a.categories.is_empty() {
        out.push(plain("  nobody self-identified in the period", theme.dim));
    }
    for c in &a.categories {
        out.push(Line::from(""));
        let empty = c.scores.is_empty()
            && c.suppressed_score_groups == 0
            && c.stages
                .iter()
                .all(|s| s.groups.is_empty() && s.suppressed_groups == 0);
        if empty {
            out.push(plain(
                format!("  {}: no answers to show", words(&c.category)),
                theme.dim,
            ));
            continue;
        }
        out.push(plain(format!("  {}", words(&c.category)), theme.title));
        let width = name_width(c);
        for st in &c.stages {
            out.extend(stage_lines(st, min, width, theme));
        }
        out.push(plain("    Total scores", theme.info));
        if c.scores.is_empty() && c.suppressed_score_groups == 0 {
            out.push(plain("      no scored interviews", theme.dim));
        }
        for g in &c.scores {
            let p = &g.percentiles;
            let name = name(&g.group, width);
            out.push(plain(
                format!(
                    "      {name:<width$} mean {}, median {}, p90 {}, max {} (n {})",
                    num(g.mean, 2),
                    num(p.p50, 1),
                    num(p.p90, 1),
                    num(p.max, 1),
                    p.n
                ),
                theme.text,
            ));
        }
        if c.suppressed_score_groups > 0 {
            out.push(plain(
                suppressed(c.suppressed_score_groups, min, "scored"),
                theme.dim,
            ));
        }
    }
    if !a.notes.is_empty() {
        out.push(Line::from(""));
        out.push(heading("Notes", theme));
        out.extend(a.notes.iter().map(|n| plain(format!("  {n}"), theme.dim)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::self_identification::ImpactGroup;

    fn group(name: &str) -> ImpactGroup {
        ImpactGroup {
            group: name.into(),
            total: 10,
            selected: 5,
            selection_rate: 0.5,
            impact_ratio: Some(1.0),
            fisher_p: Some(1.0),
            below_four_fifths: false,
        }
    }

    #[test]
    fn the_group_column_fits_long_labels_up_to_32() {
        let c = ImpactCategory {
            category: "ethnicity".into(),
            stages: vec![ImpactStage {
                stage: "review".into(),
                reference_group: None,
                groups: vec![group("white"), group("black_or_african_american")],
                suppressed_groups: 0,
            }],
            scores: vec![],
            suppressed_score_groups: 0,
        };
        assert_eq!(name_width(&c), "black or african american".len());
        assert_eq!(
            name("black_or_african_american", 25),
            "black or african american"
        );
        let cut = name("native_hawaiian_or_other_pacific_islander", 32);
        assert_eq!(cut.chars().count(), 32);
        assert!(cut.ends_with('…'), "{cut}");
        let short = ImpactCategory {
            stages: vec![],
            ..c
        };
        assert_eq!(name_width(&short), 14);
    }
}
