//! The panel: opened after submitting; scrolls and reloads.

pub mod state;
pub mod view;

use takes_api::Panel;

use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Screen};
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::PanelState;

pub fn hints(app: &App) -> Vec<Hint> {
    let s = Scope::Panel;
    vec![
        Hint::new(s, Command::NextAssignment, "next assignment"),
        Hint::new(s, Command::Decision, "decide").when(app.can_decide()),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "queue"),
    ]
}

pub fn modal_hints() -> Vec<Hint> {
    super::decision::modal_hints()
}

pub fn open(app: &mut App, id: String) -> Vec<Effect> {
    app.screen = Screen::Panel(Box::new(PanelState {
        assignment_id: id.clone(),
        panel: None,
        error: None,
        scroll: 0,
    }));
    vec![Effect::FetchPanel(id)]
}

pub fn on_loaded(
    app: &mut App,
    assignment_id: String,
    result: Result<Panel, ClientError>,
) -> Vec<Effect> {
    if let Some(p) = app
        .screen
        .panel_mut()
        .filter(|p| p.assignment_id == assignment_id)
    {
        match result {
            Ok(panel) => {
                p.panel = Some(panel);
                p.error = None;
            }
            Err(e) => p.error = Some(e.to_string()),
        }
    }
    vec![]
}

/// The panel's own keys (the decision and the next assignment are moves:
/// [`crate::app::navigate`]).
pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(p) = app.screen.panel_mut() else {
        return vec![];
    };
    match cmd {
        Command::Down => p.scroll += 1,
        Command::Up => p.scroll = p.scroll.saturating_sub(1),
        Command::Refresh => return vec![Effect::FetchPanel(p.assignment_id.clone())],
        _ => {}
    }
    vec![]
}
