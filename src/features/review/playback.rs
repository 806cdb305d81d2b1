//! The review screen's side of the embedded player: which response should
//! play, the playback keys, the player's events, the muted-first policy per
//! question, and the transcript following playback. Pure: it only changes
//! the state and asks for [`PlayerCmd`]s; the runtime owns the player.

use takes_player::muted_first::{MutedFirst, Pass, Policy, RatingField, UnmuteDecision};
use takes_player::PlayerEvent;

use super::state::{Playback, TranscriptState};
use crate::app::effect::{Effect, PlayerCmd};
use crate::app::state::{App, ScoreView, ScreenKind, VideoSupport};
use crate::config::{Command, Scope};

/// Seconds moved by the short and long seeks.
const SEEK_SHORT_S: f64 = 5.0;
const SEEK_LONG_S: f64 = 30.0;
const VOLUME_STEP: f64 = 10.0;

fn video_available(app: &App) -> bool {
    matches!(app.video, VideoSupport::Available { .. })
}

/// The policy for what is on screen: calibration items are compared on
/// their ratings alone, so they are played without the muted pass.
fn policy(app: &App) -> Policy {
    if app.calibrating().is_some() {
        Policy::Off
    } else {
        app.settings.muted_first
    }
}

/// The current question's id and response (id, media url, duration).
fn current_response(app: &App) -> Option<(String, String, String, f64)> {
    let r = app.review()?;
    let q = r.question()?;
    let resp = q.response.as_ref()?;
    Some((
        q.id.clone(),
        resp.id.clone(),
        resp.media_url.clone(),
        resp.duration_s,
    ))
}

/// The muted-first state of question `qid`, created on first use from the
/// ratings already given.
pub fn muted_first<'a>(app: &'a mut App, qid: &str) -> Option<&'a mut MutedFirst> {
    // Called for every position event: look the state up before working out
    // the score it would be restored from.
    let exists = app
        .review()
        .is_some_and(|r| r.muted_first.contains_key(qid));
    if exists {
        return app.screen.review_mut()?.muted_first.get_mut(qid);
    }
    let policy = policy(app);
    let (score, duration) = {
        let r = app.review()?;
        let d = r.detail.as_ref()?;
        let q = d.questions.iter().find(|q| q.id == qid)?;
        (app.score(d, qid), q.response.as_ref().map(|x| x.duration_s))
    };
    let r = app.screen.review_mut()?;
    Some(
        r.muted_first
            .entry(qid.to_string())
            .or_insert_with(|| restored(policy, &score, duration)),
    )
}

/// A question's muted-first state from the ratings already given.
fn restored(policy: Policy, score: &ScoreView, duration: Option<f64>) -> MutedFirst {
    let mut m = MutedFirst::new(policy, duration.filter(|d| *d > 0.0));
    let clamp = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
    m.restore(clamp(score.muted_rating), clamp(score.rating));
    m
}

/// Which field a rating key fills now on the current question.
pub fn rating_field(app: &mut App) -> RatingField {
    let Some((qid, ..)) = current_response(app) else {
        // No recording: nothing to watch muted.
        return RatingField::Final;
    };
    muted_first(app, &qid)
        .map(|m| m.rating_field())
        .unwrap_or(RatingField::Final)
}

/// After a muted rating: the muted pass is over, the pass with sound starts
/// from the beginning (the reviewer rates again).
pub fn after_muted_rating(app: &mut App, n: i64) -> Vec<Effect> {
    let Some((qid, ..)) = current_response(app) else {
        return vec![];
    };
    let decision = muted_first(app, &qid).map(|m| {
        m.rate(u8::try_from(n).unwrap_or(0));
        m.request_unmute()
    });
    if decision != Some(UnmuteDecision::Allowed) {
        return vec![];
    }
    app.player.muted = false;
    app.info(match &app.player.no_audio {
        None => format!("Muted rating {n} saved — now the pass with sound: watch again and rate"),
        Some(_) => format!(
            "Muted rating {n} saved — pass with sound, but no sound can play here: \
             follow the captions and rate"
        ),
    });
    if !video_available(app) {
        return vec![];
    }
    app.player.follow = true;
    vec![
        Effect::Player(PlayerCmd::Mute(false)),
        Effect::Player(PlayerCmd::Restart),
    ]
}

/// Keeps the final rating in the muted-first state in step.
pub fn after_final_rating(app: &mut App, n: i64) {
    if let Some((qid, ..)) = current_response(app) {
        if let Some(m) = muted_first(app, &qid) {
            if m.rating_field() == RatingField::Final {
                m.rate(u8::try_from(n).unwrap_or(0));
            }
        }
    }
}

