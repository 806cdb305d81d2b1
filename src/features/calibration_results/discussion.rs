//! Writing a discussion note on the selected results item: `leave` sends
//! it; the editor keeps the text until the server has it.

use crossterm::event::KeyEvent;
use takes_api::CalibrationNote;

use super::state::ordered_items;
use crate::app::effect::Effect;
use crate::app::state::App;
use crate::client::ClientError;
use crate::config::{Command, Scope};
use crate::features::editor::{self, Edit};
use crate::features::Hint;

const MAX_CHARS: usize = 10_000;

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Scope::Editor, Command::Leave, "send note"),
        Hint::new(Scope::Editor, Command::Newline, "new line"),
    ]
}

pub fn on_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let keymap = &app.keymap;
    let Some(r) = app.screen.results_mut() else {
        return vec![];
    };
    if r.sending {
        return vec![];
    }
    let Some(ed) = r.editor.as_mut() else {
        return vec![];
    };
    if editor::edit(keymap, ed, k, MAX_CHARS) != Edit::Leave {
        return vec![];
    }
    let text = ed.text.trim().to_string();
    if text.is_empty() {
        r.editor = None;
        app.info("No note written");
        return vec![];
    }
    // `item` counts in the order the screen lists items (flagged first).
    let item_id = r
        .results
        .as_ref()
        .and_then(|x| ordered_items(x).get(r.item).map(|i| i.item_id.clone()));
    let Some(item_id) = item_id else {
        r.editor = None;
        return vec![];
    };
    r.sending = true;
    let session_id = r.session_id.clone();
    app.info("Sending the note…");
    vec![Effect::AddCalibrationNote {
        session_id,
        item_id,
        text,
    }]
}

pub fn on_note_added(
    app: &mut App,
    session_id: String,
    result: Result<CalibrationNote, ClientError>,
) -> Vec<Effect> {
    let Some(r) = app
        .screen
        .results_mut()
        .filter(|r| r.session_id == session_id)
    else {
        return vec![];
    };
    r.sending = false;
    match result {
        Ok(_) => {
            r.editor = None;
            app.ok("Note added to the discussion");
            vec![Effect::FetchCalibrationResults(session_id)]
        }
        Err(e) => {
            let leave = app.key_name(Scope::Editor, Command::Leave);
            app.request_failed(&format!("The note was not sent ({leave} tries again)"), &e);
            vec![]
        }
    }
}
