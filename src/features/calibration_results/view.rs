//! Calibration: the list of sessions, and a session's results — a lock
//! with what is still missing until the caller submitted, then a
//! reviewers-by-items heat map (your row highlighted), your deviation,
//! flagged items first, reliability with interpretation bands, and the
//! discussion notes. Items are scored in the review screen.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use takes_api::{CalibrationResults, CalibrationStatus, Reliability, Tendency};

use super::state::{ordered_items, CalibrationProgress, ResultsState};
use crate::app::state::App;
use crate::config::{Command, Scope, Theme};
use crate::screens::widgets::fit;

/// Krippendorff's alpha: ≥ .800 reliable, ≥ .667 tentative, else unreliable.
pub fn alpha_band(a: f64) -> &'static str {
    if a >= 0.8 {
        "reliable"
    } else if a >= 0.667 {
        "tentative"
    } else {
        "unreliable"
    }
}

/// ICC (Koo & Li 2016): < .5 poor, .5–.75 moderate, .75–.9 good, > .9 excellent.
pub fn icc_band(v: f64) -> &'static str {
    if v < 0.5 {
        "poor"
    } else if v < 0.75 {
        "moderate"
    } else if v <= 0.9 {
        "good"
    } else {
        "excellent"
    }
}

/// The lock text: "3 of 5 items scored; submit to unlock".
pub fn lock_text(p: &CalibrationProgress) -> String {
    if p.scored >= p.items {
        format!(
            "{} of {} items scored; submit to unlock",
            p.scored.min(p.items),
            p.items
        )
    } else {
        format!(
            "{} of {} items scored; score the rest and submit to unlock",
            p.scored, p.items
        )
    }
}

pub fn frame(f: &mut Frame, area: Rect, title: String, theme: &Theme) -> Rect {
    let block = Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(theme.border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(rs) = app.results() else {
        return;
    };
    let title = if rs.title.is_empty() {
        " Calibration results ".to_string()
    } else {
        format!(" Results — {} ", rs.title)
    };
    let inner = frame(f, area, title, theme);
    let lines = match (&rs.results, &rs.locked) {
        (Some(res), _) => unlocked(res, rs.item, inner.width as usize, theme),
        (None, Some(why)) => locked(app, rs, Some(why), theme),
        (None, None) => match &rs.error {
            Some(e) => vec![Line::from(Span::styled(
                format!("The results could not be loaded: {e}"),
                theme.error,
            ))],
            None if rs.progress.is_some_and(|p| !p.submitted) => locked(app, rs, None, theme),
            None => vec![Line::from(Span::styled("Loading the results…", theme.dim))],
        },
    };
    let max = lines.len().saturating_sub(inner.height as usize);
    let visible: Vec<Line> = lines.into_iter().skip(rs.scroll.min(max)).collect();
    f.render_widget(Paragraph::new(visible).wrap(Wrap { trim: false }), inner);
    if let (Some(ed), Some(res)) = (&rs.editor, &rs.results) {
        let leave = app.key_name(Scope::Editor, Command::Leave);
        draw_discussion_editor(f, inner, &leave, rs, ed, res, theme);
    }
}

/// The discussion note being written, over the bottom of the results.
fn draw_discussion_editor(
    f: &mut Frame,
    inner: Rect,
    leave: &str,
    rs: &ResultsState,
    ed: &crate::features::editor::TextInput,
    res: &CalibrationResults,
    theme: &Theme,
) {
    let h = inner.height.min(7);
    if h < 3 {
        return;
    }
    let area = Rect::new(inner.x, inner.bottom() - h, inner.width, h);
    let item = ordered_items(res)
        .get(rs.item)
        .map(|i| format!("#{} {}", i.position, i.competency))
        .unwrap_or_default();
    let title = if rs.sending {
        format!(" Note on {item} · sending… ")
    } else {
        format!(" Note on {item} · {leave} sends ")
    };
    f.render_widget(ratatui::widgets::Clear, area);
    let block = ratatui::widgets::Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(theme.border_focus);
    let text_area = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(
        Paragraph::new(ed.text.clone())
            .style(theme.text)
            .wrap(Wrap { trim: false }),
        text_area,
    );
}

fn locked(app: &App, rs: &ResultsState, why: Option<&String>, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(""),
        Line::from(Span::styled("  🔒 Results locked", theme.title)),
        Line::from(""),
    ];
    if let Some(p) = &rs.progress {
        out.push(Line::from(Span::styled(
            format!("  {}", lock_text(p)),
            theme.warning,
        )));
    }
    out.push(Line::from(Span::styled(
        "  Nobody sees the others' scores before submitting their own, so the comparison measures the rubric, not anchoring.",
        theme.dim,
    )));
    out.push(Line::from(Span::styled(
        format!(
            "  Rate every item ({}/{} move), {} to submit, then {}.",
            app.key_name(Scope::Review, Command::NextQuestion),
            app.key_name(Scope::Review, Command::PrevQuestion),
            app.key_name(Scope::Review, Command::Submit),
            app.key_name(Scope::Calibration, Command::CalibrationResults)
        ),
        theme.dim,
    )));
    if let Some(w) = why {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("  Server: {w}"),
            theme.dim,
        )));
    }
    out
}