/// Makes the player play what the screen shows: the current question's
/// response while reviewing, nothing elsewhere. Called after every update.
pub fn reconcile(app: &mut App) -> Vec<Effect> {
    if !video_available(app) {
        return vec![];
    }
    // The board's opened interview plays its answers in this same player.
    if app.screen.kind() == ScreenKind::Board {
        return crate::features::board::playback::reconcile(app);
    }
    // Runs after every action (30 a second while playing): compare ids
    // before cloning anything.
    let current_id = app
        .review()
        .and_then(|r| r.question())
        .and_then(|q| q.response.as_ref())
        .map(|x| &x.id)
        .filter(|_| app.screen.kind() == ScreenKind::Review);
    if current_id == app.player.response_id.as_ref() {
        return vec![];
    }
    let want = if app.screen.kind() == ScreenKind::Review {
        current_response(app)
    } else {
        None
    };
    let Some((qid, rid, url, duration)) = want else {
        app.player.response_id = None;
        app.player.playback = Playback::Idle;
        return vec![Effect::Player(PlayerCmd::Stop)];
    };
    let muted = muted_first(app, &qid)
        .map(|m| m.pass() == Pass::Muted)
        .unwrap_or(true);
    let p = &mut app.player;
    p.response_id = Some(rid);
    p.playback = Playback::Loading;
    p.position_s = 0.0;
    p.duration_s = (duration > 0.0).then_some(duration);
    p.muted = muted;
    p.follow = true;
    if let Some(r) = app.screen.review_mut() {
        r.cue = 0;
    }
    let mut fx = vec![
        Effect::Player(PlayerCmd::Mute(muted)),
        Effect::Player(PlayerCmd::Load(url)),
    ];
    fx.extend(prefetch_next(app));
    fx
}

/// Prefetches what comes after the current question: the next question's
/// response, or on the last question the next assignment's first one.
fn prefetch_next(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review() else {
        return vec![];
    };
    let Some(d) = r.detail.as_ref() else {
        return vec![];
    };
    let next_q = d
        .questions
        .iter()
        .skip(r.current + 1)
        .find_map(|q| q.response.as_ref());
    if let Some(resp) = next_q {
        return vec![Effect::Player(PlayerCmd::Prefetch(resp.media_url.clone()))];
    }
    if r.calibration.is_some() {
        return vec![];
    }
    let Some(next) = app.next_open_item() else {
        return vec![];
    };
    match &app.prefetched {
        Some(p) if p.id == next.id => first_response_url(p)
            .map(|u| vec![Effect::Player(PlayerCmd::Prefetch(u))])
            .unwrap_or_default(),
        _ => vec![Effect::PrefetchAssignment(next.id)],
    }
}

pub fn first_response_url(d: &takes_api::AssignmentDetail) -> Option<String> {
    d.questions
        .iter()
        .find_map(|q| q.response.as_ref())
        .map(|r| r.media_url.clone())
}

/// The next assignment arrived ahead of time: keep it, and prefetch its
/// first response if the reviewer is on the last question.
pub fn on_prefetched(app: &mut App, detail: takes_api::AssignmentDetail) -> Vec<Effect> {
    let url = first_response_url(&detail);
    app.prefetched = Some(detail);
    let on_last = app.review().is_some_and(|r| {
        r.detail
            .as_ref()
            .is_some_and(|d| r.current + 1 >= d.questions.len())
    });
    match url {
        Some(u) if on_last && video_available(app) => {
            vec![Effect::Player(PlayerCmd::Prefetch(u))]
        }
        _ => vec![],
    }
}

/// The cue being spoken at `t` seconds.
fn cue_at(app: &App, t: f64) -> Option<usize> {
    let r = app.review()?;
    match r.cues()? {
        TranscriptState::Loaded(c) => c.iter().rposition(|c| c.start_s <= t + 0.05),
        _ => None,
    }
}

fn cue_start(app: &App, i: usize) -> Option<f64> {
    let r = app.review()?;
    match r.cues()? {
        TranscriptState::Loaded(c) => c.get(i).map(|c| c.start_s),
        _ => None,
    }
}

fn follow_position(app: &mut App) {
    if !app.player.follow {
        return;
    }
    if let Some(i) = cue_at(app, app.player.position_s) {
        if let Some(r) = app.screen.review_mut() {
            r.cue = i;
        }
    }
}

