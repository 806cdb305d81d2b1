//! The Insights screen: section tabs, the filters line, then the section's
//! charts (when there is room) above its text, which scrolls.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use ratatui::Frame;

use super::chart;
use super::state::{InsightsState, Tab};
use super::text;
use crate::app::state::App;
use crate::config::theme::ColorDepth;
use crate::config::Theme;
use crate::features::calibration_results::view::frame;

/// Lines the charts take above the text when the body is tall enough.
const CHART_H: u16 = 12;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(s) = app.screen.insights() else {
        return;
    };
    let title = if s.staff {
        " Insights ".to_string()
    } else {
        " My reviewing ".to_string()
    };
    let inner = frame(f, area, title, theme);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let [tabs, filters, body] = Layout::vertical([
        Constraint::Length(u16::from(s.staff)),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    if s.staff {
        draw_tabs(f, tabs, s, theme);
    }
    f.render_widget(Paragraph::new(filters_line(s, theme)), filters);
    let Some(data) = &s.data else {
        let msg = if s.loading {
            "Loading the figures…"
        } else {
            "No figures yet"
        };
        f.render_widget(Paragraph::new(msg).style(theme.dim), body);
        return;
    };
    let (charts, rest) = split_charts(s.tab, body);
    if let Some(charts) = charts {
        match s.tab {
            Tab::Funnel => {
                let [bars, weekly] =
                    Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                        .areas(charts);
                if let Ok(fr) = &data.funnel {
                    chart::funnel(f, bars, &fr.total, theme);
                }
                chart::weekly(f, weekly, data, app.now_ms, theme);
            }
            Tab::Scores => {
                if let Some(d) = data
                    .scores
                    .as_ref()
                    .ok()
                    .and_then(|r| r.by_question.get(s.question))
                {
                    chart::histogram(f, charts, d, theme);
                }
            }
            _ => {}
        }
    }
    let lines = text::lines(s.tab, data, s.question, rest.width as usize, theme);
    let top = clamp_scroll(s.scroll, lines.len(), rest.height as usize);
    f.render_widget(
        Paragraph::new(lines).scroll((top.min(u16::MAX as usize) as u16, 0)),
        rest,
    );
}

/// The chart area (if the section has charts and there is room) and the
/// text's.
fn split_charts(tab: Tab, body: Rect) -> (Option<Rect>, Rect) {
    match tab {
        Tab::Funnel if body.height >= CHART_H + 4 && body.width >= 40 => {
            let [c, r] =
                Layout::vertical([Constraint::Length(CHART_H), Constraint::Min(0)]).areas(body);
            (Some(c), r)
        }
        Tab::Scores if body.width >= 90 && body.height >= 6 => {
            let [r, c] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(36)]).areas(body);
            let c = Rect {
                height: c.height.min(CHART_H),
                ..c
            };
            (Some(c), r)
        }
        Tab::Scores if body.height >= CHART_H + 4 && body.width >= 20 => {
            let [c, r] =
                Layout::vertical([Constraint::Length(CHART_H), Constraint::Min(0)]).areas(body);
            (Some(c), r)
        }
        _ => (None, body),
    }
}

/// The first line shown: never past the point where the last line is at
/// the bottom.
pub fn clamp_scroll(scroll: usize, lines: usize, height: usize) -> usize {
    scroll.min(lines.saturating_sub(height))
}

fn draw_tabs(f: &mut Frame, area: Rect, s: &InsightsState, theme: &Theme) {
    // Each title, its padding and the divider.
    let width: usize = s.tabs().iter().map(|t| t.short().chars().count() + 3).sum();
    let name = if width <= area.width as usize + 2 {
        Tab::short
    } else {
        Tab::tiny
    };
    let titles: Vec<Line> = s.tabs().iter().map(|t| Line::from(name(*t))).collect();
    let selected = s.tabs().iter().position(|t| *t == s.tab).unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(selected)
            .style(theme.dim)
            .highlight_style(theme.selection)
            .padding("", " ")
            .divider("│ "),
        area,
    );
}

fn filters_line(s: &InsightsState, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    if s.staff {
        spans.push(Span::styled(
            format!(
                "Role: {} · Department: {} · ",
                s.role_label(),
                s.department_label()
            ),
            theme.text,
        ));
    }
    spans.push(Span::styled(
        format!("Period: {}", s.period.label()),
        theme.text,
    ));
    if s.loading {
        spans.push(Span::styled(" · loading…", theme.dim));
    }
    Line::from(spans)
}

/// The furthest the text scrolls in a `w`x`h` terminal: its last line at
/// the bottom of the text's area (the same layout as [`draw`]).
pub fn max_scroll(s: &InsightsState, w: u16, h: u16) -> usize {
    let Some(d) = &s.data else { return 0 };
    // Header, hint bar, the frame's borders, the tabs and the filters.
    let body = Rect::new(
        0,
        0,
        w.saturating_sub(2),
        h.saturating_sub(5 + u16::from(s.staff)),
    );
    let (_, rest) = split_charts(s.tab, body);
    let theme = Theme::builtin("dark", ColorDepth::None);
    let lines = text::lines(s.tab, d, s.question, rest.width as usize, &theme).len();
    lines.saturating_sub(rest.height as usize)
}
