//! What the journal reports: scores saved on disk, sent, refused; the
//! pending submit once every score is on the server.

use takes_api::AssignmentStatus;

use super::submit;
use crate::app::effect::Effect;
use crate::app::state::{App, Conn, LocalScore, SyncState};
use crate::journal::sync::SyncEvent;

pub fn on_event(app: &mut App, ev: SyncEvent) -> Vec<Effect> {
    match ev {
        SyncEvent::Opened { pending, .. } => {
            app.journal_ready = true;
            let mine: Vec<_> = pending
                .into_iter()
                .filter(|e| app.me.as_ref().is_some_and(|m| m.id == e.user_id))
                .collect();
            let n = mine.iter().filter(|e| e.rating.is_some()).count();
            for e in mine {
                // A rating made while the journal was opening is newer than
                // anything left over from an earlier session.
                app.local
                    .entry((e.assignment_id.clone(), e.question_id.clone()))
                    .or_insert(LocalScore {
                        key: e.key,
                        rating: e.rating,
                        muted_rating: e.muted_rating,
                        note: e.note,
                        evidence: e.evidence,
                        sync: SyncState::Saved,
                    });
            }
            if n > 0 {
                app.info(format!(
                    "Resending {n} score(s) saved in an earlier session"
                ));
            }
        }
        SyncEvent::OpenFailed(reason) => {
            app.error(format!(
                "The local journal cannot be opened ({reason}); ratings cannot be saved safely"
            ));
        }
        SyncEvent::Saved { key } => {
            for l in app.local.values_mut() {
                if l.key == key && l.sync == SyncState::Saving {
                    l.sync = SyncState::Saved;
                }
            }
        }
        SyncEvent::SaveFailed { key, reason } => {
            for l in app.local.values_mut() {
                if l.key == key {
                    l.sync = SyncState::Failed(format!("not saved: {reason}"));
                }
            }
            app.error(format!("Could not save locally: {reason}"));
            app.submit.pending = None;
        }
        SyncEvent::Synced {
            key,
            assignment_id,
            question_id,
        } => {
            if app.conn != Conn::Online {
                app.conn = Conn::Online;
            }
            let k = (assignment_id.clone(), question_id);
            if let Some(l) = app.local.get_mut(&k) {
                if l.key == key {
                    l.sync = SyncState::Synced;
                }
            }
            // Keep the queue's scored count current.
            let rated = app
                .local
                .iter()
                .filter(|((a, _), l)| *a == assignment_id && l.rating.is_some())
                .count() as i64;
            if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == assignment_id) {
                it.scored_count = it.scored_count.max(rated).min(it.question_count);
                if it.status == AssignmentStatus::Pending {
                    it.status = AssignmentStatus::InProgress;
                }
            }
            if app.submit.pending.as_deref() == Some(assignment_id.as_str())
                && app.unsynced(Some(&assignment_id)) == 0
            {
                app.submit.pending = None;
                app.submit.sending = Some(assignment_id.clone());
                app.info("Scores synced; submitting…");
                return vec![submit::effect(app, assignment_id)];
            }
        }
        SyncEvent::Rejected {
            key,
            assignment_id,
            question_id,
            reason,
        } => {
            if let Some(l) = app.local.get_mut(&(assignment_id.clone(), question_id)) {
                if l.key == key {
                    l.sync = SyncState::Failed(reason.clone());
                }
            }
            app.error(format!("A score was refused by the server: {reason}"));
            if app.submit.pending.as_deref() == Some(assignment_id.as_str()) {
                app.submit.pending = None;
            }
        }
        SyncEvent::Retrying {
            reason,
            offline,
            waiting,
        } => {
            if offline {
                app.conn = Conn::Offline(reason.clone());
            }
            app.warn(format!(
                "{waiting} score(s) saved locally, not synced yet: {reason}; retrying"
            ));
        }
    }
    vec![]
}
