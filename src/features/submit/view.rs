//! The submit confirmation dialog.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::App;
use crate::config::{Command, Scope, Theme};
use crate::screens::widgets::{bg_of, centered, dialog};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(d) = app.review().and_then(|r| r.detail.as_ref()) else {
        return;
    };
    let confirm = app.key_name(Scope::Dialog, Command::Confirm);
    let r = centered(area, 60, 7);
    let inner = dialog(f, r, "Submit", theme);
    let lines = vec![
        Line::from(Span::styled(
            format!(
                " Submit {} scores for {}?",
                d.questions.len(),
                d.candidate.display_name
            ),
            theme.dialog,
        )),
        Line::from(Span::styled(
            " They are locked afterwards, and the panel opens.",
            theme.dim.patch(bg_of(theme.dialog)),
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(
                format!(" {confirm} "),
                theme.hint_key.patch(bg_of(theme.dialog)),
            ),
            Span::styled(" submit    any other key: cancel", theme.dialog),
        ]),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.dialog)
            .wrap(Wrap { trim: false }),
        inner,
    );
}
