//! The help overlay, generated from the active keymap so it is never out of
//! date (user overrides included).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{centered, dialog};
use crate::app::state::{App, Screen};
use crate::config::{Scope, Theme};

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let scope = app.scope();
    let title = match app.screen {
        Screen::Queue => "Queue",
        Screen::Review => "Review",
        Screen::Panel => "Panel",
        Screen::Calibration => "Calibration",
        Screen::CalibrationResults => "Calibration results",
    };
    let mut out = vec![Line::from(Span::styled(
        format!("{title} keys"),
        theme.title,
    ))];
    let mut rows = app.keymap.help_rows(scope);
    if app.calibrating().is_some() {
        // The results key of the calibration screens works while scoring.
        let keys = app.keymap.keys_for(
            Scope::Calibration,
            crate::config::Command::CalibrationResults,
        );
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
                theme.hint_key.patch(super::bg_of(theme.dialog)),
            ),
            Span::styled(d, theme.dialog),
        ]));
    }
    let modal: &[(&str, &str)] = match app.screen {
        Screen::Queue => &[
            ("Enter", "keep the filter (while typing one)"),
            ("Esc", "cancel the filter"),
        ],
        Screen::Review => &[
            ("Esc", "leave the note editor (saves the note)"),
            ("y", "confirm a submit; any other key cancels"),
            ("a r h", "decision dialog: advance / reject / hold"),
        ],
        Screen::Panel => &[("a r h", "decision dialog: advance / reject / hold")],
        Screen::Calibration | Screen::CalibrationResults => &[],
    };
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "In editors and dialogs",
        theme.title,
    )));
    for (k, d) in modal {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {k:>kw$}  "),
                theme.hint_key.patch(super::bg_of(theme.dialog)),
            ),
            Span::styled(d.to_string(), theme.dialog),
        ]));
    }
    if scope != Scope::Global {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            "Bindings come from keymaps/default.toml and your keymap.toml.",
            theme.dim.patch(super::bg_of(theme.dialog)),
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
    let inner = dialog(f, r, "Help — ? or Esc closes, j/k scroll", theme);
    let max_scroll = content.len().saturating_sub(inner.height as usize);
    let visible: Vec<Line> = content.into_iter().skip(scroll.min(max_scroll)).collect();
    f.render_widget(Paragraph::new(visible).style(theme.dialog), inner);
}
