//! The board's decision dialog: one decision and reason for every selected
//! interview (or the one under the cursor), then one confirmation naming
//! the count and the candidates. Its keys are the `[dialog]` layer; the
//! reason is typed with the `[editor]` keys. A failed send keeps the
//! request's idempotency key, so confirming again records nothing twice.

use crossterm::event::KeyEvent;
use takes_api::board::{BoardStage, BulkDecisionRequest, BulkDecisionResult};
use takes_api::DecisionAction;

use super::state::{BoardState, BulkDialog, DialogStage};
use crate::app::effect::Effect;
use crate::app::state::App;
use crate::client::ClientError;
use crate::config::{Command, Key, Scope};
use crate::features::decision::CHOICE_COMMANDS;
use crate::features::editor::{self, typed};
use crate::features::Hint;

const MAX_REASON_CHARS: usize = 2000;

const CHOICES: [DecisionAction; 3] = [
    DecisionAction::Advance,
    DecisionAction::Reject,
    DecisionAction::Hold,
];

pub fn hints(b: &BoardState) -> Vec<Hint> {
    let s = Scope::Dialog;
    match b.dialog.as_ref().map(|d| d.stage) {
        Some(DialogStage::Choose) => vec![
            Hint::group(s, &CHOICE_COMMANDS, "advance / reject / hold"),
            Hint::new(s, Command::Accept, "choose"),
            Hint::new(s, Command::Back, "cancel"),
        ],
        Some(DialogStage::Reason) => vec![
            Hint::new(s, Command::Accept, "continue"),
            Hint::new(s, Command::Back, "back"),
        ],
        Some(DialogStage::Confirm) => vec![
            Hint::new(s, Command::Confirm, "send"),
            Hint::new(s, Command::Deny, "back"),
        ],
        Some(DialogStage::Sending) | None => vec![],
    }
}

/// `decision` on the board: the selection, else the cursor's row (or the
/// opened interview). Interviews already advanced or rejected are left
/// out, and said so.
pub fn open(app: &mut App) -> Vec<Effect> {
    let b = &app.board;
    let targets: Vec<_> = match &b.opened {
        Some(o) => b.items.iter().filter(|i| i.id == o.id).collect(),
        None => b.targets(),
    };
    let (open, closed): (Vec<_>, Vec<_>) = targets.into_iter().partition(|i| {
        i.stage != BoardStage::Decided
            || i.decision
                .as_ref()
                .is_some_and(|d| d.action == DecisionAction::Hold)
    });
    if open.is_empty() {
        if closed.is_empty() {
            app.warn("Nothing to decide here");
        } else {
            app.warn("Already decided: the selection has no undecided interview");
        }
        return vec![];
    }
    let skipped = closed.len();
    app.board.dialog = Some(BulkDialog {
        ids: open.iter().map(|i| i.id.clone()).collect(),
        names: open.iter().map(|i| i.candidate_name.clone()).collect(),
        choice: DecisionAction::Advance,
        reason: Default::default(),
        stage: DialogStage::Choose,
        error: None,
        key: uuid::Uuid::new_v4().to_string(),
    });
    if skipped > 0 {
        app.warn(format!("{skipped} already decided, left out"));
    }
    vec![]
}

pub fn on_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let cmd = app.keymap.lookup(Scope::Dialog, Key::from_event(k));
    let edit = editor::command(&app.keymap, k);
    let Some(d) = app.board.dialog.as_mut() else {
        return vec![];
    };
    let idx = CHOICES.iter().position(|c| *c == d.choice).unwrap_or(0);
    match d.stage {
        DialogStage::Choose => match cmd {
            Some(Command::Back | Command::Close) => {
                app.board.dialog = None;
                app.info("Decision cancelled");
            }
            Some(Command::Down) => d.choice = CHOICES[(idx + 1) % 3],
            Some(Command::Up) => d.choice = CHOICES[(idx + 2) % 3],
            Some(c) if CHOICE_COMMANDS.contains(&c) => {
                let i = CHOICE_COMMANDS.iter().position(|x| *x == c).unwrap_or(0);
                d.choice = CHOICES[i];
                d.stage = DialogStage::Reason;
            }
            Some(Command::Accept) => d.stage = DialogStage::Reason,
            _ => {}
        },
        DialogStage::Reason => match (cmd, edit) {
            (Some(Command::Back), _) => d.stage = DialogStage::Choose,
            (Some(Command::Accept), _) => d.stage = DialogStage::Confirm,
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
        DialogStage::Confirm => match cmd {
            Some(Command::Confirm) => {
                d.stage = DialogStage::Sending;
                d.error = None;
                let reason = d.reason.text.trim().to_string();
                return vec![Effect::DecideBulk {
                    request: BulkDecisionRequest {
                        interview_ids: d.ids.clone(),
                        action: d.choice,
                        reason: (!reason.is_empty()).then_some(reason),
                    },
                    key: d.key.clone(),
                }];
            }
            Some(Command::Deny | Command::Back) => d.stage = DialogStage::Reason,
            Some(Command::Close) => {
                app.board.dialog = None;
                app.info("Decision cancelled");
            }
            _ => {}
        },
        DialogStage::Sending => {}
    }
    vec![]
}

/// The answer to the bulk decision (the caller reloads the board).
pub fn on_decided(app: &mut App, result: Result<BulkDecisionResult, ClientError>) -> Vec<Effect> {
    match result {
        Ok(r) => {
            let n = r.decisions.len();
            let action = r
                .decisions
                .first()
                .map(|d| d.action.as_str())
                .unwrap_or("decided");
            app.board.dialog = None;
            app.board.clear_selection();
            app.ok(format!(
                "Decision recorded: {action} {n} candidate{}; their delivery to the ATS shows in their rows",
                if n == 1 { "" } else { "s" }
            ));
            match app.board.opened.as_ref() {
                Some(o) => vec![Effect::FetchBoardInterview(o.id.clone())],
                None => vec![],
            }
        }
        Err(e) => {
            if let Some(d) = app.board.dialog.as_mut() {
                d.stage = DialogStage::Confirm;
                d.error = Some(e.to_string());
            }
            app.request_failed("Decision not recorded", &e);
            vec![]
        }
    }
}
