//! Video on demand in an interview opened from the board: the recruiter
//! picks an answer and asks for its video, which plays in the review
//! screen's player (the same `PlayerState`, the same `PlayerCmd`s, the same
//! event handling). Sound is on: muted-first is about a reviewer's rating,
//! and nobody rates here. Pure, like the review side: it only changes the
//! state and asks for effects.

use takes_api::board::BoardAnswer;

use crate::app::effect::{Effect, PlayerCmd};
use crate::app::state::{App, Playback, VideoSupport};
use crate::config::{Command, Scope};

/// The opened interview's selected answer.
pub fn selected(app: &App) -> Option<&BoardAnswer> {
    let o = app.board.opened.as_ref()?;
    o.detail.as_ref()?.answers.get(o.answer)
}

/// The recording the board wants playing: the selected answer's, once
/// asked for.
fn wanted(app: &App) -> Option<String> {
    let o = app.board.opened.as_ref()?;
    if !o.playing {
        return None;
    }
    selected(app)?.response_id.clone()
}

/// Makes the player play what the board asks for, nothing otherwise.
/// Called instead of the review's reconcile while the board is on screen.
pub fn reconcile(app: &mut App) -> Vec<Effect> {
    let want = wanted(app);
    if want == app.player.response_id {
        return vec![];
    }
    let p = &mut app.player;
    match want {
        None => {
            p.response_id = None;
            p.playback = Playback::Idle;
            vec![Effect::Player(PlayerCmd::Stop)]
        }
        Some(rid) => {
            let url = format!("/v1/media/{rid}");
            p.response_id = Some(rid);
            p.playback = Playback::Loading;
            p.position_s = 0.0;
            p.duration_s = None;
            p.muted = false;
            p.follow = true;
            vec![
                Effect::Player(PlayerCmd::Mute(false)),
                Effect::Player(PlayerCmd::Load(url)),
            ]
        }
    }
}

/// Moves the selection to another answer; a playing video follows it.
pub fn select(app: &mut App, step: isize) {
    let Some(o) = app.board.opened.as_mut() else {
        return;
    };
    let n = o.detail.as_ref().map(|d| d.answers.len()).unwrap_or(0);
    if n == 0 {
        return;
    }
    o.answer = (o.answer as isize + step).clamp(0, n as isize - 1) as usize;
}

/// `play_pause` in an opened interview: the selected answer's video
/// starts, or pauses and resumes once it plays.
pub fn play_pause(app: &mut App) -> Vec<Effect> {
    if let VideoSupport::Unavailable(why) = &app.video {
        let why = why.clone();
        app.warn(format!(
            "No video: {why}. The transcripts are readable without it"
        ));
        return vec![];
    }
    let Some(answer) = selected(app) else {
        return vec![];
    };
    let Some(rid) = answer.response_id.clone() else {
        let position = answer.position;
        app.warn(format!("Q{position} has no recorded answer to play"));
        return vec![];
    };
    let playing_it = app.player.response_id.as_deref() == Some(rid.as_str());
    if let Some(o) = app.board.opened.as_mut() {
        o.playing = true;
    }
    if !playing_it {
        // `reconcile` loads it after this update.
        return vec![];
    }
    if app.player.playback == Playback::Ended {
        return vec![Effect::Player(PlayerCmd::Restart)];
    }
    vec![Effect::Player(PlayerCmd::TogglePause)]
}

/// The status line under the picture.
pub fn status(app: &App) -> String {
    let p = &app.player;
    let state = match &p.playback {
        Playback::Idle => "■ stopped",
        Playback::Loading => "… opening",
        Playback::Playing => "▶",
        Playback::Paused => "⏸ paused",
        Playback::Buffering => "… buffering",
        Playback::Ended => "■ end",
        Playback::Failed(_) => "✗ failed",
    };
    let key = app.key_name(Scope::Board, Command::PlayPause);
    let clock = |s: f64| crate::format::fmt_time(s);
    format!(
        "{state} {} / {} · {key} play/pause",
        clock(p.position_s),
        p.duration_s.map(clock).unwrap_or_else(|| "–".into())
    )
}