fn heat_style(rating: i64, mean: Option<f64>, theme: &Theme) -> (Style, &'static str) {
    match mean {
        Some(m) if rating as f64 - m >= 0.5 => (theme.heat_above, "▲"),
        Some(m) if m - rating as f64 >= 0.5 => (theme.heat_below, "▼"),
        _ => (theme.heat_agree, " "),
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "–".into())
}

fn reliability_lines(r: &Reliability, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!(
            " Reliability · {} items, {} raters, {} ratings",
            r.units, r.raters, r.ratings
        ),
        theme.title,
    ))];
    let row =
        |label: &str, v: Option<f64>, band: Option<&str>, extra: String, why: &Option<String>| {
            let text = match (v, band) {
                (Some(v), Some(b)) => format!("   {label:<23} {v:>6.3}  {b}{extra}"),
                _ => format!(
                    "   {label:<23} {:>6}  {}",
                    fmt_opt(v),
                    why.clone().unwrap_or_else(|| "not computable".into())
                ),
            };
            Line::from(Span::styled(text, theme.text))
        };
    let ci = r
        .alpha_ordinal_ci
        .as_ref()
        .map(|c| {
            format!(
                "  ({:.0}% CI {:.3}–{:.3}, {} resamples)",
                c.level * 100.0,
                c.lower,
                c.upper,
                c.iterations
            )
        })
        .or_else(|| {
            r.alpha_ordinal_ci_reason
                .as_ref()
                .map(|w| format!("  (no interval: {w})"))
        })
        .unwrap_or_default();
    out.push(row(
        "Krippendorff α ordinal",
        r.alpha_ordinal,
        r.alpha_ordinal.map(alpha_band),
        ci,
        &r.alpha_ordinal_reason,
    ));
    out.push(row(
        "Krippendorff α interval",
        r.alpha_interval,
        r.alpha_interval.map(alpha_band),
        String::new(),
        &r.alpha_interval_reason,
    ));
    let icc_n = format!("  ({} items rated by all)", r.icc_units);
    out.push(row(
        "ICC(2,1) one rater",
        r.icc2_1,
        r.icc2_1.map(icc_band),
        icc_n.clone(),
        &r.icc2_1_reason,
    ));
    out.push(row(
        "ICC(2,k) panel mean",
        r.icc2_k,
        r.icc2_k.map(icc_band),
        icc_n,
        &r.icc2_k_reason,
    ));
    out.push(Line::from(Span::styled(
        "   α: ≥ .800 reliable, ≥ .667 tentative, below unreliable · ICC (Koo & Li 2016): < .5 poor, .5–.75 moderate, .75–.9 good, > .9 excellent",
        theme.dim,
    )));
    out
}

