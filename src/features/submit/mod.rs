//! Submitting: `submit` checks every question is rated and synced and asks
//! for confirmation; `confirm` submits once the journal has sent every
//! score. Assignments then open the panel, calibration sessions their
//! results.

pub mod state;
pub mod view;

use crossterm::event::KeyEvent;
use takes_api::{AssignmentStatus, CalibrationStatus, Sheet};

use super::{calibration_results, panel, Hint};
use crate::app::effect::Effect;
use crate::app::state::{App, Overlay, SyncState};
use crate::client::{ClientError, Receipt};
use crate::config::{Command, Key, Scope};

/// The hint bar while the confirmation is open.
pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Scope::Dialog, Command::Confirm, "submit"),
        Hint::new(Scope::Dialog, Command::Back, "cancel"),
    ]
}

/// The help's row for the confirmation.
pub fn modal_hints() -> Vec<Hint> {
    vec![Hint::new(
        Scope::Dialog,
        Command::Confirm,
        "confirm a submit; any other key cancels",
    )]
}

/// `submit`: checks, then asks for confirmation.
pub fn ask(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review() else {
        return vec![];
    };
    let Some(d) = r.detail.as_ref() else {
        return vec![];
    };
    if r.submitted() {
        app.warn("Already submitted");
        return vec![];
    }
    if app.submit.pending.is_some() || app.submit.sending.is_some() {
        app.info("Submitting already…");
        return vec![];
    }
    let unscored: Vec<usize> = d
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| app.score(d, &q.id).rating.is_none())
        .map(|(i, _)| i)
        .collect();
    if let Some(first) = unscored.first().copied() {
        let list: Vec<String> = unscored.iter().map(|i| format!("Q{}", i + 1)).collect();
        app.warn(format!(
            "Not rated yet: {}; rate every question before submitting",
            list.join(", ")
        ));
        if let Some(r) = app.screen.review_mut() {
            r.set_question(first);
        }
        return vec![];
    }
    let failed: Vec<String> = d
        .questions
        .iter()
        .filter(|q| matches!(app.score(d, &q.id).sync, Some(SyncState::Failed(_))))
        .map(|q| format!("Q{}", q.position))
        .collect();
    if !failed.is_empty() {
        app.error(format!(
            "{} failed to sync; rate again before submitting",
            failed.join(", ")
        ));
        return vec![];
    }
    app.overlay = Some(Overlay::ConfirmSubmit);
    vec![]
}

/// A key in the confirmation: `confirm` submits, any other key cancels.
pub fn on_confirm_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    if app.keymap.lookup(Scope::Dialog, Key::from_event(k)) == Some(Command::Confirm) {
        return confirm(app);
    }
    app.overlay = None;
    app.info("Submit cancelled");
    vec![]
}

fn confirm(app: &mut App) -> Vec<Effect> {
    app.overlay = None;
    let Some(id) = app.review().map(|r| r.assignment_id.clone()) else {
        return vec![];
    };
    let waiting = app.unsynced(Some(&id));
    if waiting > 0 {
        app.submit.pending = Some(id);
        app.info(format!(
            "Waiting for {waiting} score(s) to sync, then submitting…"
        ));
        return vec![Effect::RetrySync];
    }
    app.submit.sending = Some(id.clone());
    app.info("Submitting…");
    vec![effect(app, id)]
}

/// Submits an assignment, or the calibration session being scored.
pub fn effect(app: &App, id: String) -> Effect {
    if app.calibrating().is_some_and(|s| s.id == id) {
        Effect::Submit(Sheet::calibration(id))
    } else {
        Effect::Submit(Sheet::assignment(id))
    }
}

pub fn on_submitted(
    app: &mut App,
    id: String,
    result: Result<Receipt, ClientError>,
) -> Vec<Effect> {
    app.submit.sending = None;
    match result {
        Ok(receipt) => {
            if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == id) {
                it.status = AssignmentStatus::Submitted;
                it.submitted_at = Some(receipt.submitted_at.clone());
            }
            if !app.cleared_session.contains(&id) {
                app.cleared_session.push(id.clone());
            }
            if let Some(r) = app.screen.review_mut().filter(|r| r.assignment_id == id) {
                if let Some(d) = r.detail.as_mut() {
                    d.status = AssignmentStatus::Submitted;
                    d.submitted_at = Some(receipt.submitted_at);
                }
            }
            if let Some(c) = app.queue.counts.as_mut() {
                c.submitted += 1;
                if c.in_progress > 0 {
                    c.in_progress -= 1;
                } else if c.pending > 0 {
                    c.pending -= 1;
                }
            }
            app.queue.recompute();
            let next = app.key_name(Scope::Panel, Command::NextAssignment);
            app.ok(format!(
                "Submitted. Your scores are locked; here is the panel ({next}: next assignment)"
            ));
            let mut fx = panel::open(app, id.clone());
            fx.push(Effect::FetchAssignment(id));
            fx
        }
        Err(ClientError::Conflict(d)) if d.contains("already submitted") => {
            app.warn(format!("Already submitted: {d}"));
            vec![Effect::FetchAssignment(id)]
        }
        Err(e) => {
            app.request_failed("Submit failed", &e);
            vec![]
        }
    }
}

pub fn on_calibration_submitted(
    app: &mut App,
    id: String,
    result: Result<Receipt, ClientError>,
) -> Vec<Effect> {
    app.submit.sending = None;
    match result {
        Ok(receipt) => {
            if let Some(r) = app.screen.review_mut().filter(|r| r.assignment_id == id) {
                if let Some(d) = r.detail.as_mut() {
                    d.status = AssignmentStatus::Submitted;
                    d.submitted_at = Some(receipt.submitted_at.clone());
                }
                if let Some(s) = r.calibration.as_mut() {
                    s.my_submitted_at = Some(receipt.submitted_at.clone());
                    s.my_status = Some(CalibrationStatus::Submitted);
                    s.results_visible = true;
                }
            }
            if let Some(s) = app.calibration.sessions.iter_mut().find(|s| s.id == id) {
                s.my_status = Some(CalibrationStatus::Submitted);
                s.results_visible = true;
            }
            app.ok("Submitted. Your calibration scores are locked; here are the results");
            let mut fx = calibration_results::open(app);
            fx.push(Effect::FetchCalibrationSession(id));
            fx
        }
        Err(ClientError::Conflict(d)) if d.contains("already submitted") => {
            app.warn(format!("Already submitted: {d}"));
            vec![Effect::FetchCalibrationSession(id)]
        }
        Err(e) => {
            app.request_failed("Submit failed", &e);
            vec![]
        }
    }
}
