//! Rating the current question: the scale check, the muted pass, the
//! journal entry, auto-advance. Every local score change (rating, note,
//! evidence) is recorded here.

use crate::app::effect::Effect;
use crate::app::state::{App, LocalScore, ScoreView, SyncState};
use crate::config::{Command, Scope};
use crate::journal::ScoreEntry;
use takes_api::SheetKind;
use takes_player::muted_first::RatingField;

use super::playback;

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The current question's effective score.
pub fn current_score(app: &App) -> Option<ScoreView> {
    let r = app.review()?;
    let d = r.detail.as_ref()?;
    let q = r.question()?;
    Some(app.score(d, &q.id))
}

/// Records a new local score for the current question and journals it.
pub fn record(app: &mut App, score: ScoreView) -> Vec<Effect> {
    let ScoreView {
        rating,
        muted_rating,
        note,
        evidence,
        ..
    } = score;
    let Some(user_id) = app.me.as_ref().map(|m| m.id.clone()) else {
        app.error("Not signed in yet; the rating was not recorded");
        return vec![];
    };
    // No check that the journal has finished opening: the writer thread
    // queues entries until it has, and reports each one as saved only once
    // it is on disk.
    let Some(r) = app.review() else {
        return vec![];
    };
    let (Some(d), Some(q)) = (r.detail.as_ref(), r.question()) else {
        return vec![];
    };
    let kind = if r.calibration.is_some() {
        SheetKind::Calibration
    } else {
        SheetKind::Assignment
    };
    let entry = ScoreEntry {
        kind,
        key: new_key(),
        user_id,
        assignment_id: d.id.clone(),
        question_id: q.id.clone(),
        rating,
        muted_rating,
        note: note.clone(),
        evidence: evidence.clone(),
        at_ms: app.now_ms,
    };
    app.local.insert(
        (d.id.clone(), q.id.clone()),
        LocalScore {
            key: entry.key.clone(),
            rating,
            muted_rating,
            note,
            evidence,
            sync: SyncState::Saving,
        },
    );
    vec![Effect::Journal(entry)]
}

/// `rate N`: the muted pass's rating or the final one.
pub fn rate(app: &mut App, n: i64) -> Vec<Effect> {
    let Some(r) = app.review() else {
        return vec![];
    };
    if r.submitted() {
        app.warn("This assignment is submitted; its scores are locked");
        return vec![];
    }
    let Some(q) = r.question() else { return vec![] };
    let (min, max) = (q.rubric.scale_min, q.rubric.scale_max);
    if !(min..=max).contains(&n) {
        app.warn(format!("{n} is outside this question's scale {min}–{max}"));
        return vec![];
    }
    let pos = q.position;
    let prev = current_score(app).unwrap_or(ScoreView {
        rating: None,
        muted_rating: None,
        note: None,
        evidence: vec![],
        sync: None,
    });
    if playback::rating_field(app) == RatingField::Muted {
        // The muted pass's rating stays local (journaled) until the final
        // rating goes to the server with it.
        let mut fx = record(
            app,
            ScoreView {
                muted_rating: Some(n),
                ..prev
            },
        );
        if !fx.is_empty() {
            fx.extend(playback::after_muted_rating(app, n));
        }
        return fx;
    }
    let fx = record(
        app,
        ScoreView {
            rating: Some(n),
            ..prev
        },
    );
    if fx.is_empty() {
        return fx;
    }
    playback::after_final_rating(app, n);
    let label = app
        .review()
        .and_then(|r| r.question())
        .and_then(|q| {
            q.rubric
                .anchors
                .iter()
                .find(|a| a.score == n)
                .map(|a| format!(" ({})", a.label))
        })
        .unwrap_or_default();
    app.info(format!("Q{pos} rated {n}{label}"));
    if app.settings.auto_advance {
        advance_to_unscored(app);
    }
    fx
}

fn advance_to_unscored(app: &mut App) {
    let Some(r) = app.review() else { return };
    let Some(d) = r.detail.as_ref() else { return };
    let n = d.questions.len();
    let cur = r.current;
    let next = (1..=n)
        .map(|step| (cur + step) % n)
        .find(|&i| app.score(d, &d.questions[i].id).rating.is_none());
    match next {
        Some(i) if i != cur => {
            if let Some(r) = app.screen.review_mut() {
                r.set_question(i);
            }
        }
        _ => {
            let submit = app.key_name(Scope::Review, Command::Submit);
            app.ok(format!("All {n} questions rated — {submit} to submit"))
        }
    }
}
