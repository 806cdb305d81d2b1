//! The review screen driving the player: what plays, the playback keys, the
//! muted-first policy per question, and the transcript following playback.
//! Pure update-function tests; the real player is exercised by the player
//! crate's tests and by the tmux end-to-end test.

use crossterm::event::KeyCode;
use takes::app::effect::PlayerCmd;
use takes::app::state::{App, Playback, ScreenKind, VideoSupport};
use takes::app::{update, Action, Effect};
use takes_api::UserRole;
use takes_player::muted_first::Policy;
use takes_player::PlayerEvent;
use takes_testkit::{app_in_review, ch, journaled, key};

fn player(fx: &[Effect]) -> Vec<PlayerCmd> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Player(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn ev(app: &mut App, e: PlayerEvent) -> Vec<Effect> {
    update(app, Action::Player(e))
}

/// The review screen on Q2 (response r2, 25 s) with a working player.
fn live(policy: Policy) -> (App, Vec<Effect>) {
    let mut app = app_in_review(UserRole::Reviewer);
    app.settings.muted_first = policy;
    app.video = VideoSupport::Available {
        output: "halfblocks".into(),
    };
    let fx = update(&mut app, Action::Resize(120, 40));
    (app, fx)
}

/// Plays muted from `from` to `to` seconds in 1/30 s steps.
fn play(app: &mut App, from: f64, to: f64) {
    let mut t = from;
    while t <= to {
        ev(
            app,
            PlayerEvent::Position {
                time_s: t,
                duration_s: Some(25.0),
            },
        );
        t += 1.0 / 30.0;
    }
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn opening_a_question_loads_its_response_muted_and_prefetches_the_next() {
    let (mut app, fx) = live(Policy::Enforce);
    assert_eq!(
        player(&fx),
        vec![
            PlayerCmd::Mute(true),
            PlayerCmd::Load("/v1/media/r2".into()),
            PlayerCmd::Prefetch("/v1/media/r3".into()),
        ]
    );
    assert_eq!(app.player.playback, Playback::Loading);
    // Nothing new to load while the question stays.
    assert!(player(&ch(&mut app, 'x')).is_empty());
    ev(&mut app, PlayerEvent::Loaded);
    assert_eq!(app.player.playback, Playback::Playing);
    // Next question: its response, and the one after it ahead of time.
    let fx = ch(&mut app, 'n');
    assert_eq!(
        player(&fx),
        vec![
            PlayerCmd::Mute(true),
            PlayerCmd::Load("/v1/media/r3".into()),
            PlayerCmd::Prefetch("/v1/media/r4".into()),
        ]
    );
    // Leaving the review screen stops playback.
    let fx = ch(&mut app, 'q');
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    assert_eq!(player(&fx), vec![PlayerCmd::Stop]);
}

#[test]
fn on_the_last_question_the_next_assignment_is_fetched_and_its_first_response_prefetched() {
    let (mut app, _) = live(Policy::Off);
    ev(&mut app, PlayerEvent::Loaded);
    ch(&mut app, 'n');
    let fx = ch(&mut app, 'n'); // Q4, the last
    let next = fx.iter().find_map(|e| match e {
        Effect::PrefetchAssignment(id) => Some(id.clone()),
        _ => None,
    });
    let next = next.expect("the next assignment is fetched ahead");
    let fx = update(
        &mut app,
        Action::Prefetched {
            id: next.clone(),
            result: Ok(takes_testkit::assignment(&next)),
        },
    );
    assert_eq!(
        player(&fx),
        vec![PlayerCmd::Prefetch("/v1/media/r1".into())]
    );
    // Moving on shows it at once, without waiting for the server.
    ch(&mut app, 'N');
    let r = app.review().expect("review");
    assert_eq!(r.assignment_id, next);
    assert!(r.detail.is_some(), "the prefetched detail is shown at once");
}

#[test]
fn enforce_keeps_sound_off_until_the_muted_pass_is_watched() {
    let (mut app, _) = live(Policy::Enforce);
    ev(&mut app, PlayerEvent::Loaded);
    assert!(player(&ch(&mut app, 'm')).is_empty());
    assert!(status(&app).contains("Sound unlocks"), "{}", status(&app));
    // Seeking to the end does not count as watching.
    play(&mut app, 0.0, 2.0);
    ch(&mut app, 'L');
    play(&mut app, 24.0, 25.0);
    assert!(
        player(&ch(&mut app, 'm')).is_empty(),
        "seeked over, not watched"
    );
    // Watching 90% muted unlocks it.
    ch(&mut app, 'R');
    play(&mut app, 0.0, 23.0);
    assert_eq!(player(&ch(&mut app, 'm')), vec![PlayerCmd::Mute(false)]);
    assert!(!app.player.muted);
    // Muting again is always allowed.
    assert_eq!(player(&ch(&mut app, 'm')), vec![PlayerCmd::Mute(true)]);
}

#[test]
fn enforce_a_muted_rating_then_the_final_rating_both_reach_the_journal() {
    let (mut app, _) = live(Policy::Enforce);
    ev(&mut app, PlayerEvent::Loaded);
    let fx = ch(&mut app, '2');
    let e = journaled(&fx);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].muted_rating, Some(2));
    // Q2 had a final rating of 3 from before; it is kept, not overwritten.
    assert_eq!(e[0].rating, Some(3));
    // The muted rating unlocks sound and starts the pass with sound.
    assert_eq!(
        player(&fx),
        vec![PlayerCmd::Mute(false), PlayerCmd::Restart]
    );
    assert_eq!(app.review().map(|r| r.current), Some(1), "stays on Q2");
    let fx = ch(&mut app, '4');
    let e = journaled(&fx);
    assert_eq!((e[0].muted_rating, e[0].rating), (Some(2), Some(4)));
    let body = e[0].body().expect("sendable");
    assert_eq!((body.muted_rating, body.rating), (Some(2), 4));
    assert_ne!(
        app.review().map(|r| r.current),
        Some(1),
        "the final rating moves on"
    );
}

