//! Every move between screens, with its guard: `back`, opening a queue row
//! or a calibration session, the panel, the decision dialog, the next
//! assignment, calibration results. Features stay within their screen and
//! never call each other sideways; the moves are here.

use super::effect::Effect;
use super::state::{App, Screen};
use crate::config::Command;
use crate::features::{calibration_list, calibration_results, decision, panel, queue, review};

/// Runs `cmd` if it moves between screens here; `None` otherwise.
pub fn command(app: &mut App, cmd: Command) -> Option<Vec<Effect>> {
    let calibrating = app.calibrating().is_some();
    let fx = match (app.screen, cmd) {
        (_, Command::Back) => back(app),
        (_, Command::CalibrationResults) => calibration_results::open(app),
        (Screen::Queue, Command::Open) => match app.queue.selected_item().cloned() {
            Some(item) => review::open_assignment(app, item.id.clone(), Some(item)),
            None => vec![],
        },
        (Screen::Queue, Command::Calibration) => calibration_list::open(app),
        (Screen::Calibration, Command::Open) => match app.calibration.selected_session() {
            Some(s) => {
                let id = s.id.clone();
                review::open_calibration_session(app, id)
            }
            None => vec![],
        },
        // While scoring calibration items the panel key shows the results.
        (Screen::Review, Command::Panel) if calibrating => calibration_results::open(app),
        (Screen::Review, Command::Panel) => open_panel(app),
        (Screen::Review | Screen::Panel, Command::Decision) if !calibrating => decision::open(app),
        (Screen::Review | Screen::Panel, Command::NextAssignment) if !calibrating => {
            next_assignment(app)
        }
        _ => return None,
    };
    Some(fx)
}

/// `back`: one screen up; quits from the queue.
pub fn back(app: &mut App) -> Vec<Effect> {
    match app.screen {
        Screen::Queue => queue::back(app),
        Screen::CalibrationResults => {
            app.results = None;
            app.screen = if app.review.is_some() {
                Screen::Review
            } else {
                Screen::Calibration
            };
            vec![]
        }
        Screen::Calibration => {
            app.screen = Screen::Queue;
            vec![]
        }
        Screen::Review if app.calibrating().is_some() => {
            app.review = None;
            calibration_list::open(app)
        }
        Screen::Review | Screen::Panel => {
            app.screen = Screen::Queue;
            app.review = None;
            app.panel = None;
            app.queue.recompute();
            if app.me.is_some() && !app.queue.loading {
                queue::refresh(app)
            } else {
                vec![]
            }
        }
    }
}

/// The panel opens only after the reviewer submitted (no anchoring).
fn open_panel(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review.as_ref() else {
        return vec![];
    };
    if !r.submitted() {
        app.warn("The panel opens after you submit your own scores (no anchoring)");
        return vec![];
    }
    let id = r.assignment_id.clone();
    panel::open(app, id)
}

fn next_assignment(app: &mut App) -> Vec<Effect> {
    match app.next_open_item() {
        Some(item) => {
            if let Some(pos) = app
                .queue
                .view
                .iter()
                .position(|i| app.queue.items[*i].id == item.id)
            {
                app.queue.selected = pos;
            }
            app.panel = None;
            review::open_assignment(app, item.id.clone(), Some(item))
        }
        None => {
            app.ok("No more open assignments in your queue");
            vec![]
        }
    }
}
