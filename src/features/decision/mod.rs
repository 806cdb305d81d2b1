//! The decision dialog (recruiters): choose advance / reject / hold, type
//! an optional reason, confirm, send. Its keys are the keymap's
//! `[dialog]` layer; the reason is typed with the `[editor]` keys.

pub mod state;
pub mod view;

use crossterm::event::KeyEvent;
use takes_api::{Decision, DecisionAction, DecisionRequest};

use super::editor::{self, typed};
use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Overlay, ScreenKind};
use crate::client::ClientError;
use crate::config::{Command, Key, Scope};
use state::{DecisionDialog, DecisionStage};

/// Reasons are short; the cap keeps a stuck key from growing one forever.
const MAX_REASON_CHARS: usize = 2000;

const CHOICES: [DecisionAction; 3] = [
    DecisionAction::Advance,
    DecisionAction::Reject,
    DecisionAction::Hold,
];

/// The command that picks each choice, in the order of [`CHOICES`].
pub const CHOICE_COMMANDS: [Command; 3] = [
    Command::DecideAdvance,
    Command::DecideReject,
    Command::DecideHold,
];

/// The hint bar while the dialog is open, per stage.
pub fn hints(d: &DecisionDialog) -> Vec<Hint> {
    let s = Scope::Dialog;
    match d.stage {
        DecisionStage::Choose => vec![
            Hint::group(s, &CHOICE_COMMANDS, "advance / reject / hold"),
            Hint::new(s, Command::Accept, "choose"),
            Hint::new(s, Command::Back, "cancel"),
        ],
        DecisionStage::Reason => vec![
            Hint::new(s, Command::Accept, "continue"),
            Hint::new(s, Command::Back, "back"),
        ],
        DecisionStage::Confirm => vec![
            Hint::new(s, Command::Confirm, "send"),
            Hint::new(s, Command::Deny, "back"),
        ],
        DecisionStage::Sending => vec![],
    }
}

/// The help's row for the dialog.
pub fn modal_hints() -> Vec<Hint> {
    vec![Hint::group(
        Scope::Dialog,
        &CHOICE_COMMANDS,
        "decision dialog: advance / reject / hold",
    )]
}

/// `decision`: opens the dialog for the candidate on screen.
pub fn open(app: &mut App) -> Vec<Effect> {
    if !app.can_decide() {
        app.warn("Decisions are made by recruiters");
        return vec![];
    }
    let (interview_id, candidate) = match app.screen.kind() {
        ScreenKind::Review => match app.review().and_then(|r| r.detail.as_ref()) {
            Some(d) => (d.interview_id.clone(), d.candidate.display_name.clone()),
            None => return vec![],
        },
        ScreenKind::Panel => match app.panel().and_then(|p| p.panel.as_ref()) {
            Some(p) => (p.interview_id.clone(), p.candidate.display_name.clone()),
            None => return vec![],
        },
        ScreenKind::Queue
        | ScreenKind::Calibration
        | ScreenKind::CalibrationResults
        | ScreenKind::Roles
        | ScreenKind::Role
        | ScreenKind::Board
        | ScreenKind::Insights => return vec![],
    };
    app.overlay = Some(Overlay::Decision(DecisionDialog {
        interview_id,
        candidate,
        choice: DecisionAction::Advance,
        reason: Default::default(),
        stage: DecisionStage::Choose,
        error: None,
    }));
    vec![]
}

pub fn on_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let cmd = app.keymap.lookup(Scope::Dialog, Key::from_event(k));
    let edit = editor::command(&app.keymap, k);
    let Some(Overlay::Decision(d)) = app.overlay.as_mut() else {
        return vec![];
    };
    let idx = CHOICES.iter().position(|c| *c == d.choice).unwrap_or(0);
    match d.stage {
        DecisionStage::Choose => match cmd {
            Some(Command::Back | Command::Close) => {
                app.overlay = None;
                app.info("Decision cancelled");
            }
            Some(Command::Down) => d.choice = CHOICES[(idx + 1) % 3],
            Some(Command::Up) => d.choice = CHOICES[(idx + 2) % 3],
            Some(c) if CHOICE_COMMANDS.contains(&c) => {
                let i = CHOICE_COMMANDS.iter().position(|x| *x == c).unwrap_or(0);
                d.choice = CHOICES[i];
                d.stage = DecisionStage::Reason;
            }
            Some(Command::Accept) => d.stage = DecisionStage::Reason,
            _ => {}
        },
        // Typing: only `back` and `accept` are commands, the rest is text.
        DecisionStage::Reason => match (cmd, edit) {
            (Some(Command::Back), _) => d.stage = DecisionStage::Choose,
            (Some(Command::Accept), _) => d.stage = DecisionStage::Confirm,
            (_, Some(Command::DeleteBack)) => d.reason.backspace(),
            (_, Some(Command::CursorLeft)) => d.reason.left(),
            (_, Some(Command::CursorRight)) => d.reason.right(),
            (_, Some(_)) => {}
            (_, None) => {
                if let Some(c) =
                    typed(k).filter(|_| d.reason.text.chars().count() < MAX_REASON_CHARS)
                {
                    d.reason.insert(c)
                }
            }
        },
        DecisionStage::Confirm => match cmd {
            Some(Command::Confirm) => {
                d.stage = DecisionStage::Sending;
                d.error = None;
                let reason = d.reason.text.trim().to_string();
                return vec![Effect::Decide {
                    interview_id: d.interview_id.clone(),
                    request: DecisionRequest {
                        action: d.choice,
                        reason: (!reason.is_empty()).then_some(reason),
                    },
                }];
            }
            Some(Command::Deny | Command::Back) => d.stage = DecisionStage::Reason,
            _ => {}
        },
        DecisionStage::Sending => {}
    }
    vec![]
}

pub fn on_decided(app: &mut App, result: Result<Decision, ClientError>) -> Vec<Effect> {
    match result {
        Ok(d) => {
            let name = match &app.overlay {
                Some(Overlay::Decision(dd)) => dd.candidate.clone(),
                _ => String::new(),
            };
            app.overlay = None;
            app.ok(format!("Decision recorded: {} {name}", d.action.as_str()));
        }
        Err(e) => {
            if let Some(Overlay::Decision(dd)) = app.overlay.as_mut() {
                dd.stage = DecisionStage::Confirm;
                dd.error = Some(e.to_string());
            }
            app.request_failed("Decision not recorded", &e);
        }
    }
    vec![]
}
