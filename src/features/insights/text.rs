//! The figures of each section as lines of text: every number the charts
//! draw is here in words too, and whatever stands out is said in text
//! (never by colour alone).

use ratatui::text::Line;
use takes_api::insights::{
    FunnelGroup, FunnelReport, FunnelStage, Leniency, MyInsights, Percentiles,
    ReliabilityDriftReport, ScoreDistribution, ScoresReport, Shift, ShiftReport, Turnaround,
    TurnaroundReport, ValidityReport,
};

use super::state::Tab;
use super::words::{heading, num, pct, plain, wrap, Lines};
use crate::client::insights::InsightsBundle;
use crate::client::ClientError;
use crate::config::Theme;

fn signed(v: f64) -> String {
    format!("{v:+.2}")
}

fn hours(p: &Percentiles) -> String {
    if p.n == 0 {
        return "no data".into();
    }
    format!(
        "median {} h, p90 {} h, max {} h (n {})",
        num(p.p50, 1),
        num(p.p90, 1),
        num(p.max, 1),
        p.n
    )
}

fn failed(what: &str, e: &ClientError, theme: &Theme) -> Lines {
    vec![plain(
        format!("{what} could not be loaded: {e}"),
        theme.error,
    )]
}

/// The text of one section (the scores section with `question` marked),
/// long lines wrapped at `width` where a section wraps.
pub fn lines(
    tab: Tab,
    data: &InsightsBundle,
    question: usize,
    width: usize,
    theme: &Theme,
) -> Lines {
    match tab {
        Tab::Funnel => match &data.funnel {
            Ok(f) => funnel(f, theme),
            Err(e) => failed("The funnel", e, theme),
        },
        Tab::Turnaround => match &data.turnaround {
            Ok(t) => turnaround(t, theme),
            Err(e) => failed("Turnaround", e, theme),
        },
        Tab::Scores => match &data.scores {
            Ok(s) => scores(s, question, theme),
            Err(e) => failed("Score distributions", e, theme),
        },
        Tab::Shift => match &data.shift {
            Ok(s) => shift(s, theme),
            Err(e) => failed("The muted-first shift", e, theme),
        },
        Tab::Reliability => match &data.reliability {
            Ok(r) => reliability(r, width, theme),
            Err(e) => failed("Reliability", e, theme),
        },
        Tab::Validity => match &data.validity {
            Ok(v) => validity(v, theme),
            Err(e) => failed("Validity", e, theme),
        },
        Tab::Impact => match &data.adverse_impact {
            Ok(a) => super::impact::lines(a, theme),
            Err(e) => failed("Adverse impact", e, theme),
        },
        Tab::Alerts => match &data.alerts {
            Ok(a) => super::alerts::lines(a, width, theme),
            Err(e) => failed("The completion alerts", e, theme),
        },
        Tab::Mine => match &data.me {
            Ok(m) => mine(m, theme),
            Err(e) => failed("Your reviewing figures", e, theme),
        },
    }
}

fn stage_row(s: &FunnelStage) -> String {
    format!(
        "  {:<10} {:>7}   {:>5} of previous   {:>5} of invited",
        s.stage,
        s.count,
        pct(s.rate_from_previous),
        pct(s.rate_from_invited)
    )
}

fn group_row(g: &FunnelGroup) -> String {
    let stages: Vec<String> = g
        .stages
        .iter()
        .map(|s| match s.rate_from_previous {
            Some(r) if s.stage != "invited" => {
                format!("{} {} ({})", s.stage, s.count, pct(Some(r)))
            }
            _ => format!("{} {}", s.stage, s.count),
        })
        .collect();
    format!("  {}: {}", g.label, stages.join(" → "))
}

