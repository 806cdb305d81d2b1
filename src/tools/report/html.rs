//! The report as ONE self-contained HTML file: inline CSS, inline SVG
//! charts, no scripts (a Content-Security-Policy forbids them), readable
//! on a phone. Every piece of data is escaped.

use std::fmt::Write as _;

use takes_api::insights::{FunnelStage, Percentiles, ReliabilityDrift};
use takes_api::Reliability;

use super::model::{
    completion, impact_notes, impact_rows, num, pct, too_few, verdict, Report, MIN_N,
};
use super::svg::{columns, diverging, esc, hbars, Bar};

const STYLE: &str = "
:root{color-scheme:light;--ink:#1d2733;--muted:#5b6775;--bar:#2f6db5;--flag:#b5472f;--track:#e8edf2}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0 auto;padding:1rem;max-width:60rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid var(--track)}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
.meta,.note{color:var(--muted);font-size:.9rem}
.note{font-style:italic}
.alert{border-left:4px solid var(--flag);background:#fbefec;padding:.5rem .8rem;margin:.5rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--track);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg.chart{width:100%;max-width:40rem;height:auto;display:block;margin:.3rem 0 1rem}
svg .track{fill:var(--track)}svg .bar{fill:var(--bar)}svg .flag{fill:var(--flag)}
svg .zero{stroke:var(--ink);stroke-width:1}
svg text{font:18px system-ui,sans-serif;fill:var(--ink)}svg .mid{text-anchor:middle}
@media (max-width:40rem){body{padding:.6rem;font-size:15px}th,td{padding:.25rem .3rem}
table,tbody,tr,td{display:block;width:100%}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
tr{border-bottom:1px solid var(--track);padding:.35rem 0}
td{border:0;display:flex;justify-content:space-between;gap:1rem;overflow-wrap:anywhere}
td.n{text-align:right}td.n::before{content:attr(data-label);color:var(--muted);text-align:left;flex:0 1 auto}
td:first-child{font-weight:600}}
";

struct Page(String);

impl Page {
    fn h2(&mut self, t: &str) {
        let _ = write!(self.0, "<h2>{}</h2>", esc(t));
    }

    fn note(&mut self, t: &str) {
        let _ = write!(self.0, r#"<p class="note">{}</p>"#, esc(t));
    }

    /// A table; cells are escaped here, numeric columns right-aligned.
    fn table(&mut self, head: &[&str], rows: Vec<Vec<String>>) {
        if rows.is_empty() {
            self.note("Nothing to show for this period.");
            return;
        }
        self.0.push_str(r#"<div class="scroll"><table><thead><tr>"#);
        for (i, h) in head.iter().enumerate() {
            let cls = if i > 0 { r#" class="n""# } else { "" };
            let _ = write!(self.0, "<th{cls}>{}</th>", esc(h));
        }
        self.0.push_str("</tr></thead><tbody>");
        for row in rows {
            self.0.push_str("<tr>");
            for (i, c) in row.iter().enumerate() {
                // On a phone each row becomes a card and every number is
                // shown beside its column's name (see STYLE), instead of a
                // table that scrolls sideways.
                let attrs = match (i, head.get(i)) {
                    (0, _) => String::new(),
                    (_, Some(h)) => format!(r#" class="n" data-label="{}""#, esc(h)),
                    (_, None) => r#" class="n""#.to_string(),
                };
                let _ = write!(self.0, "<td{attrs}>{}</td>", esc(c));
            }
            self.0.push_str("</tr>");
        }
        self.0.push_str("</tbody></table></div>");
    }
}

fn stage_bars(stages: &[FunnelStage]) -> Vec<Bar> {
    stages
        .iter()
        .map(|s| Bar {
            label: s.stage.clone(),
            share: s.rate_from_invited.unwrap_or(0.0),
            text: format!("{} ({})", s.count, pct(s.rate_from_invited)),
        })
        .collect()
}

fn hours(p: &Percentiles) -> [String; 3] {
    if p.n == 0 {
        return ["–".into(), "–".into(), "–".into()];
    }
    [num(p.p50), num(p.p90), p.n.to_string()]
}

pub fn render(r: &Report) -> String {
    let mut p = Page(String::new());
    let scope = r
        .role
        .as_ref()
        .map_or("All roles".to_string(), |x| x.title.clone());
    let _ = write!(
        p.0,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>Hiring process report: {t}</title><style>{STYLE}</style></head><body><h1>Hiring process report</h1><p class="meta">{t} · {since} to {until} · generated {gen}</p>"#,
        t = esc(&scope),
        since = esc(r.since.as_deref().unwrap_or("the beginning")),
        until = esc(r.until.as_deref().unwrap_or("now")),
        gen = esc(&r.generated_at),
    );

    p.h2("Completion drop alerts");
    if r.alerts.alerts.is_empty() {
        p.note(&format!(
            "No role's completion dropped in the last {} days.",
            r.alerts.days
        ));
    }
    for a in &r.alerts.alerts {
        let changed = if a.changes.is_empty() {
            String::new()
        } else {
            format!(" What changed: {}.", a.changes.join("; "))
        };
        let _ = write!(
            p.0,
            r#"<div class="alert"><strong>{}</strong>: completion fell to {} ({} of {}) from {} ({} of {}).{}</div>"#,
            esc(&a.title),
            pct(a.recent_rate),
            a.recent_completed,
            a.recent_invited,
            pct(a.baseline_rate),
            a.baseline_completed,
            a.baseline_invited,
            esc(&changed)
        );
    }

    p.h2("Completion funnel");
    let invited = r.funnel.total.first().map_or(0, |s| s.count);
    if let Some(n) = too_few(invited) {
        p.note(&format!("{n} invitations."));
    }
    p.0.push_str(&hbars(
        "Completion funnel, all roles in scope",
        &stage_bars(&r.funnel.total),
    ));
    p.table(
        &[
            "Role",
            "Invited",
            "Started",
            "Completed",
            "Reviewed",
            "Decided",
        ],
        r.funnel
            .by_role
            .iter()
            .map(|g| {
                let mut row = vec![g.label.clone()];
                row.extend(
                    g.stages
                        .iter()
                        .map(|s| format!("{} ({})", s.count, pct(s.rate_from_invited))),
                );
                row
            })
            .collect(),
    );

    p.h2("Weekly completion per role");
    for role in &r.weekly_by_role {
        let _ = write!(p.0, "<h3>{}</h3>", esc(&role.title));
        let cols: Vec<Bar> = role
            .weeks
            .iter()
            .map(|w| {
                let (n, rate) = completion(w);
                Bar {
                    label: w.key.get(5..).unwrap_or(&w.key).to_string(),
                    share: rate.unwrap_or(0.0),
                    text: format!("{} of {n}", pct(rate)),
                }
            })
            .collect();
        p.0.push_str(&columns(
            &format!("{}: completed of invited, per invitation week", role.title),
            &cols,
        ));
    }

    p.h2("Where candidates abandon");
    for set in &r.funnel.drop_off {
        let _ = write!(
            p.0,
            "<h3>{} (version {}), {} started</h3>",
            esc(&set.name),
            set.version,
            set.started
        );
        p.table(
            &["Question", "Answered", "Abandoned", "Of starters"],
            set.questions
                .iter()
                .map(|q| {
                    vec![
                        format!("{}. {}", q.position, q.prompt),
                        q.answered.to_string(),
                        q.abandoned.to_string(),
                        pct(q.share_of_starters),
                    ]
                })
                .collect(),
        );
    }
    let w = &r.funnel.window;
    p.note(&format!(
        "Median time to complete: {} h; completed in the last tenth of the window: {}.",
        num(w.hours_to_complete.p50),
        pct(w.last_tenth_share)
    ));

    p.h2("Reviewer turnaround (hours from completion)");
    p.table(
        &[
            "Reviewer",
            "Assignments",
            "Overdue",
            "First score p50",
            "p90",
            "Submitted p50",
            "p90",
            "n",
        ],
        r.turnaround
            .by_reviewer
            .iter()
            .map(|t| {
                let [f50, f90, _] = hours(&t.to_first_score_h);
                let [s50, s90, n] = hours(&t.to_submitted_h);
                vec![
                    t.label.clone(),
                    t.assignments.to_string(),
                    t.overdue.to_string(),
                    f50,
                    f90,
                    s50,
                    s90,
                    n,
                ]
            })
            .collect(),
    );

    p.h2("Score distributions per question");
    for d in &r.scores.by_question {
        let _ = write!(p.0, "<h3>{}</h3>", esc(&d.label));
        if let Some(n) = too_few(d.n) {
            p.note(&n);
        }
        let top = d.counts.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
        let cols: Vec<Bar> = d
            .counts
            .iter()
            .map(|c| Bar {
                label: c.score.to_string(),
                share: c.count as f64 / top,
                text: c.count.to_string(),
            })
            .collect();
        p.0.push_str(&columns(&format!("Ratings of {}", d.label), &cols));
        p.note(&format!(
            "n = {}, mean {}, sd {}, median {}",
            d.n,
            num(d.mean),
            num(d.sd),
            num(d.median)
        ));
    }

    p.h2("Reviewer leniency");
    p.note("Mean deviation from the other reviewers of the same answers, with a 95% interval (positive: lenient).");
    p.table(
        &["Reviewer", "Deviation", "95% interval", "n"],
        r.scores
            .leniency
            .iter()
            .map(|l| {
                let n = too_few(l.n).map_or(l.n.to_string(), |_| format!("{} (too few)", l.n));
                vec![
                    l.reviewer.clone(),
                    format!("{:+.2}", l.mean_deviation),
                    format!("{} to {}", num(l.lower), num(l.upper)),
                    n,
                ]
            })
            .collect(),
    );

    p.h2("Muted-first shift per reviewer");
    p.note("How each reviewer's final rating differs from their rating with the sound off (final − muted). Red: stands out from the panel.");
    let limit = r
        .shift
        .by_reviewer
        .iter()
        .map(|s| s.mean_shift.abs())
        .fold(0.5_f64, f64::max);
    let rows: Vec<(String, f64, String, bool)> = r
        .shift
        .by_reviewer
        .iter()
        .map(|s| {
            (
                s.label.clone(),
                s.mean_shift,
                format!("{:+.2} (n {})", s.mean_shift, s.n),
                s.stands_out,
            )
        })
        .collect();
    if rows.is_empty() {
        p.note("No muted ratings in this period.");
    } else {
        p.0.push_str(&diverging(
            "Mean muted-first shift per reviewer",
            &rows,
            limit,
        ));
    }
    let few: Vec<&str> = r
        .shift
        .by_reviewer
        .iter()
        .filter(|s| s.n < MIN_N)
        .map(|s| s.label.as_str())
        .collect();
    if !few.is_empty() {
        p.note(&format!(
            "Too few muted ratings to read (fewer than {}): {}.",
            MIN_N,
            few.join(", ")
        ));
    }

    p.h2("Inter-rater reliability per quarter");
    p.note("Live reviewing of each quarter, with the calibration sessions whose deadline fell in it right below: the same statistics on the same questions, so drift shows against a reference.");
    for set in &r.reliability.question_sets {
        let _ = write!(p.0, "<h3>{}</h3>", esc(&set.name));
        p.table(
            &[
                "Figures of",
                "Quarter",
                "Alpha (ordinal)",
                "ICC(2,1)",
                "Interviews or items",
                "Units",
                "Raters",
            ],
            reliability_rows(set),
        );
    }

    p.h2("Do scores predict outcomes after hire?");
    p.note("Spearman's rho with a bootstrap 95% interval. Under 10 hires nothing can be said; under 30 read with care.");
    p.table(
        &["Score", "Outcome", "rho", "95% interval", "n", "Verdict"],
        r.validity
            .figures
            .iter()
            .map(|f| {
                vec![
                    f.label.clone(),
                    f.outcome.clone(),
                    num(f.rho),
                    format!("{} to {}", num(f.lower), num(f.upper)),
                    f.n.to_string(),
                    verdict(&f.verdict).to_string(),
                ]
            })
            .collect(),
    );
    if !r.validity.not_predicting.is_empty() {
        p.note(&format!(
            "Questions that predict no outcome: {}.",
            r.validity.not_predicting.join("; ")
        ));
    }
    p.h2("Adverse impact");
    p.note("From voluntary self-identification, kept apart from the interviews and never shown to reviewers. Impact ratio: a group's selection rate over the highest group's; under 0.8 fails the four-fifths rule (29 CFR 1607.4(D)). Fisher's exact test, two-sided, against the highest group.");
    p.table(
        &[
            "Category",
            "Stage",
            "Group",
            "Selected",
            "Rate",
            "Impact ratio",
            "Fisher p",
            "Four-fifths",
        ],
        impact_rows(&r.adverse_impact)
            .into_iter()
            .map(|row| row.to_vec())
            .collect(),
    );
    for n in impact_notes(&r.adverse_impact) {
        p.note(&n);
    }
    p.0.push_str("</body></html>\n");
    p.0
}

fn alpha(rel: &Reliability) -> String {
    rel.alpha_ordinal.map_or_else(
        || rel.alpha_ordinal_reason.clone().unwrap_or("–".into()),
        |v| format!("{v:.2}"),
    )
}

/// Each quarter's live figures, each followed by the calibration sessions
/// of that quarter (sessions of a quarter with no live reviewing come in
/// quarter order too).
fn reliability_rows(set: &ReliabilityDrift) -> Vec<Vec<String>> {
    let mut rows: Vec<(String, u8, Vec<String>)> = Vec::new();
    for q in &set.quarters {
        let rel = &q.reliability;
        rows.push((
            q.quarter.clone(),
            0,
            vec![
                "Live reviewing".into(),
                q.quarter.clone(),
                alpha(rel),
                num(rel.icc2_1),
                format!("{} interviews", q.interviews),
                rel.units.to_string(),
                rel.raters.to_string(),
            ],
        ));
    }
    for c in &set.calibration {
        let rel = &c.reliability;
        let day: String = c.deadline_at.chars().take(10).collect();
        rows.push((
            c.quarter.clone(),
            1,
            vec![
                format!("Calibration “{}”, deadline {day}", c.title),
                c.quarter.clone(),
                alpha(rel),
                num(rel.icc2_1),
                format!("{} items", c.items),
                rel.units.to_string(),
                rel.raters.to_string(),
            ],
        ));
    }
    // Stable: within a quarter live first, sessions by deadline as given.
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}
