//! `evidence`: marks (or unmarks) the selected transcript cue as evidence
//! for the current question's rating.

use takes_api::Evidence;

use super::rating::{current_score, record};
use super::state::TranscriptState;
use crate::app::effect::Effect;
use crate::app::state::{App, ScoreView};
use crate::format::fmt_time;

pub fn toggle(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review() else {
        return vec![];
    };
    if r.submitted() {
        app.warn("This assignment is submitted; its scores are locked");
        return vec![];
    }
    let Some(TranscriptState::Loaded(cues)) = r.cues() else {
        app.warn("No transcript cue to mark");
        return vec![];
    };
    let Some(cue) = cues.get(r.cue).cloned() else {
        return vec![];
    };
    let Some(s) = current_score(app) else {
        return vec![];
    };
    let mut ev = s.evidence.clone();
    let range = Evidence {
        start_s: cue.start_s,
        end_s: cue.end_s,
    };
    let removed = if let Some(i) = ev
        .iter()
        .position(|e| (e.start_s - range.start_s).abs() < 0.001)
    {
        ev.remove(i);
        true
    } else {
        ev.push(range);
        ev.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        false
    };
    let rated = s.rating.is_some();
    let fx = record(app, ScoreView { evidence: ev, ..s });
    if !fx.is_empty() {
        let t = fmt_time(cue.start_s);
        if removed {
            app.info(format!("Evidence at {t} removed"));
        } else if !rated {
            app.info(format!("Evidence at {t} marked (sent with the rating)"));
        } else {
            app.info(format!("Evidence at {t} marked"));
        }
    }
    fx
}
