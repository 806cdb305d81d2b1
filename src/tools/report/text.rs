//! The report as aligned plain text for a terminal or an email body.

use std::fmt::Write as _;

use takes_api::insights::{FunnelStage, Percentiles, ScoreDistribution, Shift, Turnaround};

use super::model::{completion, impact_notes, impact_rows, num, pct, too_few, verdict, Report};

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "-".repeat(title.chars().count()));
}

fn stages(out: &mut String, stages: &[FunnelStage]) {
    for s in stages {
        let _ = writeln!(
            out,
            "  {:<10} {:>6}  {:>5} of previous  {:>5} of invited",
            s.stage,
            s.count,
            pct(s.rate_from_previous),
            pct(s.rate_from_invited)
        );
    }
}

fn hours(p: &Percentiles) -> String {
    if p.n == 0 {
        return "none yet".into();
    }
    format!(
        "median {} h, p90 {} h, max {} h (n = {})",
        num(p.p50),
        num(p.p90),
        num(p.max),
        p.n
    )
}

fn turnaround(out: &mut String, t: &Turnaround) {
    let _ = writeln!(
        out,
        "  {}: {} assignments, {} overdue\n    to first score: {}\n    to submitted:   {}",
        t.label,
        t.assignments,
        t.overdue,
        hours(&t.to_first_score_h),
        hours(&t.to_submitted_h)
    );
}

fn distribution(out: &mut String, d: &ScoreDistribution) {
    let counts: Vec<String> = d
        .counts
        .iter()
        .map(|c| format!("{}:{}", c.score, c.count))
        .collect();
    let _ = writeln!(
        out,
        "  {}: n = {}, mean {}, sd {}, median {}  [{}]",
        d.label,
        d.n,
        num(d.mean),
        num(d.sd),
        num(d.median),
        counts.join(" ")
    );
    if let Some(note) = too_few(d.n) {
        let _ = writeln!(out, "    {note}");
    }
}