fn funnel(f: &FunnelReport, theme: &Theme) -> Lines {
    let mut out = vec![heading("Completion funnel", theme)];
    out.extend(f.total.iter().map(|s| plain(stage_row(s), theme.text)));
    for (title, groups) in [
        ("By role", &f.by_role),
        ("By department", &f.by_department),
        ("By invitation week", &f.by_week),
    ] {
        out.push(Line::from(""));
        out.push(heading(title, theme));
        if groups.is_empty() {
            out.push(plain("  no invitations in the period", theme.dim));
        }
        out.extend(groups.iter().map(|g| plain(group_row(g), theme.text)));
    }
    out.push(Line::from(""));
    out.push(heading("Where candidates abandon", theme));
    if f.drop_off.is_empty() {
        out.push(plain(
            "  nobody started an interview in the period",
            theme.dim,
        ));
    }
    for set in &f.drop_off {
        out.push(plain(
            format!("  {} v{} ({} started)", set.name, set.version, set.started),
            theme.info,
        ));
        for q in &set.questions {
            out.push(plain(
                format!(
                    "    Q{} answered {:>4}, abandoned {:>3} ({:>4})  {}",
                    q.position,
                    q.answered,
                    q.abandoned,
                    pct(q.share_of_starters),
                    q.prompt
                ),
                if q.abandoned > 0 {
                    theme.warning
                } else {
                    theme.text
                },
            ));
        }
    }
    out.push(Line::from(""));
    out.push(heading("Completion window", theme));
    let w = &f.window;
    out.push(plain(
        format!("  Hours to complete: {}", hours(&w.hours_to_complete)),
        theme.text,
    ));
    out.push(plain(
        format!(
            "  Window used: median {}, p90 {}",
            pct(w.window_used.p50),
            pct(w.window_used.p90)
        ),
        theme.text,
    ));
    out.push(plain(
        format!(
            "  Completed in the last 10% of the window: {}",
            pct(w.last_tenth_share)
        ),
        theme.text,
    ));
    out
}

fn turnaround_rows(rows: &[Turnaround], theme: &Theme) -> Lines {
    if rows.is_empty() {
        return vec![plain("  no reviews in the period", theme.dim)];
    }
    let mut out = Vec::new();
    for t in rows {
        let overdue = if t.overdue > 0 {
            format!(", OVERDUE {}", t.overdue)
        } else {
            String::new()
        };
        out.push(plain(
            format!("  {} — {} assignments{overdue}", t.label, t.assignments),
            if t.overdue > 0 {
                theme.warning
            } else {
                theme.info
            },
        ));
        out.push(plain(
            format!("    to first score: {}", hours(&t.to_first_score_h)),
            theme.text,
        ));
        out.push(plain(
            format!("    to submitted:   {}", hours(&t.to_submitted_h)),
            theme.text,
        ));
    }
    out
}

fn turnaround(t: &TurnaroundReport, theme: &Theme) -> Lines {
    let mut out = vec![
        heading("Completion to decision", theme),
        plain(format!("  {}", hours(&t.to_decision_h)), theme.text),
        Line::from(""),
        heading("By reviewer (hours from completion)", theme),
    ];
    out.extend(turnaround_rows(&t.by_reviewer, theme));
    out.push(Line::from(""));
    out.push(heading("By role", theme));
    out.extend(turnaround_rows(&t.by_role, theme));
    out
}

/// A histogram in one line of block characters, one per score.
pub fn mini_histogram(d: &ScoreDistribution) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = d.counts.iter().map(|c| c.count).max().unwrap_or(0);
    d.counts
        .iter()
        .map(|c| {
            if max <= 0 || c.count <= 0 {
                ' '
            } else {
                BARS[((c.count * 7) / max).clamp(0, 7) as usize]
            }
        })
        .collect()
}

fn distribution_row(d: &ScoreDistribution, mark: bool) -> String {
    let outside = if d.outside_scale > 0 {
        format!(", {} outside the scale", d.outside_scale)
    } else {
        String::new()
    };
    format!(
        "{} {} n {}, mean {}, sd {}, median {} [{}]{outside}",
        if mark { "▶" } else { " " },
        d.label,
        d.n,
        num(d.mean, 2),
        num(d.sd, 2),
        num(d.median, 1),
        mini_histogram(d)
    )
}

/// Positive is lenient; the interval says whether it is clear.
pub fn leniency_words(l: &Leniency) -> &'static str {
    match (l.lower, l.upper) {
        (Some(lo), _) if lo > 0.0 => "more lenient than the panel",
        (_, Some(hi)) if hi < 0.0 => "more severe than the panel",
        _ => "in line with the panel",
    }
}

fn leniency_row(l: &Leniency) -> String {
    let interval = match (l.lower, l.upper) {
        (Some(lo), Some(hi)) => format!(" [{}, {}]", signed(lo), signed(hi)),
        _ => " (no interval: too few ratings)".into(),
    };
    format!(
        "{}{interval} over {} ratings: {}",
        signed(l.mean_deviation),
        l.n,
        leniency_words(l)
    )
}

