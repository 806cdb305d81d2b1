//! One calibration session's results: opening them (a lock with what is
//! missing until the caller submitted), scrolling, picking the item a
//! discussion note goes to. Writing the note: [`discussion`].

pub mod discussion;
pub mod state;
pub mod view;

use takes_api::{CalibrationResults, CalibrationStatus};

use super::editor::TextInput;
use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Screen, ScreenKind};
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::{ordered_items, CalibrationProgress, ResultsState};

pub fn hints(app: &App) -> Vec<Hint> {
    if app.results().is_some_and(|r| r.editor.is_some()) {
        return discussion::hints();
    }
    let s = Scope::Calibration;
    vec![
        Hint::new(s, Command::Down, "scroll"),
        Hint::new(s, Command::Refresh, "reload"),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "back"),
    ]
}

/// The help's "in editors and dialogs" rows for the results.
pub fn modal_hints() -> Vec<Hint> {
    vec![Hint::new(
        Scope::Editor,
        Command::Leave,
        "send the discussion note (empty: nothing)",
    )]
}

/// The results of the session being scored, or of the one selected in the
/// list. Before the caller submitted they show as a lock with what is
/// still missing; the server is asked anyway (it decides).
pub fn open(app: &mut App) -> Vec<Effect> {
    let (id, title, progress) = match app.screen.kind() {
        ScreenKind::Review => {
            let Some(s) = app.calibrating() else {
                return vec![];
            };
            (s.id.clone(), s.title.clone(), app.calibration_progress())
        }
        ScreenKind::Calibration => {
            let Some(s) = app.calibration.selected_session() else {
                app.info("No calibration session selected");
                return vec![];
            };
            let progress = CalibrationProgress {
                scored: s.my_scored_count.max(0) as usize,
                items: s.item_count.max(0) as usize,
                submitted: s.my_status == Some(CalibrationStatus::Submitted),
            };
            (s.id.clone(), s.title.clone(), Some(progress))
        }
        ScreenKind::CalibrationResults => {
            return match app.results() {
                Some(r) => vec![Effect::FetchCalibrationResults(r.session_id.clone())],
                None => vec![],
            }
        }
        _ => return vec![],
    };
    let results = Box::new(ResultsState {
        session_id: id.clone(),
        title,
        results: None,
        locked: None,
        error: None,
        progress,
        scroll: 0,
        item: 0,
        editor: None,
        sending: false,
    });
    // Opened while scoring the session: the review stays underneath.
    let review = match std::mem::replace(&mut app.screen, Screen::Queue) {
        Screen::Review(r) => Some(r),
        _ => None,
    };
    app.screen = Screen::CalibrationResults { results, review };
    vec![Effect::FetchCalibrationResults(id)]
}

pub fn on_loaded(
    app: &mut App,
    id: String,
    result: Result<CalibrationResults, ClientError>,
) -> Vec<Effect> {
    if let Some(rs) = app.screen.results_mut().filter(|r| r.session_id == id) {
        match result {
            Ok(res) => {
                rs.title = res.title.clone();
                rs.results = Some(res);
                rs.locked = None;
                rs.error = None;
            }
            Err(ClientError::Forbidden(d)) => {
                rs.results = None;
                rs.locked = Some(d);
            }
            Err(e) => rs.error = Some(e.to_string()),
        }
    }
    vec![]
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(r) = app.screen.results_mut() else {
        return vec![];
    };
    let items = r.results.as_ref().map(|x| x.items.len()).unwrap_or(0);
    match cmd {
        Command::NextQuestion if items > 0 => r.item = (r.item + 1) % items,
        Command::PrevQuestion if items > 0 => r.item = (r.item + items - 1) % items,
        Command::Note => {
            if items == 0 {
                app.warn("Discussion notes are written once the results are visible");
                return vec![];
            }
            r.editor = Some(TextInput::default());
            // Named as the screen lists it (#position), not by list index.
            let label = r
                .results
                .as_ref()
                .and_then(|x| {
                    ordered_items(x)
                        .get(r.item)
                        .map(|i| format!("#{}", i.position))
                })
                .unwrap_or_default();
            let leave = app.key_name(Scope::Editor, Command::Leave);
            app.info(format!(
                "Discussion note on {label} — {leave} sends it (empty: nothing)"
            ));
        }
        Command::Down => r.scroll += 1,
        Command::Up => r.scroll = r.scroll.saturating_sub(1),
        Command::PageDown => r.scroll += 10,
        Command::PageUp => r.scroll = r.scroll.saturating_sub(10),
        Command::Top => r.scroll = 0,
        Command::Refresh => {
            return vec![Effect::FetchCalibrationResults(r.session_id.clone())];
        }
        _ => {}
    }
    vec![]
}
