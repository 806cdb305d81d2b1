//! The board's score and date filter line, opened by its key: an empty
//! line clears the bounds; a line that does not parse names the value at
//! fault and changes nothing (the line stays open to be fixed).

use crossterm::event::KeyEvent;

use super::ranges::{parse, RangeInput, FORMS};
use crate::app::effect::Effect;
use crate::app::state::App;
use crate::config::Command;
use crate::features::editor::{self, typed};

/// The longest line accepted while typing.
const MAX_CHARS: usize = 120;

/// Opens the filter line with the bounds in force.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.board.range_input = Some(RangeInput {
        text: app.board.ranges.line(),
    });
    app.info(format!("Score and date filter: {FORMS}; empty clears"));
    vec![]
}

/// Keys while the filter line is open (the `[editor]` layer): `leave`
/// closes it unchanged, `newline` applies it. True when new bounds are in
/// force (the board then reloads).
pub fn on_key(app: &mut App, k: &KeyEvent) -> bool {
    let Some(input) = app.board.range_input.as_mut() else {
        return false;
    };
    match editor::command(&app.keymap, k) {
        Some(Command::Leave) => {
            app.board.range_input = None;
            app.info("Score and date filter unchanged");
            false
        }
        Some(Command::Newline) => match parse(&input.text) {
            Ok(r) => {
                let b = &mut app.board;
                b.range_input = None;
                b.ranges = r;
                b.selected = 0;
                b.clear_selection();
                if r.is_empty() {
                    app.info("Score and date filters cleared");
                } else {
                    app.info(format!("Filtered: {}", r.line()));
                }
                true
            }
            Err(e) => {
                app.warn(e);
                false
            }
        },
        Some(Command::DeleteBack) => {
            input.text.pop();
            false
        }
        Some(_) => false,
        None => {
            if let Some(c) = typed(k).filter(|_| input.text.chars().count() < MAX_CHARS) {
                input.text.push(c);
            }
            false
        }
    }
}