fn scores(s: &ScoresReport, question: usize, theme: &Theme) -> Lines {
    let mut out = vec![heading("Per question (histogram right)", theme)];
    if s.by_question.is_empty() {
        out.push(plain("  no ratings in the period", theme.dim));
    }
    for (i, d) in s.by_question.iter().enumerate() {
        let style = if i == question {
            theme.selection
        } else {
            theme.text
        };
        out.push(plain(distribution_row(d, i == question), style));
    }
    for (title, rows) in [
        ("Per competency", &s.by_competency),
        ("Per role", &s.by_role),
        ("Per question-set version", &s.by_version),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.push(Line::from(""));
        out.push(heading(title, theme));
        out.extend(
            rows.iter()
                .map(|d| plain(distribution_row(d, false), theme.text)),
        );
    }
    out.push(Line::from(""));
    out.push(heading(
        "Leniency (mean deviation from the other reviewers, 95% interval)",
        theme,
    ));
    if s.leniency.is_empty() {
        out.push(plain("  no answer has two reviewers yet", theme.dim));
    }
    for l in &s.leniency {
        out.push(plain(
            format!("  {}: {}", l.reviewer, leniency_row(l)),
            theme.text,
        ));
    }
    out.push(Line::from(""));
    out.push(heading("Halo check (spread across questions)", theme));
    if s.halo.is_empty() {
        out.push(plain("  not enough sheets yet", theme.dim));
    }
    for h in &s.halo {
        out.push(plain(
            format!(
                "  {}{}: spread {:.2}, panel {}, ratio {} over {} sheets",
                if h.flagged { "⚑ HALO " } else { "" },
                h.reviewer,
                h.spread,
                num(h.panel_spread, 2),
                num(h.ratio, 2),
                h.sheets
            ),
            if h.flagged { theme.warning } else { theme.text },
        ));
    }
    out
}

/// A bar either side of zero (−2 … +2 rating points), so the direction
/// reads without colour.
fn shift_bar(mean: f64) -> String {
    const HALF: usize = 8;
    let n = ((mean.abs() / 2.0) * HALF as f64)
        .round()
        .clamp(0.0, HALF as f64) as usize;
    let (left, right) = if mean < 0.0 { (n, 0) } else { (0, n) };
    format!(
        "{}{}│{}{}",
        " ".repeat(HALF - left),
        "█".repeat(left),
        "█".repeat(right),
        " ".repeat(HALF - right)
    )
}

fn shift_row(s: &Shift) -> String {
    format!(
        "{} {:>+6.2} changed {:>4} (up {}, down {}), n {}, z {}{}",
        shift_bar(s.mean_shift),
        s.mean_shift,
        pct(Some(s.changed)),
        s.up,
        s.down,
        s.n,
        num(s.z, 2),
        if s.stands_out {
            "  ⚑ STANDS OUT from the panel"
        } else {
            ""
        }
    )
}

fn shift_rows(rows: &[Shift], theme: &Theme) -> Lines {
    if rows.is_empty() {
        return vec![plain("  no muted ratings in the period", theme.dim)];
    }
    let w = rows
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    rows.iter()
        .map(|s| {
            let label: String = s.label.chars().take(w).collect();
            plain(
                format!("  {label:<w$} {}", shift_row(s)),
                if s.stands_out {
                    theme.warning
                } else {
                    theme.text
                },
            )
        })
        .collect()
}

fn shift(s: &ShiftReport, theme: &Theme) -> Lines {
    let mut out = vec![heading(
        "Final − muted rating, per reviewer (−2 │ +2)",
        theme,
    )];
    out.extend(shift_rows(&s.by_reviewer, theme));
    out.push(Line::from(""));
    out.push(heading("Per question", theme));
    out.extend(shift_rows(&s.by_question, theme));
    out
}