fn unlocked(
    res: &CalibrationResults,
    selected: usize,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let items = ordered_items(res);
    let mut out = Vec::new();
    // Your deviation.
    if let Some(me) = res.reviewers.iter().find(|r| r.is_me) {
        let dev = me
            .mean_deviation
            .map(|d| format!("{d:+.2}"))
            .unwrap_or_else(|| "–".into());
        let t = match me.tendency {
            Some(Tendency::Lenient) => "lenient: you rate above the panel",
            Some(Tendency::Severe) => "severe: you rate below the panel",
            Some(Tendency::InLine) => "in line with the panel",
            None => "no panel to compare with yet",
        };
        out.push(Line::from(vec![
            Span::styled(" Your deviation: ", theme.title),
            Span::styled(format!("{dev} per item ({t})"), theme.heat_me),
        ]));
    }
    let flagged = items.iter().filter(|i| i.flagged).count();
    out.push(Line::from(Span::styled(
        format!(
            " {} reviewers · {} items · {} flagged for discussion (⚑, shown first)",
            res.reviewers.len(),
            res.items.len(),
            flagged
        ),
        theme.dim,
    )));
    out.push(Line::from(""));
    // Heat map: reviewers by items.
    let name_w = (w / 4).clamp(10, 22);
    let cell = 6usize;
    let mut head = vec![Span::styled(format!(" {:<name_w$}", "Reviewer"), theme.dim)];
    for it in &items {
        let label = format!("{}#{}", if it.flagged { "⚑" } else { "" }, it.position);
        head.push(Span::styled(
            format!("{label:>cell$}"),
            if it.flagged { theme.warning } else { theme.dim },
        ));
    }
    head.push(Span::styled(format!("{:>9}", "dev"), theme.dim));
    out.push(Line::from(head));
    for rv in &res.reviewers {
        let name = if rv.is_me {
            format!("▶ {} (you)", rv.name)
        } else {
            format!("  {}", rv.name)
        };
        let name_style = if rv.is_me { theme.heat_me } else { theme.text };
        let mut row = vec![Span::styled(
            format!(" {:<name_w$}", fit(&name, name_w)),
            name_style,
        )];
        for it in &items {
            match it.scores.iter().find(|s| s.reviewer_id == rv.reviewer_id) {
                Some(s) => {
                    let (style, mark) = heat_style(s.rating, it.mean, theme);
                    let style = if rv.is_me {
                        style.add_modifier(ratatui::style::Modifier::BOLD)
                    } else {
                        style
                    };
                    row.push(Span::raw(" "));
                    row.push(Span::styled(
                        format!("{:>w$}{mark} ", s.rating, w = cell - 3),
                        style,
                    ));
                }
                None => row.push(Span::styled(format!("{:>cell$}", "·"), theme.score_unset)),
            }
        }
        let dev = match (rv.status, rv.mean_deviation) {
            (CalibrationStatus::Submitted, Some(d)) => format!("{d:+.2}"),
            (CalibrationStatus::Submitted, None) => "–".into(),
            _ => "pending".into(),
        };
        row.push(Span::styled(format!("{dev:>9}"), name_style));
        out.push(Line::from(row));
    }
    let mut means = vec![Span::styled(
        format!(" {:<name_w$}", "mean / spread"),
        theme.dim,
    )];
    for it in &items {
        let m = it
            .mean
            .map(|m| format!("{m:.1}"))
            .unwrap_or_else(|| "–".into());
        let sp = it
            .spread
            .map(|s| s.to_string())
            .unwrap_or_else(|| "–".into());
        means.push(Span::styled(
            format!("{:>cell$}", format!("{m}/{sp}")),
            theme.dim,
        ));
    }
    out.push(Line::from(means));
    out.push(Line::from(Span::styled(
        "  ▲ half a point or more above the item's mean · ▼ below · blank: within",
        theme.dim,
    )));
    out.push(Line::from(""));
    out.extend(reliability_lines(&res.reliability, theme));
    out.push(Line::from(""));
    // Items, flagged first, with the discussion.
    out.push(Line::from(Span::styled(
        " Items and discussion",
        theme.title,
    )));
    for (i, it) in items.iter().enumerate() {
        let reasons: Vec<&str> = it
            .flag_reasons
            .iter()
            .map(|r| match r {
                takes_api::FlagReason::Spread => "spread ≥ 2",
                takes_api::FlagReason::PassLine => "split on the pass line",
            })
            .collect();
        let flag = if it.flagged {
            format!("⚑ {} · ", reasons.join(", "))
        } else {
            String::new()
        };
        let mark = if i == selected { "▶" } else { " " };
        out.push(Line::from(vec![
            Span::styled(
                format!("{mark}#{} {} ", it.position, it.competency),
                if i == selected {
                    theme.cue_current
                } else if it.flagged {
                    theme.warning
                } else {
                    theme.text
                },
            ),
            Span::styled(
                format!(
                    "{flag}mean {} spread {}",
                    it.mean
                        .map(|m| format!("{m:.2}"))
                        .unwrap_or_else(|| "–".into()),
                    it.spread
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "–".into())
                ),
                theme.dim,
            ),
        ]));
        out.push(Line::from(Span::styled(
            format!("   {}", fit(&it.prompt, w.saturating_sub(4))),
            theme.dim,
        )));
        for s in it.scores.iter().filter(|s| s.note.is_some()) {
            if let Some(n) = &s.note {
                out.push(Line::from(Span::styled(
                    format!("   {} ({}): {}", s.name, s.rating, n.replace('\n', " ")),
                    theme.text,
                )));
            }
        }
        for n in &it.notes {
            out.push(Line::from(Span::styled(
                format!("   💬 {}: {}", n.author_name, n.text.replace('\n', " ")),
                theme.text,
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_their_thresholds() {
        assert_eq!(alpha_band(0.8), "reliable");
        assert_eq!(alpha_band(0.799), "tentative");
        assert_eq!(alpha_band(0.667), "tentative");
        assert_eq!(alpha_band(0.5), "unreliable");
        assert_eq!(icc_band(0.49), "poor");
        assert_eq!(icc_band(0.5), "moderate");
        assert_eq!(icc_band(0.75), "good");
        assert_eq!(icc_band(0.9), "good");
        assert_eq!(icc_band(0.91), "excellent");
    }

    #[test]
    fn lock_says_what_is_missing() {
        let p = CalibrationProgress {
            scored: 3,
            items: 5,
            submitted: false,
        };
        assert!(lock_text(&p).starts_with("3 of 5 items scored"));
        let p = CalibrationProgress {
            scored: 5,
            items: 5,
            submitted: false,
        };
        assert_eq!(lock_text(&p), "5 of 5 items scored; submit to unlock");
    }
}