#[test]
fn enforce_on_an_unrated_question_the_first_key_is_the_muted_rating_only() {
    let (mut app, _) = live(Policy::Enforce);
    ch(&mut app, 'n');
    ch(&mut app, 'n'); // Q4: nothing local, nothing on the server
    let e = journaled(&ch(&mut app, '5'));
    assert_eq!((e[0].muted_rating, e[0].rating), (Some(5), None));
    assert!(e[0].body().is_none(), "not sent until the final rating");
}

#[test]
fn suggest_starts_muted_but_lets_sound_on_at_once_and_off_starts_with_sound() {
    let (mut app, _) = live(Policy::Suggest);
    // Q2 is rated already (its pass is done); Q4 is not.
    assert!(!app.player.muted);
    ch(&mut app, 'n');
    ch(&mut app, 'n');
    ev(&mut app, PlayerEvent::Loaded);
    assert!(app.player.muted);
    assert_eq!(player(&ch(&mut app, 'm')), vec![PlayerCmd::Mute(false)]);

    let (mut app, fx) = live(Policy::Off);
    assert_eq!(player(&fx)[0], PlayerCmd::Mute(false));
    let e = journaled(&ch(&mut app, '5'));
    assert_eq!((e[0].muted_rating, e[0].rating), (None, Some(5)));
}

