//! The one update function: `(state, action) -> (state', effects)`. Pure
//! apart from fresh idempotency keys; all I/O is an [`Effect`]. A router:
//! each action goes to the feature it concerns, each key to the dialog or
//! editor that holds the keyboard, else to [`navigate`] or the screen's
//! feature.

use crossterm::event::{KeyEvent, KeyEventKind};
use takes_api::SheetKind;

use super::action::Action;
use super::effect::Effect;
use super::navigate;
use super::state::{App, Conn, Overlay, ScreenKind};
use crate::config::{Command, Key, Scope};
use crate::features::{
    board, calibration_list, calibration_results, decision, help, insights, panel, queue, review,
    roles, submit, sync,
};

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = apply(app, action);
    // Whatever changed the screen or the question, the player follows.
    fx.extend(review::playback::reconcile(app));
    fx
}

fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(k) => {
            if k.kind == KeyEventKind::Release {
                return vec![];
            }
            on_key(app, k)
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            vec![]
        }
        Action::Tick => queue::tick(app),
        Action::MeLoaded(Ok(me)) => {
            app.conn = Conn::Online;
            let user_id = me.id.clone();
            app.me = Some(me);
            let mut fx = vec![Effect::OpenJournal { user_id }];
            fx.extend(queue::refresh(app));
            fx
        }
        Action::MeLoaded(Err(e)) => {
            app.request_failed("Signing in failed", &e);
            vec![]
        }
        Action::QueueLoaded { gen, result } => queue::on_loaded(app, gen, result),
        Action::CountsLoaded(Ok(c)) => {
            app.queue.counts = Some(c);
            vec![]
        }
        Action::CountsLoaded(Err(_)) => vec![],
        Action::AssignmentLoaded { id, result } => review::on_assignment(app, id, result),
        Action::Player(ev) => review::playback::on_event(app, ev),
        Action::CalibrationNoteAdded { session_id, result } => {
            calibration_results::discussion::on_note_added(app, session_id, result)
        }
        Action::Prefetched { id, result } => match result {
            Ok(d) if d.id == id => review::playback::on_prefetched(app, d),
            // Only a head start: the assignment is fetched again on opening.
            _ => vec![],
        },
        Action::TranscriptLoaded {
            response_id,
            result,
        } => review::on_transcript(app, response_id, result),
        Action::Sync(ev) => sync::on_event(app, ev),
        Action::Submitted { sheet, result } => match sheet.kind {
            SheetKind::Assignment => submit::on_submitted(app, sheet.id, result),
            SheetKind::Calibration => submit::on_calibration_submitted(app, sheet.id, result),
        },
        Action::PanelLoaded {
            assignment_id,
            result,
        } => panel::on_loaded(app, assignment_id, result),
        Action::CalibrationsLoaded(result) => calibration_list::on_loaded(app, result),
        Action::CalibrationSessionLoaded { id, result } => {
            review::on_session_loaded(app, id, result)
        }
        Action::CalibrationResultsLoaded { id, result } => {
            calibration_results::on_loaded(app, id, result)
        }
        Action::Decided(result) => decision::on_decided(app, result),
        Action::RolesLoaded(result) => roles::on_list_loaded(app, result),
        Action::RoleLoaded { id, result } => roles::on_role_loaded(app, id, result),
        Action::BoardLoaded {
            gen,
            replace,
            result,
        } => board::on_loaded(app, gen, replace, result),
        Action::BoardInterviewLoaded { id, result } => board::on_interview(app, id, result),
        Action::BoardDecided(result) => board::on_decided(app, result),
        Action::BoardShared { id, result } => board::share::on_shared(app, id, result),
        Action::BoardPollDue(gen) => board::poll::on_due(app, gen),
        Action::BoardSyncLoaded { gen, result } => board::poll::on_loaded(app, gen, result),
        Action::BoardSyncRetried { id, result } => board::on_sync_retried(app, id, result),
        Action::BoardReminded { id, result } => board::on_reminded(app, id, result),
        Action::BoardReassigned { id, result } => board::on_reassigned(app, id, result),
        Action::InsightsLoaded { gen, data } => insights::on_loaded(app, gen, data),
    }
}

fn on_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    // Dialogs and editors first: they own the keyboard.
    match &app.overlay {
        Some(Overlay::Problems) => return help::on_problems_key(app),
        Some(Overlay::Help { scroll }) => {
            let scroll = *scroll;
            return help::on_key(app, scroll, &k);
        }
        Some(Overlay::ConfirmSubmit) => return submit::on_confirm_key(app, &k),
        Some(Overlay::Decision(_)) => return decision::on_key(app, &k),
        None => {}
    }
    match app.screen.kind() {
        ScreenKind::Queue if app.queue.editing.is_some() => return queue::on_filter_key(app, &k),
        ScreenKind::Board if app.board.share.is_some() => return board::share::on_key(app, &k),
        ScreenKind::Board if app.board.dialog.is_some() => return board::dialog::on_key(app, &k),
        ScreenKind::Board if app.board.picker.is_some() => return board::on_picker_key(app, &k),
        ScreenKind::Board if app.board.editing.is_some() => return board::on_filter_key(app, &k),
        ScreenKind::Board if app.board.range_input.is_some() => {
            return board::on_range_key(app, &k)
        }
        ScreenKind::Review if app.review().is_some_and(|r| r.editor.is_some()) => {
            return review::note::on_key(app, &k)
        }
        ScreenKind::CalibrationResults if app.results().is_some_and(|r| r.editor.is_some()) => {
            return calibration_results::discussion::on_key(app, &k)
        }
        _ => {}
    }
    let key = Key::from_event(&k);
    // Scoring a calibration session: the calibration screen's results key
    // works here too (the other review keys stay as they are).
    let calibration_cmd = app
        .calibrating()
        .and(app.keymap.lookup(Scope::Calibration, key))
        .filter(|c| *c == Command::CalibrationResults);
    let Some(cmd) = calibration_cmd.or_else(|| app.keymap.lookup(app.scope(), key)) else {
        return vec![];
    };
    app.status = None;
    match cmd {
        Command::Help => return help::open(app),
        Command::Quit => {
            app.should_quit = true;
            return vec![];
        }
        _ => {}
    }
    if let Some(fx) = navigate::command(app, cmd) {
        return fx;
    }
    match app.screen.kind() {
        ScreenKind::Queue => queue::command(app, cmd),
        ScreenKind::Calibration => calibration_list::command(app, cmd),
        ScreenKind::CalibrationResults => calibration_results::command(app, cmd),
        ScreenKind::Review => review::command(app, cmd),
        ScreenKind::Panel => panel::command(app, cmd),
        ScreenKind::Roles | ScreenKind::Role => roles::command(app, cmd),
        ScreenKind::Board => board::command(app, cmd),
        ScreenKind::Insights => insights::command(app, cmd),
    }
}
