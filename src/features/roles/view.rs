//! The role browser's two screens: the list of roles and one role (its
//! text from [`super::detail`], scrolled).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::roles::RoleSummary;
use unicode_width::UnicodeWidthStr;

use super::detail::{self, Tone, VersionKeys};
use super::state::RoleState;
use crate::app::state::App;
use crate::config::{Command, Scope, Theme};
use crate::features::calibration_results::view::frame;
use crate::screens::widgets::fit;

/// Width and height of a role's text for a terminal of `w`x`h` (header,
/// hint bar, border and margin take the rest).
pub fn text_size(w: u16, h: u16) -> (usize, usize) {
    (
        (w as usize).saturating_sub(3),
        (h as usize).saturating_sub(4),
    )
}

/// The frame's inside less a one-column left margin.
fn margin(inner: Rect) -> Rect {
    if inner.width < 2 {
        return inner;
    }
    Rect {
        x: inner.x + 1,
        width: inner.width - 1,
        ..inner
    }
}

pub fn version_keys(app: &App) -> VersionKeys {
    VersionKeys {
        older: app.key_name(Scope::Roles, Command::OlderVersion),
        newer: app.key_name(Scope::Roles, Command::NewerVersion),
    }
}

fn style(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Heading => theme.title,
        Tone::Text => theme.text,
        Tone::Dim => theme.dim,
        Tone::Question => theme.info,
        Tone::AnchorScore => theme.anchor_score,
        Tone::Anchor => theme.anchor,
        Tone::Warn => theme.warning,
        Tone::Mark => theme.ok,
    }
}

/// A message in place of the content (loading, empty, an error).
fn message(f: &mut Frame, area: Rect, text: String, style: Style) {
    f.render_widget(
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
        area,
    );
}

/// `s` cut or padded to exactly `w` columns.
fn cell(s: &str, w: usize) -> String {
    let s = fit(s, w);
    let pad = w.saturating_sub(s.width());
    format!("{s}{}", " ".repeat(pad))
}

/// Column widths: title, department, key; the numbers take what they need.
fn columns(w: usize) -> [usize; 3] {
    let rest = w.saturating_sub(NUMBERS_W);
    [
        rest * 45 / 100,
        rest * 25 / 100,
        rest - rest * 45 / 100 - rest * 25 / 100,
    ]
}

/// Version, questions, interviews in flight, archived.
const NUMBER_COLS: [usize; 4] = [5, 13, 13, 9];
const NUMBERS_W: usize = 5 + 13 + 13 + 9;

fn line(cols: [usize; 3], cells: [&str; 7]) -> String {
    let widths = [
        cols[0],
        cols[1],
        cols[2],
        NUMBER_COLS[0],
        NUMBER_COLS[1],
        NUMBER_COLS[2],
        NUMBER_COLS[3],
    ];
    cells
        .iter()
        .zip(widths)
        .map(|(c, w)| cell(&format!(" {c}"), w))
        .collect()
}

fn row_text(cols: [usize; 3], r: &RoleSummary) -> String {
    let version = r
        .question_set_version
        .map(|v| format!("v{v}"))
        .unwrap_or_else(|| "—".into());
    line(
        cols,
        [
            &r.title,
            &r.department,
            r.key.as_deref().unwrap_or("—"),
            &version,
            &format!("{} questions", r.question_count),
            &format!("{} in flight", r.interviews_in_flight),
            if r.archived { "archived" } else { "" },
        ],
    )
}

pub fn draw_list(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let r = &app.roles;
    let title = if r.loading && !r.roles.is_empty() {
        " Roles (reloading…) ".to_string()
    } else {
        format!(" Roles ({}) ", r.roles.len())
    };
    let inner = frame(f, area, title, theme);
    if let Some(e) = &r.error {
        message(f, inner, e.clone(), theme.error);
        return;
    }
    if r.roles.is_empty() {
        let (text, style) = if r.loading {
            ("Loading the roles…", theme.dim)
        } else {
            (
                "No roles yet: an admin defines them with `takes process apply`.",
                theme.dim,
            )
        };
        message(f, inner, text.into(), style);
        return;
    }
    let w = inner.width as usize;
    let cols = columns(w);
    let head = line(
        cols,
        [
            "Title",
            "Department",
            "Key",
            "Ver",
            "Questions",
            "Interviews",
            "",
        ],
    );
    let mut lines = vec![Line::from(Span::styled(fit(&head, w), theme.dim))];
    let rows = (inner.height as usize).saturating_sub(1);
    let offset = (r.selected + 1).saturating_sub(rows.max(1));
    for (i, role) in r.roles.iter().enumerate().skip(offset).take(rows) {
        let style = if i == r.selected {
            theme.selection
        } else if role.archived {
            theme.dim
        } else {
            theme.text
        };
        lines.push(Line::from(Span::styled(
            cell(&row_text(cols, role), w),
            style,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn draw_role(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(r) = app.screen.role() else {
        return;
    };
    let inner = margin(frame(f, area, format!(" Role — {} ", r.title), theme));
    let Some(d) = &r.detail else {
        let (text, style) = match &r.error {
            Some(e) => (e.clone(), theme.error),
            None => ("Loading the role…".into(), theme.dim),
        };
        message(f, inner, text, style);
        return;
    };
    let mut lines = Vec::new();
    if let Some(e) = &r.error {
        // A failed reload: what is shown is the last good copy.
        lines.push(Line::from(Span::styled(e.clone(), theme.error)));
    }
    let rows = detail::rows(d, r.version, inner.width as usize, &version_keys(app));
    let max = rows.len().saturating_sub(inner.height as usize);
    lines.extend(scrolled(r, rows, max, theme));
    f.render_widget(Paragraph::new(lines), inner);
}

fn scrolled(
    r: &RoleState,
    rows: Vec<detail::Row>,
    max: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    rows.into_iter()
        .skip(r.scroll.min(max))
        .map(|row| {
            Line::from(
                row.into_iter()
                    .map(|(t, tone)| Span::styled(t, style(tone, theme)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}
