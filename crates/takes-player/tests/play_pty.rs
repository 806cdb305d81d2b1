//! `play_command` through a real pty (util-linux `script`): the figures it
//! reports match what the pty actually received.
//!
//! The test re-runs its own binary inside `script` with
//! `TAKES_PLAY_CHILD=<stats file>`; in that child, `child_play` runs
//! `play_command` on the pty and writes the stats JSON to the file.
#![cfg(feature = "mpv")]

use std::path::PathBuf;
use std::process::Command;

use takes_player::{play_command, OutputSetting, PlayOptions};

#[test]
fn child_play() {
    let Ok(stats_path) = std::env::var("TAKES_PLAY_CHILD") else {
        return; // only meaningful inside the pty started below
    };
    let source = std::env::var("TAKES_PLAY_SOURCE").expect("source");
    let mut opts = PlayOptions::new(source);
    opts.output = OutputSetting::Halfblocks;
    opts.audio = false;
    let stats = play_command(opts).expect("play_command");
    std::fs::write(stats_path, stats.to_json_line()).expect("write stats");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[test]
fn play_stats_match_the_bytes_the_pty_received() {
    if std::env::var("TAKES_PLAY_CHILD").is_ok() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("player-fixtures");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/make-fixtures.sh");
    assert!(Command::new("bash")
        .arg(script)
        .arg(&dir)
        .status()
        .expect("ffmpeg")
        .success());
    let tmp = tempfile::tempdir().expect("tempdir");
    let stats_path = tmp.path().join("stats.json");
    let exe = std::env::current_exe().expect("test binary");
    let cmd = format!(
        "stty cols 80 rows 24; exec {} --exact child_play --nocapture --test-threads=1 -q",
        exe.display()
    );
    let out = Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .env("TAKES_PLAY_CHILD", &stats_path)
        .env("TAKES_PLAY_SOURCE", dir.join("red.mp4"))
        .env("COLORTERM", "truecolor")
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script(1)");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&stats_path).expect("stats written")).expect("json");
    let bytes = &out.stdout;
    // Everything play_command wrote lies between entering and leaving the
    // alternate screen; the test harness' own lines are outside.
    let start = find(bytes, b"\x1b[?1049h").expect("entered the alternate screen");
    let end = rfind(bytes, b"\x1b[?1049l").expect("left the alternate screen") + 8;
    let received = (end - start) as u64;
    let reported = stats["bytes_written"].as_u64().expect("bytes_written");
    assert_eq!(
        received, reported,
        "pty received {received} bytes, stats say {reported}"
    );
    assert_eq!(stats["output"], "halfblocks");
    assert_eq!(stats["end"], "eof");
    assert!(stats["error"].is_null());
    let decoded = stats["frames_decoded"].as_u64().expect("decoded");
    let drawn = stats["frames_drawn"].as_u64().expect("drawn");
    let dropped = stats["frames_dropped"].as_u64().expect("dropped");
    assert!(drawn >= 1 && drawn <= decoded, "drawn {drawn} of {decoded}");
    assert_eq!(decoded, drawn + dropped);
    assert!(stats["first_frame_ms"].as_u64().is_some());
    // A solid red clip paints red half-blocks (truecolor, H.264 range).
    let session = &bytes[start..end];
    let text = String::from_utf8_lossy(session);
    assert!(
        text.contains("38;2;254;0;0") || text.contains("38;2;255;0;0"),
        "red cells in the output"
    );
    assert!(text.contains('▀'));
    // Solid colour: after the first frame almost nothing is repainted.
    let cells = stats["cells_changed"].as_u64().expect("cells");
    assert!(
        cells < 80 * 24 * 3,
        "{cells} cells repainted for a still clip"
    );
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    if std::env::var("TAKES_PLAY_CHILD").is_ok() {
        return;
    }
    let stats = play_command(PlayOptions::new("/nonexistent/takes.mp4")).expect("returns");
    assert_eq!(stats.end, "error");
    assert!(stats.error.is_some_and(|e| e.contains("no such file")));
}