/// Applies one event from the player.
pub fn on_event(app: &mut App, ev: PlayerEvent) -> Vec<Effect> {
    if app.player.response_id.is_none() {
        return vec![];
    }
    let qid = current_response(app).map(|c| c.0);
    match ev {
        PlayerEvent::Loaded => {
            app.player.playback = Playback::Playing;
            app.player.position_s = 0.0;
        }
        PlayerEvent::Duration(d) => {
            if d > 0.0 {
                app.player.duration_s = Some(d);
                if let Some(q) = qid {
                    if let Some(m) = muted_first(app, &q) {
                        m.set_duration(d);
                    }
                }
            }
        }
        PlayerEvent::Position { time_s, duration_s } => {
            // Positions of the previous file may still arrive while the
            // next one opens.
            if app.player.playback == Playback::Loading {
                return vec![];
            }
            app.player.position_s = time_s.max(0.0);
            if let Some(d) = duration_s.filter(|d| *d > 0.0) {
                app.player.duration_s = Some(d);
            }
            let muted = app.player.muted;
            if let Some(q) = qid {
                if let Some(m) = muted_first(app, &q) {
                    let before = m.may_unmute();
                    m.on_position(time_s, muted);
                    if !before && m.may_unmute() {
                        let mute = app.key_name(Scope::Review, Command::Mute);
                        app.info(format!("Muted pass watched: {mute} turns the sound on"));
                    }
                }
            }
            follow_position(app);
        }
        PlayerEvent::Paused(p) => {
            let settled = !matches!(
                app.player.playback,
                Playback::Loading | Playback::Ended | Playback::Failed(_)
            );
            if settled {
                app.player.playback = if p {
                    Playback::Paused
                } else {
                    Playback::Playing
                };
            }
        }
        PlayerEvent::Speed(s) => app.player.speed = s,
        PlayerEvent::Muted(m) => app.player.muted = m,
        PlayerEvent::Volume(v) => app.player.volume = v,
        PlayerEvent::Buffering(b) => {
            if b {
                app.player.playback = Playback::Buffering;
            } else if app.player.playback == Playback::Buffering {
                app.player.playback = Playback::Playing;
            }
        }
        PlayerEvent::SeekDone => {
            if app.player.playback == Playback::Ended {
                app.player.playback = Playback::Playing;
            }
        }
        PlayerEvent::EndOfFile => {
            app.player.playback = Playback::Ended;
            if let Some(d) = app.player.duration_s {
                app.player.position_s = d;
            }
            let muted = app.player.muted;
            if let Some(q) = qid {
                let msg = muted_first(app, &q).and_then(|m| {
                    m.on_end_of_file(muted);
                    m.message()
                });
                match msg {
                    Some(m) => app.info(m),
                    None => {
                        let play = app.key_name(Scope::Review, Command::PlayPause);
                        app.info(format!("End of the response — {play} plays it again"))
                    }
                }
            }
        }
        PlayerEvent::Error(e) => {
            app.warn(format!("The video could not be played: {e}"));
            app.player.playback = Playback::Failed(e);
        }
        PlayerEvent::Shutdown => {
            app.player.playback = Playback::Failed("the player stopped".into());
        }
        PlayerEvent::Frame | PlayerEvent::CommandFailed(_) => {}
    }
    vec![]
}

fn seek_to(app: &mut App, t: f64) -> Vec<Effect> {
    let t = match app.player.duration_s {
        Some(d) => t.clamp(0.0, d),
        None => t.max(0.0),
    };
    app.player.position_s = t;
    app.player.follow = true;
    if let Some(q) = current_response(app).map(|c| c.0) {
        if let Some(m) = muted_first(app, &q) {
            m.on_seek();
        }
    }
    follow_position(app);
    if video_available(app) && app.player.response_id.is_some() {
        vec![Effect::Player(PlayerCmd::SeekTo(t))]
    } else {
        vec![]
    }
}

