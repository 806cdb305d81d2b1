//! The recruiter's decision dialog (advance, reject, hold — confirmed
//! before it is sent). The keys it names are looked up in the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::DecisionAction;

use super::state::{DecisionDialog, DecisionStage};
use crate::app::state::App;
use crate::config::{Command, Scope, Theme};
use crate::screens::widgets::{bg_of, centered, dialog};

pub fn draw(f: &mut Frame, area: Rect, app: &App, d: &DecisionDialog, theme: &Theme) {
    let key = |c: Command| app.key_name(Scope::Dialog, c);
    let r = centered(area, 64, 14);
    let inner = dialog(f, r, &format!("Decision — {}", d.candidate), theme);
    let mut lines = Vec::new();
    let opts = [
        (
            DecisionAction::Advance,
            key(Command::DecideAdvance),
            "Advance to the next stage",
        ),
        (DecisionAction::Reject, key(Command::DecideReject), "Reject"),
        (DecisionAction::Hold, key(Command::DecideHold), "Hold"),
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
        DecisionStage::Choose => format!(
            "{} / {} / {} or {}/{} + {} to choose · {} cancels",
            key(Command::DecideAdvance),
            key(Command::DecideReject),
            key(Command::DecideHold),
            key(Command::Down),
            key(Command::Up),
            key(Command::Accept),
            key(Command::Back)
        ),
        DecisionStage::Reason => format!(
            "Type a reason, {} to continue · {} goes back",
            key(Command::Accept),
            key(Command::Back)
        ),
        DecisionStage::Confirm => format!(
            "Send \"{}\" for {}? {} sends · {} goes back",
            d.choice.as_str(),
            d.candidate,
            key(Command::Confirm),
            key(Command::Deny)
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