#[test]
fn the_transcript_follows_playback_until_a_cue_is_picked_by_hand() {
    let (mut app, _) = live(Policy::Off);
    ev(&mut app, PlayerEvent::Loaded);
    let cue = |app: &App| app.review().map(|r| r.cue);
    play(&mut app, 0.0, 12.0);
    assert_eq!(cue(&app), Some(2), "12 s is in the third cue (11-16 s)");
    // J picks a cue: the selection stays there while playback goes on.
    ch(&mut app, 'J');
    assert_eq!(cue(&app), Some(3));
    play(&mut app, 12.0, 13.0);
    assert_eq!(cue(&app), Some(3));
    // Enter plays from the picked cue and following resumes.
    ch(&mut app, 'K');
    ch(&mut app, 'K');
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(player(&fx), vec![PlayerCmd::SeekTo(5.5)]);
    play(&mut app, 5.5, 11.5);
    assert_eq!(cue(&app), Some(2));
    // `.` and `,` play from the next and the previous cue.
    assert_eq!(player(&ch(&mut app, '.')), vec![PlayerCmd::SeekTo(16.0)]);
    assert_eq!(player(&ch(&mut app, ',')), vec![PlayerCmd::SeekTo(11.0)]);
    // `e` marks the cue being spoken.
    play(&mut app, 16.5, 17.0);
    let e = journaled(&ch(&mut app, 'e'));
    assert!(e[0]
        .evidence
        .iter()
        .any(|r| r.start_s == 16.0 && r.end_s == 21.0));
}

#[test]
fn seek_speed_volume_and_restart_keys() {
    let (mut app, _) = live(Policy::Off);
    ev(&mut app, PlayerEvent::Loaded);
    play(&mut app, 0.0, 10.0);
    ev(
        &mut app,
        PlayerEvent::Position {
            time_s: 10.0,
            duration_s: Some(25.0),
        },
    );
    let t = app.player.position_s;
    assert_eq!(player(&ch(&mut app, 'l')), vec![PlayerCmd::SeekTo(t + 5.0)]);
    assert_eq!(player(&ch(&mut app, 'h')), vec![PlayerCmd::SeekTo(t)]);
    assert_eq!(
        player(&ch(&mut app, 'L')),
        vec![PlayerCmd::SeekTo(25.0)],
        "clamped to the end"
    );
    assert_eq!(player(&ch(&mut app, 'H')), vec![PlayerCmd::SeekTo(0.0)]);
    assert_eq!(player(&ch(&mut app, ']')), vec![PlayerCmd::SpeedStep(1)]);
    ch(&mut app, ']');
    assert_eq!(app.player.speed, 1.5);
    for _ in 0..10 {
        ch(&mut app, '[');
    }
    assert_eq!(app.player.speed, 0.5);
    assert_eq!(player(&ch(&mut app, '-')), vec![PlayerCmd::Volume(90.0)]);
    assert_eq!(player(&ch(&mut app, 'R')), vec![PlayerCmd::Restart]);
    assert_eq!(player(&ch(&mut app, ' ')), vec![PlayerCmd::TogglePause]);
    ev(&mut app, PlayerEvent::Paused(true));
    assert_eq!(app.player.playback, Playback::Paused);
}

#[test]
fn end_of_file_and_errors_are_shown_and_the_screen_keeps_working() {
    let (mut app, _) = live(Policy::Enforce);
    ev(&mut app, PlayerEvent::Loaded);
    play(&mut app, 0.0, 25.0);
    ev(&mut app, PlayerEvent::EndOfFile);
    assert_eq!(app.player.playback, Playback::Ended);
    assert!(status(&app).contains("press m"), "{}", status(&app));
    ch(&mut app, 'n');
    ev(&mut app, PlayerEvent::Error("HTTP error 404".into()));
    assert!(matches!(app.player.playback, Playback::Failed(_)));
    assert!(status(&app).contains("404"));
    // Rating still works.
    assert_eq!(journaled(&ch(&mut app, '3')).len(), 1);
}

#[test]
fn positions_of_the_previous_file_are_ignored_while_the_next_opens() {
    let (mut app, _) = live(Policy::Off);
    ev(&mut app, PlayerEvent::Loaded);
    play(&mut app, 0.0, 14.0);
    ch(&mut app, 'n');
    ev(
        &mut app,
        PlayerEvent::Position {
            time_s: 14.1,
            duration_s: Some(25.0),
        },
    );
    assert_eq!(app.player.position_s, 0.0);
    assert_eq!(app.review().map(|r| r.cue), Some(0));
}
