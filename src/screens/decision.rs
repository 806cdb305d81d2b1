//! Dialogs: the recruiter's decision (advance, reject, hold — confirmed
//! before it is sent), the submit confirmation, and start-up problems.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::DecisionAction;

use super::{bg_of, centered, dialog};
use crate::app::state::{App, DecisionDialog, DecisionStage};
use crate::config::Theme;

pub fn draw(f: &mut Frame, area: Rect, d: &DecisionDialog, theme: &Theme) {
    let r = centered(area, 64, 14);
    let inner = dialog(f, r, &format!("Decision — {}", d.candidate), theme);
    let mut lines = Vec::new();
    let opts = [
        (DecisionAction::Advance, "a", "Advance to the next stage"),
        (DecisionAction::Reject, "r", "Reject"),
        (DecisionAction::Hold, "h", "Hold"),
    ];
    for (act, key, label) in opts {
        let chosen = d.choice == act;
        let style = if chosen {
            theme.selection
        } else {
            theme.dialog
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {key} "),
                theme.hint_key.patch(bg_of(theme.dialog)),
            ),
            Span::styled(
                format!(" {} {label}", if chosen { "▶" } else { " " }),
                style,
            ),
        ]));
    }
    lines.push(Line::from(""));
    let reason_style = if d.stage == DecisionStage::Reason {
        theme.input.patch(bg_of(theme.dialog))
    } else {
        theme.dialog
    };
    let cursor = if d.stage == DecisionStage::Reason {
        "▏"
    } else {
        ""
    };
    lines.push(Line::from(vec![
        Span::styled(" Reason (optional): ", theme.dialog),
        Span::styled(format!("{}{cursor}", d.reason.text), reason_style),
    ]));
    lines.push(Line::from(""));
    let prompt = match d.stage {
        DecisionStage::Choose => "a / r / h or j/k + Enter to choose · Esc cancels".to_string(),
        DecisionStage::Reason => "Type a reason, Enter to continue · Esc goes back".to_string(),
        DecisionStage::Confirm => format!(
            "Send \"{}\" for {}? y sends · n goes back",
            d.choice.as_str(),
            d.candidate
        ),
        DecisionStage::Sending => "Sending…".to_string(),
    };
    let style = if d.stage == DecisionStage::Confirm {
        theme.warning.patch(bg_of(theme.dialog))
    } else {
        theme.dim.patch(bg_of(theme.dialog))
    };
    lines.push(Line::from(Span::styled(format!(" {prompt}"), style)));
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(
            format!(" {e}"),
            theme.error.patch(bg_of(theme.dialog)),
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.dialog)
            .wrap(Wrap { trim: false }),
        inner,
    );
}

pub fn draw_confirm_submit(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(d) = app.review.as_ref().and_then(|r| r.detail.as_ref()) else {
        return;
    };
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
            Span::styled(" y ", theme.hint_key.patch(bg_of(theme.dialog))),
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
