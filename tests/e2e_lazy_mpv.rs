//! libmpv is loaded when a review first plays, not at launch (issue 14
//! point 7, issue 13): the queue never maps it, keys are answered while the
//! player is still starting, and a missing libmpv is a clear message while
//! the rest of the review keeps working. The real binary in tmux against a
//! real platform server, playing the demo's real video.

mod common;

use std::time::{Duration, Instant};

use common::{Home, Server, Tmux, BIN};

fn maps_libmpv(t: &Tmux) -> bool {
    let pid = t.pid().expect("the pid of takes");
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    maps.contains("libmpv")
}

/// The `m:ss / m:ss` position in the video pane's status line, in seconds.
fn position_s(screen: &str) -> Option<u32> {
    let line = screen
        .lines()
        .find(|l| l.contains(" / ") && l.contains("x ·"))?;
    let at = line.find(" / ")?;
    let t = line[..at].rsplit(' ').next()?;
    let (m, s) = t.split_once(':')?;
    Some(m.trim().parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?)
}

#[test]
fn the_binary_does_not_link_libmpv() {
    // `readelf -d`: the dynamic section names no libmpv (it is dlopen'ed).
    let out = std::process::Command::new("readelf")
        .args(["-d", BIN])
        .output()
        .expect("readelf (binutils) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NEEDED"), "{text}");
    assert!(!text.contains("libmpv"), "{text}");
}

#[test]
fn keys_are_answered_while_the_player_starts_and_libmpv_loads_only_to_play() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    // The player takes 4 s to start: nothing the reviewer does may wait.
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[("TAKES_TEST_PLAYER_DELAY_MS", "4000")],
        120,
        40,
    );
    t.wait_queue();
    assert!(!maps_libmpv(&t), "the queue mapped libmpv");
    t.keys(&["Enter"]);
    let opened = Instant::now();
    t.wait_for("Not rated yet", 10);
    // The help overlay opens and closes while the player is still starting.
    t.keys(&["?"]);
    t.wait_for("Help —", 10);
    let answered = opened.elapsed();
    assert!(
        answered < Duration::from_millis(3000),
        "the key took {answered:?}, as long as the player's start"
    );
    assert!(!maps_libmpv(&t), "libmpv loaded before the delay ended");
    t.keys(&["Escape"]);
    t.wait("help closed", 5, |s| !s.contains("Help —"));
    // A rating key too.
    t.keys(&["3"]);
    t.wait_for("Muted rating 3 saved", 10);
    assert!(
        opened.elapsed() < Duration::from_millis(4000),
        "the rating waited for the player: {:?}",
        opened.elapsed()
    );
    // Then the player is up, libmpv is mapped, and the response plays.
    t.wait("playback under way", 30, |s| {
        s.contains('▶') && position_s(s).is_some_and(|p| p >= 1)
    });
    assert!(maps_libmpv(&t), "playing without libmpv mapped?");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn a_missing_libmpv_is_named_in_the_review_and_rating_still_works() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[("TAKES_LIBMPV", "/nonexistent/libmpv.so.2")],
        120,
        40,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    let s = t.wait("the reason there is no video", 15, |s| {
        s.contains("libmpv is not installed")
    });
    assert!(
        s.contains("cannot be played") || s.contains("could not be played"),
        "{s}"
    );
    t.keys(&["3"]);
    t.wait_for("Muted rating 3 saved", 10);
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn doctor_names_a_missing_libmpv_and_what_to_install() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(BIN)
        .arg("doctor")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("TAKES_CONFIG")
        .env("TERM", "xterm-256color")
        .env("TAKES_SERVER", "http://127.0.0.1:9")
        .env("TAKES_LIBMPV", "/nonexistent/libmpv.so.2")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("takes doctor runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("libmpv:      MISSING, libmpv is not installed"),
        "{text}"
    );
    assert!(text.contains("apt install libmpv2"), "{text}");
    assert!(text.contains("/nonexistent/libmpv.so.2"), "{text}");
}
