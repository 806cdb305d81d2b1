//! The calibration sessions the caller takes part in: open, move, reload.

pub mod state;
pub mod view;

use takes_api::CalibrationPage;

use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Screen};
use crate::client::ClientError;
use crate::config::{Command, Scope};

pub fn hints() -> Vec<Hint> {
    let s = Scope::Calibration;
    vec![
        Hint::new(s, Command::Open, "score"),
        Hint::new(s, Command::Down, "move"),
        Hint::new(s, Command::CalibrationResults, "results"),
        Hint::new(s, Command::Refresh, "reload"),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "queue"),
    ]
}

/// Shows the list and (re)loads it.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Calibration;
    app.calibration.loading = true;
    vec![Effect::FetchCalibrations]
}

pub fn on_loaded(app: &mut App, result: Result<CalibrationPage, ClientError>) -> Vec<Effect> {
    let c = &mut app.calibration;
    c.loading = false;
    match result {
        Ok(page) => {
            c.sessions = page.items;
            c.selected = c.selected.min(c.sessions.len().saturating_sub(1));
            c.error = None;
        }
        Err(e) => {
            c.error = Some(e.to_string());
            app.request_failed("Loading calibration sessions failed", &e);
        }
    }
    vec![]
}

/// The list's own keys (opening a session is a move:
/// [`crate::app::navigate`]).
pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let c = &mut app.calibration;
    let len = c.sessions.len();
    match cmd {
        Command::Down => c.selected = (c.selected + 1).min(len.saturating_sub(1)),
        Command::Up => c.selected = c.selected.saturating_sub(1),
        Command::Refresh => return open(app),
        _ => {}
    }
    vec![]
}
