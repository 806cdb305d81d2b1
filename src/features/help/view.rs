//! The help overlay, generated from the active keymap and the features'
//! command lists so it is never out of date (user overrides included); and
//! the start-up problems overlay.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{App, ScreenKind};
use crate::config::Command;
use crate::config::{Scope, Theme};
use crate::features::{board, calibration_results, panel, queue, review, shown};
use crate::screens::widgets::{bg_of, centered, dialog};

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let scope = app.scope();
    let title = match app.screen.kind() {
        ScreenKind::Queue => "Queue",
        ScreenKind::Review => "Review",
        ScreenKind::Panel => "Panel",
        ScreenKind::Calibration => "Calibration",
        ScreenKind::CalibrationResults => "Calibration results",
        ScreenKind::Roles => "Roles",
        ScreenKind::Role => "Role",
        ScreenKind::Board => "Triage board",
        ScreenKind::Insights => "Insights",
    };
    let mut out = vec![Line::from(Span::styled(
        format!("{title} keys"),
        theme.title,
    ))];
    let mut rows = app.keymap.help_rows(scope);
    if app.calibrating().is_some() {
        // The results key of the calibration screens works while scoring.
        let keys = app
            .keymap
            .keys_for(Scope::Calibration, Command::CalibrationResults);
        if !keys.is_empty() {
            let k: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            rows.push((
                k.join(" "),
                "Calibration results (locked until you submitted)".into(),
            ));
        }
    }
    let kw = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4)
        .min(18);
    for (k, d) in rows {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {k:>kw$}  "),
                theme.hint_key.patch(bg_of(theme.dialog)),
            ),
            Span::styled(d, theme.dialog),
        ]));
    }
    // The dialog and editor keys of this screen, from its features'
    // command lists, keys as bound now.
    let modal = match app.screen.kind() {
        ScreenKind::Queue => queue::modal_hints(),
        ScreenKind::Review => review::modal_hints(),
        ScreenKind::Panel => panel::modal_hints(),
        ScreenKind::CalibrationResults => calibration_results::modal_hints(),
        ScreenKind::Calibration | ScreenKind::Roles | ScreenKind::Role | ScreenKind::Insights => {
            Vec::new()
        }
        ScreenKind::Board => board::modal_hints(),
    };
    let modal = shown(&modal, &app.keymap);
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "In editors and dialogs",
        theme.title,
    )));
    for (k, d) in modal {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {k:>kw$}  "),
                theme.hint_key.patch(bg_of(theme.dialog)),
            ),
            Span::styled(d, theme.dialog),
        ]));
    }
    if scope != Scope::Global {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            "Bindings come from keymaps/default.toml and your keymap.toml.",
            theme.dim.patch(bg_of(theme.dialog)),
        )));
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let content = lines(app, theme);
    let w = (area.width * 8 / 10).clamp(30, 90);
    let h = (content.len() as u16 + 2)
        .min(area.height.saturating_sub(2))
        .max(3);
    let r = centered(area, w, h);
    let key = |c: Command| app.key_name(Scope::Dialog, c);
    let title = format!(
        "Help — {} or {} closes, {}/{} scroll",
        key(Command::Help),
        key(Command::Back),
        key(Command::Down),
        key(Command::Up)
    );
    let inner = dialog(f, r, &title, theme);
    let max_scroll = content.len().saturating_sub(inner.height as usize);
    let visible: Vec<Line> = content.into_iter().skip(scroll.min(max_scroll)).collect();
    f.render_widget(Paragraph::new(visible).style(theme.dialog), inner);
}

pub fn draw_problems(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let h = (app.problems.len() as u16 * 2 + 5).min(area.height);
    let r = centered(area, area.width.saturating_sub(4).min(110), h);
    let inner = dialog(
        f,
        r,
        "Problems in your files — the defaults are used instead",
        theme,
    );
    let mut lines: Vec<Line> = app
        .problems
        .iter()
        .map(|p| {
            Line::from(Span::styled(
                format!(" {p}"),
                theme.warning.patch(bg_of(theme.dialog)),
            ))
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Any key continues.",
        theme.dim.patch(bg_of(theme.dialog)),
    )));
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.dialog)
            .wrap(Wrap { trim: false }),
        inner,
    );
}
