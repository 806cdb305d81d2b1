//! The list of calibration sessions: progress, who submitted, and the
//! results' alpha once visible.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::CalibrationStatus;

use crate::app::state::App;
use crate::config::Theme;
use crate::features::calibration_results::view::{alpha_band, frame};
use crate::screens::widgets::fit;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.calibration;
    let inner = frame(f, area, " Calibration sessions ".into(), theme);
    if c.sessions.is_empty() {
        let (msg, style) = match (&c.error, c.loading) {
            (Some(e), _) => (format!("Could not load the sessions: {e}"), theme.error),
            (None, true) => ("Loading calibration sessions…".into(), theme.dim),
            (None, false) => ("You take part in no calibration session.".into(), theme.dim),
        };
        f.render_widget(
            Paragraph::new(msg).style(style).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let w = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        fit(
            " Everyone scores the same sample responses independently, then compares.",
            w,
        ),
        theme.dim,
    ))];
    for (i, s) in c.sessions.iter().enumerate() {
        let status = match s.my_status {
            Some(CalibrationStatus::Submitted) => "submitted",
            Some(CalibrationStatus::InProgress) => "in progress",
            Some(CalibrationStatus::Pending) => "to score",
            None => "observer",
        };
        let results = if s.results_visible {
            match s.alpha_ordinal {
                Some(a) => format!("results: α {a:.3} {}", alpha_band(a)),
                None => "results open".into(),
            }
        } else {
            "results locked".into()
        };
        let text = format!(
            " {} · {}/{} scored · {} · {}/{} submitted · {}{}",
            s.title,
            s.my_scored_count,
            s.item_count,
            status,
            s.submitted_count,
            s.participant_count,
            results,
            if s.closed { " · closed" } else { "" }
        );
        let style = if i == c.selected {
            theme.selection
        } else {
            theme.text
        };
        lines.push(Line::from(Span::styled(
            format!("{:<w$}", fit(&text, w)),
            style,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