/// Each question set's quarters, then its calibration sessions; a long
/// reason a figure is missing wraps.
fn reliability(r: &ReliabilityDriftReport, width: usize, theme: &Theme) -> Lines {
    let mut out = vec![heading(
        "Inter-rater reliability per question set and quarter",
        theme,
    )];
    if r.question_sets.is_empty() {
        out.push(plain("  no answer has two ratings yet", theme.dim));
    }
    for set in &r.question_sets {
        out.push(plain(format!("  {}", set.name), theme.info));
        for q in &set.quarters {
            let rel = &q.reliability;
            let alpha = match (rel.alpha_ordinal, &rel.alpha_ordinal_ci) {
                (Some(a), Some(ci)) => format!("{a:.2} [{:.2}, {:.2}]", ci.lower, ci.upper),
                (Some(a), None) => format!(
                    "{a:.2} (no interval: {})",
                    rel.alpha_ordinal_ci_reason
                        .as_deref()
                        .unwrap_or("too few units")
                ),
                (None, _) => format!(
                    "– ({})",
                    rel.alpha_ordinal_reason
                        .as_deref()
                        .unwrap_or("not computable")
                ),
            };
            let icc = match rel.icc2_1 {
                Some(v) => format!("{v:.2}"),
                None => format!(
                    "– ({})",
                    rel.icc2_1_reason.as_deref().unwrap_or("not computable")
                ),
            };
            let row = format!(
                "    {}: {} interviews, alpha ordinal {alpha}, ICC(2,1) {icc}; {} units, {} raters",
                q.quarter, q.interviews, rel.units, rel.raters
            );
            out.extend(
                wrap(&row, width, 6)
                    .into_iter()
                    .map(|l| plain(l, theme.text)),
            );
        }
        for c in &set.calibration {
            let rel = &c.reliability;
            let row = format!(
                "    {} calibration \"{}\": {} items, alpha ordinal {}, ICC(2,1) {}; {} raters",
                c.quarter,
                c.title,
                c.items,
                num(rel.alpha_ordinal, 2),
                num(rel.icc2_1, 2),
                rel.raters
            );
            out.extend(
                wrap(&row, width, 6)
                    .into_iter()
                    .map(|l| plain(l, theme.dim)),
            );
        }
    }
    out
}

fn verdict_words(v: &str) -> &str {
    match v {
        "too_few" => "too few to tell (n < 10)",
        "small" => "small sample (n < 30): read with care",
        "predicts" => "PREDICTS",
        "does_not_predict" => "does not predict",
        other => other,
    }
}

fn validity(v: &ValidityReport, theme: &Theme) -> Lines {
    let mut out = vec![heading(
        "Scores against outcomes (Spearman rho, bootstrap 95% interval)",
        theme,
    )];
    if v.figures.is_empty() {
        out.push(plain(
            "  no outcomes recorded yet (takes outcomes import FILE)",
            theme.dim,
        ));
    }
    for f in &v.figures {
        let interval = match (f.lower, f.upper) {
            (Some(lo), Some(hi)) => format!(" [{lo:+.2}, {hi:+.2}]"),
            _ => String::new(),
        };
        out.push(plain(
            format!(
                "  {} × {}: rho {}{interval}, n {}: {}",
                f.label,
                f.outcome,
                f.rho.map_or_else(|| "–".into(), signed),
                f.n,
                verdict_words(&f.verdict)
            ),
            if f.verdict == "predicts" {
                theme.ok
            } else {
                theme.text
            },
        ));
    }
    if !v.not_predicting.is_empty() {
        out.push(Line::from(""));
        out.push(heading("Questions that predict no outcome", theme));
        out.extend(
            v.not_predicting
                .iter()
                .map(|q| plain(format!("  {q}"), theme.warning)),
        );
    }
    out
}

fn mine(m: &MyInsights, theme: &Theme) -> Lines {
    let t = &m.turnaround;
    let mut out = vec![
        heading(
            "My turnaround (hours from the candidate's completion)",
            theme,
        ),
        plain(
            format!("  {} assignments, {} overdue", t.assignments, t.overdue),
            if t.overdue > 0 {
                theme.warning
            } else {
                theme.text
            },
        ),
        plain(
            format!("  to first score: {}", hours(&t.to_first_score_h)),
            theme.text,
        ),
        plain(
            format!("  to submitted:   {}", hours(&t.to_submitted_h)),
            theme.text,
        ),
        Line::from(""),
        heading(
            "My muted-first shift (final − muted rating, −2 │ +2)",
            theme,
        ),
    ];
    match &m.shift {
        Some(s) => out.push(plain(
            format!("  {}", shift_row(s)),
            if s.stands_out {
                theme.warning
            } else {
                theme.text
            },
        )),
        None => out.push(plain("  no muted ratings yet", theme.dim)),
    }
    out.push(Line::from(""));
    out.push(heading(
        "My leniency (against the other reviewers of the same answers)",
        theme,
    ));
    match &m.leniency {
        Some(l) => out.push(plain(format!("  {}", leniency_row(l)), theme.text)),
        None => out.push(plain(
            "  none of your answers has another reviewer yet",
            theme.dim,
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shift_bar_shows_direction_in_characters() {
        assert_eq!(shift_bar(0.0), "        │        ");
        assert_eq!(shift_bar(1.0), "        │████    ");
        assert_eq!(shift_bar(-2.0), "████████│        ");
        // Beyond the scale the bar stops at its end.
        assert_eq!(shift_bar(9.0), "        │████████");
    }
}
