//! The note editor of the review screen: `note` opens it on the current
//! question, `leave` saves the note (journaled like a rating).

use crossterm::event::KeyEvent;

use super::rating::{current_score, record};
use crate::app::effect::Effect;
use crate::app::state::{App, ScoreView};
use crate::config::{Command, Scope};
use crate::features::editor::{self, Edit, TextInput};
use crate::features::Hint;

/// Notes are capped so a stuck key cannot grow the journal without end.
const MAX_CHARS: usize = 10_000;

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Scope::Editor, Command::Leave, "leave note (saves)"),
        Hint::new(Scope::Editor, Command::Newline, "new line"),
    ]
}

pub fn open(app: &mut App) {
    let Some(r) = app.review() else {
        return;
    };
    if r.detail.is_none() {
        return;
    }
    if r.submitted() {
        app.warn("This assignment is submitted; its notes are locked");
        return;
    }
    let note = current_score(app).and_then(|s| s.note).unwrap_or_default();
    if let Some(r) = app.screen.review_mut() {
        r.editor = Some(TextInput::new(&note));
    }
    let leave = app.key_name(Scope::Editor, Command::Leave);
    app.info(format!("Writing a note — {leave} leaves and saves"));
}

pub fn on_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let keymap = &app.keymap;
    let Some(ed) = app.screen.review_mut().and_then(|r| r.editor.as_mut()) else {
        return vec![];
    };
    match editor::edit(keymap, ed, k, MAX_CHARS) {
        Edit::Leave => close(app),
        Edit::Changed => vec![],
    }
}

fn close(app: &mut App) -> Vec<Effect> {
    let Some(ed) = app.screen.review_mut().and_then(|r| r.editor.take()) else {
        return vec![];
    };
    let Some(s) = current_score(app) else {
        return vec![];
    };
    let text = ed.text.trim_end().to_string();
    let note = (!text.trim().is_empty()).then_some(text);
    if note == s.note {
        app.info("Note unchanged");
        return vec![];
    }
    let rated = s.rating.is_some();
    let fx = record(app, ScoreView { note, ..s });
    if !fx.is_empty() {
        if rated {
            app.info("Note saved");
        } else {
            app.info("Note saved locally; it is sent with the rating");
        }
    }
    fx
}