/// The playback keys of the review screen. `None`: not a playback key.
pub fn command(app: &mut App, cmd: Command) -> Option<Vec<Effect>> {
    let live = video_available(app) && app.player.response_id.is_some();
    let fx = match cmd {
        Command::PlayPause => {
            if !live {
                return Some(unavailable(app));
            }
            vec![Effect::Player(PlayerCmd::TogglePause)]
        }
        Command::SeekBack
        | Command::SeekForward
        | Command::SeekBackLong
        | Command::SeekForwardLong => {
            let by = match cmd {
                Command::SeekBack => -SEEK_SHORT_S,
                Command::SeekForward => SEEK_SHORT_S,
                Command::SeekBackLong => -SEEK_LONG_S,
                _ => SEEK_LONG_S,
            };
            let t = app.player.position_s + by;
            seek_to(app, t)
        }
        Command::Restart => {
            let mut fx = seek_to(app, 0.0);
            if live {
                fx = vec![Effect::Player(PlayerCmd::Restart)];
            }
            fx
        }
        Command::Slower | Command::Faster => {
            let step = if cmd == Command::Faster { 1 } else { -1 };
            let s = takes_player::step_speed(app.player.speed, step);
            app.player.speed = s;
            app.info(format!("Speed {s:.2}x (pitch corrected)"));
            if live {
                vec![Effect::Player(PlayerCmd::SpeedStep(step))]
            } else {
                vec![]
            }
        }
        Command::VolumeDown | Command::VolumeUp => {
            let d = if cmd == Command::VolumeUp {
                VOLUME_STEP
            } else {
                -VOLUME_STEP
            };
            let v = (app.player.volume + d).clamp(0.0, 130.0);
            app.player.volume = v;
            app.info(format!("Volume {v:.0}%"));
            if live {
                vec![Effect::Player(PlayerCmd::Volume(v))]
            } else {
                vec![]
            }
        }
        Command::Mute => return Some(toggle_sound(app)),
        Command::PrevCue | Command::NextCue => {
            let here = cue_at(app, app.player.position_s).unwrap_or(0);
            let target = if cmd == Command::NextCue {
                here + 1
            } else {
                // Like a music player: back to the start of this cue unless
                // already close to it.
                let start = cue_start(app, here).unwrap_or(0.0);
                if app.player.position_s - start > 1.5 {
                    here
                } else {
                    here.saturating_sub(1)
                }
            };
            match cue_start(app, target) {
                Some(t) => seek_to(app, t),
                None => vec![],
            }
        }
        Command::SeekToCue => {
            let sel = app.review().map(|r| r.cue).unwrap_or(0);
            match cue_start(app, sel) {
                Some(t) => seek_to(app, t),
                None => vec![],
            }
        }
        Command::TranscriptDown | Command::TranscriptUp => {
            if let Some(r) = app.screen.review_mut() {
                let n = match r.cues() {
                    Some(TranscriptState::Loaded(c)) => c.len(),
                    _ => 0,
                };
                if n > 0 {
                    r.cue = if cmd == Command::TranscriptDown {
                        (r.cue + 1).min(n - 1)
                    } else {
                        r.cue.saturating_sub(1)
                    };
                }
            }
            // Picking a cue by hand: the selection stops following playback
            // until Enter plays from it.
            app.player.follow = !live;
            if !live {
                if let Some(t) = app.review().map(|r| r.cue).and_then(|i| cue_start(app, i)) {
                    app.player.position_s = t;
                }
            }
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}

fn unavailable(app: &mut App) -> Vec<Effect> {
    let why = match &app.video {
        VideoSupport::Unavailable(why) => why.clone(),
        VideoSupport::Available { .. } => "this question has no recording".into(),
    };
    app.warn(format!(
        "No playback: {why}. The transcript has every word."
    ));
    vec![]
}

/// `m`: sound on or off, within the muted-first policy.
fn toggle_sound(app: &mut App) -> Vec<Effect> {
    let live = video_available(app) && app.player.response_id.is_some();
    let Some(qid) = current_response(app).map(|c| c.0) else {
        return unavailable(app);
    };
    if !app.player.muted {
        app.player.muted = true;
        if let Some(m) = muted_first(app, &qid) {
            m.on_mute();
        }
        app.info("Sound off");
        return if live {
            vec![Effect::Player(PlayerCmd::Mute(true))]
        } else {
            vec![]
        };
    }
    let decision = muted_first(app, &qid).map(|m| m.request_unmute());
    match decision {
        Some(UnmuteDecision::Denied(why)) => {
            app.warn(why);
            vec![]
        }
        _ => {
            app.player.muted = false;
            match app.player.no_audio.clone() {
                None => app.info("Sound on: the pass with sound"),
                Some(why) => app.warn(format!(
                    "No sound here ({why}): captions show the speech; \
                     `takes doctor` tells how to forward sound"
                )),
            }
            if live {
                vec![Effect::Player(PlayerCmd::Mute(false))]
            } else {
                vec![]
            }
        }
    }
}

/// Which field a rating key would fill now, without changing anything (for
/// the hint bar).
pub fn rating_field_view(app: &App) -> RatingField {
    let Some((qid, ..)) = current_response(app) else {
        return RatingField::Final;
    };
    if let Some(m) = app.review().and_then(|r| r.muted_first.get(&qid)) {
        return m.rating_field();
    }
    let Some(d) = app.review().and_then(|r| r.detail.as_ref()) else {
        return RatingField::Final;
    };
    restored(policy(app), &app.score(d, &qid), None).rating_field()
}

/// What the status line of the video pane says about the pass.
pub fn pass_label(app: &App) -> Option<String> {
    let r = app.review()?;
    let q = r.question()?;
    let m = r.muted_first.get(&q.id)?;
    match (m.policy(), m.pass()) {
        (Policy::Off, _) => None,
        (_, Pass::Muted) => Some(format!(
            "muted pass {:.0}%",
            (m.watched_fraction() * 100.0).min(100.0)
        )),
        (_, Pass::WithSound) if app.player.no_audio.is_some() => {
            Some("pass with sound (captions)".into())
        }
        (_, Pass::WithSound) => Some("pass with sound".into()),
    }
}
