//! Every move between screens, with its guard: `back`, opening a queue row
//! or a calibration session, the panel, the decision dialog, the next
//! assignment, calibration results. Features stay within their screen and
//! never call each other sideways; the moves are here.

use super::effect::Effect;
use super::state::{App, Screen, ScreenKind};
use crate::config::Command;
use crate::features::{
    board, calibration_list, calibration_results, decision, insights, panel, queue, review, roles,
};

/// Runs `cmd` if it moves between screens here; `None` otherwise.
pub fn command(app: &mut App, cmd: Command) -> Option<Vec<Effect>> {
    let calibrating = app.calibrating().is_some();
    let fx = match (app.screen.kind(), cmd) {
        (_, Command::Back) => back(app),
        (_, Command::CalibrationResults) => calibration_results::open(app),
        (ScreenKind::Queue, Command::Open) => match app.queue.selected_item().cloned() {
            Some(item) => review::open_assignment(app, item.id.clone(), Some(item)),
            None => vec![],
        },
        (ScreenKind::Queue, Command::Calibration) => calibration_list::open(app),
        (ScreenKind::Queue, Command::Roles) => roles::open(app),
        (ScreenKind::Roles, Command::Open) => roles::open_selected(app),
        (ScreenKind::Queue, Command::Board) => board::open(app),
        (ScreenKind::Queue, Command::Insights) => insights::open(app),
        (ScreenKind::Calibration, Command::Open) => match app.calibration.selected_session() {
            Some(s) => {
                let id = s.id.clone();
                review::open_calibration_session(app, id)
            }
            None => vec![],
        },
        // While scoring calibration items the panel key shows the results.
        (ScreenKind::Review, Command::Panel) if calibrating => calibration_results::open(app),
        (ScreenKind::Review, Command::Panel) => open_panel(app),
        (ScreenKind::Review | ScreenKind::Panel, Command::Decision) if !calibrating => {
            decision::open(app)
        }
        (ScreenKind::Review | ScreenKind::Panel, Command::NextAssignment) if !calibrating => {
            next_assignment(app)
        }
        _ => return None,
    };
    Some(fx)
}

/// `back`: one screen up; quits from the queue.
pub fn back(app: &mut App) -> Vec<Effect> {
    match std::mem::replace(&mut app.screen, Screen::Queue) {
        Screen::Queue => queue::back(app),
        Screen::CalibrationResults { review, .. } => {
            app.screen = match review {
                Some(r) => Screen::Review(r),
                None => Screen::Calibration,
            };
            vec![]
        }
        Screen::Calibration | Screen::Roles | Screen::Insights(_) => vec![],
        // The list is still loaded; it is not fetched again.
        Screen::Role(_) => {
            app.screen = Screen::Roles;
            vec![]
        }
        Screen::Board => {
            app.screen = Screen::Board;
            board::back(app)
        }
        Screen::Review(r) if r.calibration.is_some() => calibration_list::open(app),
        Screen::Review(_) | Screen::Panel(_) => {
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
    let Some(r) = app.review() else {
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
            review::open_assignment(app, item.id.clone(), Some(item))
        }
        None => {
            app.ok("No more open assignments in your queue");
            vec![]
        }
    }
}
