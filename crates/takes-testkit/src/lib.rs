//! Deterministic fixtures for the workstation's tests and benchmarks: a
//! dev-dependency only, so none of it is in the shipped library. App states
//! are built by feeding [`Action`]s to the real update function;
//! [`app_in_review`] alone also places two local scores (a state the app
//! reaches, with the player left at 0:00 for the snapshots).

use takes_api::*;

use takes::app::action::{Action, Counts, QueueChunk};
use takes::app::state::{App, LocalScore, SyncState, TranscriptState};
use takes::app::update;
use takes::config::{Keymap, Settings};
use takes::journal::sync::SyncEvent;

mod board;
mod results;
mod roles;
mod wire;

pub use board::*;
pub use results::*;
pub use roles::*;
pub use wire::*;

/// A signed-in app with a loaded queue of `n` rows and an open journal.
pub fn app_with_queue(role: UserRole, n: usize) -> App {
    let mut app = App::new(
        "http://127.0.0.1:8420",
        Keymap::defaults(),
        // Muted-first has its own tests; here one key is one rating.
        Settings {
            muted_first: takes_player::muted_first::Policy::Off,
            ..Settings::default()
        },
        vec![],
        NOW_MS,
    );
    app.size = (120, 40);
    update::update(&mut app, Action::MeLoaded(Ok(me(role))));
    update::update(
        &mut app,
        Action::Sync(SyncEvent::Opened {
            path: "j".into(),
            pending: vec![],
        }),
    );
    let gen = app.queue.gen;
    update::update(
        &mut app,
        Action::QueueLoaded {
            gen,
            result: Ok(QueueChunk {
                items: queue_items(n),
                next_cursor: None,
                total: n as i64,
                replace: true,
                done: true,
            }),
        },
    );
    let open = queue_items(n)
        .iter()
        .filter(|i| i.status != AssignmentStatus::Submitted)
        .count() as i64;
    update::update(
        &mut app,
        Action::CountsLoaded(Ok(Counts {
            pending: open - 3.min(open),
            in_progress: 3.min(open),
            submitted: 2,
        })),
    );
    app.status = None;
    app
}

/// The review screen of the first row, loaded, with transcripts, Q2 saved
/// locally, Q3 failed, the current question Q2.
pub fn app_in_review(role: UserRole) -> App {
    let mut app = app_with_queue(role, 40);
    update::update(
        &mut app,
        Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let id = app
        .review()
        .map(|r| r.assignment_id.clone())
        .unwrap_or_default();
    update::update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(assignment(&id)),
        },
    );
    for i in 1..=4 {
        update::update(
            &mut app,
            Action::TranscriptLoaded {
                response_id: format!("r{i}"),
                result: Ok(cues()),
            },
        );
    }
    app.local.insert(
        (id.clone(), "q2".into()),
        LocalScore {
            key: "k2".into(),
            rating: Some(3),
            muted_rating: None,
            note: None,
            evidence: vec![Evidence {
                start_s: 5.5,
                end_s: 11.0,
            }],
            sync: SyncState::Saved,
        },
    );
    app.local.insert(
        (id.clone(), "q3".into()),
        LocalScore {
            key: "k3".into(),
            rating: Some(2),
            muted_rating: None,
            note: None,
            evidence: vec![],
            sync: SyncState::Failed("conflict (409): assignment was submitted".into()),
        },
    );
    if let Some(r) = app.screen.review_mut() {
        r.current = 1;
        r.cue = 1;
        assert!(matches!(
            r.transcripts.get("r2"),
            Some(TranscriptState::Loaded(_))
        ));
    }
    app.status = None;
    app
}

/// The panel of the first row's assignment, reached as a reviewer reaches
/// it: every open question rated, each score saved and synced, `S` `y`,
/// the server's receipt, the panel's reply.
pub fn app_in_panel(role: UserRole) -> App {
    let mut app = app_with_queue(role, 40);
    key(&mut app, crossterm::event::KeyCode::Enter);
    let id = app
        .review()
        .map(|r| r.assignment_id.clone())
        .unwrap_or_default();
    update::update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(assignment(&id)),
        },
    );
    // Q1 is scored on the server; auto-advance walks Q2 to Q4.
    let mut entries = Vec::new();
    for c in ['3', '2', '5'] {
        entries.extend(journaled(&ch(&mut app, c)));
    }
    assert_eq!(entries.len(), 3, "one journal entry per rating");
    for e in entries {
        update::update(
            &mut app,
            Action::Sync(SyncEvent::Saved { key: e.key.clone() }),
        );
        update::update(
            &mut app,
            Action::Sync(SyncEvent::Synced {
                key: e.key,
                assignment_id: e.assignment_id,
                question_id: e.question_id,
            }),
        );
    }
    assert_eq!(app.unsynced(None), 0);
    ch(&mut app, 'S');
    let fx = ch(&mut app, 'y');
    assert_eq!(
        fx,
        vec![takes::app::Effect::Submit(Sheet::assignment(id.clone()))]
    );
    update::update(
        &mut app,
        Action::Submitted {
            sheet: Sheet::assignment(id.clone()),
            result: Ok(takes::client::Receipt {
                submitted_at: rfc(NOW_MS),
            }),
        },
    );
    update::update(
        &mut app,
        Action::PanelLoaded {
            assignment_id: id,
            result: Ok(panel("int-1")),
        },
    );
    app
}

/// The calibration session opened from the queue (`C`, Enter) with
/// `scored` items scored on the server, loaded in the review screen.
pub fn app_in_calibration(scored: usize) -> App {
    let mut app = app_with_queue(UserRole::Reviewer, 40);
    let key = |app: &mut App, c: crossterm::event::KeyCode| {
        update::update(app, Action::Key(crossterm::event::KeyEvent::from(c)))
    };
    key(&mut app, crossterm::event::KeyCode::Char('C'));
    update::update(
        &mut app,
        Action::CalibrationsLoaded(Ok(CalibrationPage {
            items: vec![calibration_summary(scored, false)],
            next_cursor: None,
        })),
    );
    key(&mut app, crossterm::event::KeyCode::Enter);
    update::update(
        &mut app,
        Action::CalibrationSessionLoaded {
            id: "cal-1".into(),
            result: Ok(calibration_session(scored)),
        },
    );
    for i in 1..=4 {
        update::update(
            &mut app,
            Action::TranscriptLoaded {
                response_id: format!("r{i}"),
                result: Ok(cues()),
            },
        );
    }
    app.status = None;
    app
}

/// Presses `code` (no modifiers).
pub fn key(app: &mut App, code: crossterm::event::KeyCode) -> Vec<takes::app::Effect> {
    update::update(app, Action::Key(crossterm::event::KeyEvent::from(code)))
}

/// Presses the character `c`.
pub fn ch(app: &mut App, c: char) -> Vec<takes::app::Effect> {
    key(app, crossterm::event::KeyCode::Char(c))
}

/// The score entries among `fx` that go to the journal.
pub fn journaled(fx: &[takes::app::Effect]) -> Vec<takes::journal::ScoreEntry> {
    fx.iter()
        .filter_map(|e| match e {
            takes::app::Effect::Journal(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}
