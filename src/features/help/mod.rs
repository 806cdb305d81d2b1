//! The `?` help overlay and the start-up problems overlay. The help is
//! generated from the keymap and the features' command lists (see
//! [`view`]); its own keys are the keymap's `[dialog]` layer.

pub mod view;

use crossterm::event::KeyEvent;

use crate::app::effect::Effect;
use crate::app::state::{App, Overlay};
use crate::config::{Command, Key, Scope};

pub fn open(app: &mut App) -> Vec<Effect> {
    app.overlay = Some(Overlay::Help { scroll: 0 });
    vec![]
}

pub fn on_key(app: &mut App, scroll: usize, k: &KeyEvent) -> Vec<Effect> {
    match app.keymap.lookup(Scope::Dialog, Key::from_event(k)) {
        Some(Command::Down) => app.overlay = Some(Overlay::Help { scroll: scroll + 1 }),
        Some(Command::Up) => {
            app.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_sub(1),
            })
        }
        Some(Command::Help | Command::Close | Command::Back | Command::Accept) => {
            app.overlay = None
        }
        _ => {}
    }
    vec![]
}

/// Any key closes the problems overlay.
pub fn on_problems_key(app: &mut App) -> Vec<Effect> {
    app.overlay = None;
    vec![]
}
