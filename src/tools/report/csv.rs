//! The report as one long CSV table, `section,group,label,measure,value`:
//! one row per number, so a spreadsheet can pivot it.

use takes_api::insights::{FunnelGroup, FunnelStage, Percentiles};

use super::model::Report;

/// RFC 4180 quoting; text that a spreadsheet would run as a formula gets a
/// leading apostrophe (names and prompts come from users).
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

struct Table(String);

impl Table {
    fn row(&mut self, section: &str, group: &str, label: &str, measure: &str, value: String) {
        self.0.push_str(&format!(
            "{},{},{},{},{}\r\n",
            field(section),
            field(group),
            field(label),
            field(measure),
            value
        ));
    }

    fn opt(&mut self, section: &str, group: &str, label: &str, measure: &str, v: Option<f64>) {
        self.row(
            section,
            group,
            label,
            measure,
            v.map_or(String::new(), |x| x.to_string()),
        );
    }

    fn stages(&mut self, section: &str, group: &str, label: &str, stages: &[FunnelStage]) {
        for s in stages {
            self.row(
                section,
                group,
                label,
                &format!("{}_count", s.stage),
                s.count.to_string(),
            );
            let m = format!("{}_rate_from_invited", s.stage);
            self.opt(section, group, label, &m, s.rate_from_invited);
        }
    }

    fn groups(&mut self, section: &str, groups: &[FunnelGroup]) {
        for g in groups {
            self.stages(section, &g.key, &g.label, &g.stages);
        }
    }

    fn hours(&mut self, section: &str, group: &str, label: &str, what: &str, p: &Percentiles) {
        self.row(section, group, label, &format!("{what}_n"), p.n.to_string());
        self.opt(section, group, label, &format!("{what}_p50"), p.p50);
        self.opt(section, group, label, &format!("{what}_p90"), p.p90);
        self.opt(section, group, label, &format!("{what}_max"), p.max);
    }
}