fn shift(out: &mut String, s: &Shift) {
    let _ = writeln!(
        out,
        "  {}: mean shift {:+.2}, {} changed ({} up, {} down), n = {}{}",
        s.label,
        s.mean_shift,
        pct(Some(s.changed)),
        s.up,
        s.down,
        s.n,
        if s.stands_out {
            "  STANDS OUT from the panel"
        } else {
            ""
        }
    );
    if let Some(note) = too_few(s.n) {
        let _ = writeln!(out, "    {note}");
    }
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Hiring process report");
    let _ = writeln!(
        out,
        "Role: {}\nPeriod: {} to {}\nGenerated {} from {}",
        r.role
            .as_ref()
            .map_or("all roles you can see", |x| &x.title),
        r.since.as_deref().unwrap_or("the beginning"),
        r.until.as_deref().unwrap_or("now"),
        r.generated_at,
        r.server
    );

    heading(&mut out, "Completion funnel");
    stages(&mut out, &r.funnel.total);
    for g in &r.funnel.by_role {
        let _ = writeln!(out, " {}", g.label);
        stages(&mut out, &g.stages);
    }
    heading(&mut out, "Weekly completion per role (completed / invited)");
    for role in &r.weekly_by_role {
        let _ = writeln!(out, "  {}", role.title);
        for w in &role.weeks {
            let (invited, rate) = completion(w);
            let _ = writeln!(out, "    {:<20} {:>5} of {invited}", w.label, pct(rate));
        }
    }
    heading(&mut out, "Where candidates abandon");
    for set in &r.funnel.drop_off {
        let _ = writeln!(
            out,
            "  {} (version {}), {} started",
            set.name, set.version, set.started
        );
        for q in &set.questions {
            let _ = writeln!(
                out,
                "    Q{} {}: answered {}, abandoned {} ({} of starters)",
                q.position,
                q.prompt,
                q.answered,
                q.abandoned,
                pct(q.share_of_starters)
            );
        }
    }
    let w = &r.funnel.window;
    let _ = writeln!(
        out,
        "  Time to complete: {}\n  Completed in the last tenth of the window: {}",
        hours(&w.hours_to_complete),
        pct(w.last_tenth_share)
    );

    heading(&mut out, "Completion drop alerts");
    if r.alerts.alerts.is_empty() {
        let _ = writeln!(
            out,
            "  None: no role's completion dropped in the last {} days.",
            r.alerts.days
        );
    }
    for a in &r.alerts.alerts {
        let _ = writeln!(
            out,
            "  {}: {} of {} completed recently against {} of {} before ({} vs {}){}",
            a.title,
            a.recent_completed,
            a.recent_invited,
            a.baseline_completed,
            a.baseline_invited,
            pct(a.recent_rate),
            pct(a.baseline_rate),
            if a.changes.is_empty() {
                String::new()
            } else {
                format!("; changed: {}", a.changes.join("; "))
            }
        );
    }

    heading(&mut out, "Reviewer turnaround");
    for t in &r.turnaround.by_reviewer {
        turnaround(&mut out, t);
    }
    let _ = writeln!(
        out,
        "  Completion to decision: {}",
        hours(&r.turnaround.to_decision_h)
    );

    heading(&mut out, "Scores per question");
    for d in &r.scores.by_question {
        distribution(&mut out, d);
    }
    heading(
        &mut out,
        "Reviewer leniency (mean deviation from the other reviewers)",
    );
    for l in &r.scores.leniency {
        let _ = writeln!(
            out,
            "  {}: {:+.2} [{}, {}], n = {}{}",
            l.reviewer,
            l.mean_deviation,
            num(l.lower),
            num(l.upper),
            l.n,
            too_few(l.n).map_or(String::new(), |n| format!("  ({n})"))
        );
    }
    heading(&mut out, "Muted-first shift (final − muted rating)");
    for s in &r.shift.by_reviewer {
        shift(&mut out, s);
    }

    heading(&mut out, "Inter-rater reliability per quarter");
    for set in &r.reliability.question_sets {
        let _ = writeln!(out, "  {}", set.name);
        for q in &set.quarters {
            let rel = &q.reliability;
            let _ = writeln!(
                out,
                "    {}: alpha {} ICC(2,1) {} ({} interviews, {} units){}",
                q.quarter,
                num(rel.alpha_ordinal),
                num(rel.icc2_1),
                q.interviews,
                rel.units,
                rel.alpha_ordinal_reason
                    .as_deref()
                    .map_or(String::new(), |why| format!("  ({why})"))
            );
        }
        for c in &set.calibration {
            let rel = &c.reliability;
            let _ = writeln!(
                out,
                "    {} calibration \"{}\": alpha {} ICC(2,1) {} ({} items, {} raters)",
                c.quarter,
                c.title,
                num(rel.alpha_ordinal),
                num(rel.icc2_1),
                c.items,
                rel.raters
            );
        }
    }

    heading(
        &mut out,
        "Do scores predict outcomes? (Spearman, bootstrap 95%)",
    );
    for f in r.validity.figures.iter().filter(|f| f.key == "total") {
        let _ = writeln!(
            out,
            "  Total score vs {}: rho {} [{}, {}], n = {}: {}",
            f.outcome,
            num(f.rho),
            num(f.lower),
            num(f.upper),
            f.n,
            verdict(&f.verdict)
        );
    }
    if !r.validity.not_predicting.is_empty() {
        let _ = writeln!(
            out,
            "  Questions that predict no outcome: {}",
            r.validity.not_predicting.join("; ")
        );
    }

    heading(
        &mut out,
        "Adverse impact (voluntary self-identification; four-fifths rule)",
    );
    for [category, stage, group, of, rate, ratio, p, flag] in impact_rows(&r.adverse_impact) {
        let _ = writeln!(
            out,
            "  {category} / {stage} / {group}: {of} selected ({rate}), impact ratio {ratio}, \
             Fisher p {p}{}",
            if flag.is_empty() {
                String::new()
            } else {
                format!(": {flag}")
            }
        );
    }
    for n in impact_notes(&r.adverse_impact) {
        let _ = writeln!(out, "  {n}");
    }
    out
}