pub fn render(r: &Report) -> String {
    let mut t = Table("section,group,label,measure,value\r\n".into());
    t.stages("funnel", "total", "All", &r.funnel.total);
    t.groups("funnel_by_role", &r.funnel.by_role);
    t.groups("funnel_by_department", &r.funnel.by_department);
    t.groups("funnel_by_week", &r.funnel.by_week);
    for role in &r.weekly_by_role {
        for w in &role.weeks {
            t.stages("funnel_by_role_week", &role.title, &w.key, &w.stages);
        }
    }
    for set in &r.funnel.drop_off {
        for q in &set.questions {
            let label = format!("Q{} {}", q.position, q.prompt);
            t.row(
                "drop_off",
                &set.name,
                &label,
                "answered",
                q.answered.to_string(),
            );
            t.row(
                "drop_off",
                &set.name,
                &label,
                "abandoned",
                q.abandoned.to_string(),
            );
        }
    }
    let w = &r.funnel.window;
    t.hours(
        "window",
        "all",
        "All",
        "hours_to_complete",
        &w.hours_to_complete,
    );
    t.opt(
        "window",
        "all",
        "All",
        "last_tenth_share",
        w.last_tenth_share,
    );
    for (section, list) in [
        ("turnaround_by_reviewer", &r.turnaround.by_reviewer),
        ("turnaround_by_role", &r.turnaround.by_role),
    ] {
        for x in list {
            t.row(
                section,
                &x.key,
                &x.label,
                "assignments",
                x.assignments.to_string(),
            );
            t.row(section, &x.key, &x.label, "overdue", x.overdue.to_string());
            t.hours(
                section,
                &x.key,
                &x.label,
                "to_first_score_h",
                &x.to_first_score_h,
            );
            t.hours(
                section,
                &x.key,
                &x.label,
                "to_submitted_h",
                &x.to_submitted_h,
            );
        }
    }
    t.hours(
        "turnaround",
        "all",
        "All",
        "to_decision_h",
        &r.turnaround.to_decision_h,
    );
    for (section, list) in [
        ("scores_by_question", &r.scores.by_question),
        ("scores_by_competency", &r.scores.by_competency),
        ("scores_by_role", &r.scores.by_role),
        ("scores_by_version", &r.scores.by_version),
    ] {
        for d in list {
            t.row(section, &d.key, &d.label, "n", d.n.to_string());
            t.opt(section, &d.key, &d.label, "mean", d.mean);
            t.opt(section, &d.key, &d.label, "sd", d.sd);
            t.opt(section, &d.key, &d.label, "median", d.median);
            for c in &d.counts {
                t.row(
                    section,
                    &d.key,
                    &d.label,
                    &format!("count_{}", c.score),
                    c.count.to_string(),
                );
            }
        }
    }
    for l in &r.scores.leniency {
        t.row("leniency", &l.reviewer, &l.reviewer, "n", l.n.to_string());
        t.opt(
            "leniency",
            &l.reviewer,
            &l.reviewer,
            "mean_deviation",
            Some(l.mean_deviation),
        );
        t.opt("leniency", &l.reviewer, &l.reviewer, "lower", l.lower);
        t.opt("leniency", &l.reviewer, &l.reviewer, "upper", l.upper);
    }
    for (section, list) in [
        ("shift_by_reviewer", &r.shift.by_reviewer),
        ("shift_by_question", &r.shift.by_question),
    ] {
        for s in list {
            t.row(section, &s.key, &s.label, "n", s.n.to_string());
            t.opt(section, &s.key, &s.label, "mean_shift", Some(s.mean_shift));
            t.opt(section, &s.key, &s.label, "changed", Some(s.changed));
            t.row(
                section,
                &s.key,
                &s.label,
                "stands_out",
                s.stands_out.to_string(),
            );
        }
    }
    for set in &r.reliability.question_sets {
        for q in &set.quarters {
            let g = &set.name;
            t.row(
                "reliability",
                g,
                &q.quarter,
                "interviews",
                q.interviews.to_string(),
            );
            t.opt(
                "reliability",
                g,
                &q.quarter,
                "alpha_ordinal",
                q.reliability.alpha_ordinal,
            );
            t.opt("reliability", g, &q.quarter, "icc2_1", q.reliability.icc2_1);
        }
        // Each calibration session beside the live quarters: the same
        // measures, labelled by the session's title.
        for c in &set.calibration {
            let (g, l) = (&set.name, &c.title);
            let s = "reliability_calibration";
            t.row(s, g, l, "quarter", field(&c.quarter));
            t.row(s, g, l, "deadline_at", field(&c.deadline_at));
            t.row(s, g, l, "items", c.items.to_string());
            t.row(s, g, l, "raters", c.reliability.raters.to_string());
            t.opt(s, g, l, "alpha_ordinal", c.reliability.alpha_ordinal);
            t.opt(s, g, l, "icc2_1", c.reliability.icc2_1);
        }
    }
    for f in &r.validity.figures {
        t.row("validity", &f.outcome, &f.label, "n", f.n.to_string());
        t.opt("validity", &f.outcome, &f.label, "rho", f.rho);
        t.opt("validity", &f.outcome, &f.label, "lower", f.lower);
        t.opt("validity", &f.outcome, &f.label, "upper", f.upper);
        t.row(
            "validity",
            &f.outcome,
            &f.label,
            "verdict",
            field(&f.verdict),
        );
    }
    for a in &r.alerts.checked {
        t.row(
            "completion_check",
            &a.role_id,
            &a.title,
            "verdict",
            field(&a.verdict),
        );
        t.opt(
            "completion_check",
            &a.role_id,
            &a.title,
            "recent_rate",
            a.recent_rate,
        );
        t.opt(
            "completion_check",
            &a.role_id,
            &a.title,
            "baseline_rate",
            a.baseline_rate,
        );
    }
    for c in &r.adverse_impact.categories {
        for s in &c.stages {
            let section = format!("adverse_impact_{}", s.stage);
            for g in &s.groups {
                t.row(
                    &section,
                    &c.category,
                    &g.group,
                    "total",
                    g.total.to_string(),
                );
                t.row(
                    &section,
                    &c.category,
                    &g.group,
                    "selected",
                    g.selected.to_string(),
                );
                t.opt(
                    &section,
                    &c.category,
                    &g.group,
                    "selection_rate",
                    Some(g.selection_rate),
                );
                t.opt(
                    &section,
                    &c.category,
                    &g.group,
                    "impact_ratio",
                    g.impact_ratio,
                );
                t.opt(&section, &c.category, &g.group, "fisher_p", g.fisher_p);
                t.row(
                    &section,
                    &c.category,
                    &g.group,
                    "below_four_fifths",
                    g.below_four_fifths.to_string(),
                );
            }
            t.row(
                &section,
                &c.category,
                "",
                "suppressed_groups",
                s.suppressed_groups.to_string(),
            );
        }
    }
    t.0
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_and_defuses_formulas() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("plain"), "plain");
    }
}
