//! End to end over a shaped link: `scripts/slow-link-bench.sh` builds two
//! network namespaces joined by veth with `tc tbf`, Debian's sshd in one and
//! a tmux client running `ssh` in the other, plays a busy 30 fps clip (every
//! cell changes every frame) in `takes demo` and times the `?` overlay
//! appearing and going away. The precise figures belong to the benchmark
//! (`cargo xtask bench ssh`, docs/BENCHMARKS.md); these assert generous
//! bounds. Skip, saying why, only without root or network namespaces.

use std::process::Command;

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
}

/// One rig at a time: two would share the CPU and the clip's first build.
static RIG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the rig; `None` (after saying why) where it cannot run.
fn rig(rate: &str, keys: u32) -> Option<String> {
    let _one = RIG.lock().unwrap_or_else(|e| e.into_inner());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/slow-link-bench.sh");
    let ns_ok = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .is_ok_and(|o| o.status.success());
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root || !ns_ok {
        println!("skipped: needs root and network namespaces (root: {root}, netns: {ns_ok})");
        return None;
    }
    let out = Command::new("bash")
        .arg(script)
        .env("MODE", "takes")
        .env("RATE", rate)
        .env("KEYS", keys.to_string())
        .env("ADAPT", "1")
        // A short clip is enough here, and quick to generate once.
        .env("CLIP_SECS", "60")
        .env("BIN", env!("CARGO_BIN_EXE_takes"))
        .output()
        .expect("the rig runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{text}\n{err}");
    let line = text
        .lines()
        .find(|l| l.starts_with("mode="))
        .unwrap_or_else(|| panic!("no result line:\n{text}\n{err}"));
    Some(line.to_string())
}

fn number(line: &str, name: &str) -> f64 {
    field(line, name)
        .and_then(|v| v.trim_end_matches("ms").parse().ok())
        .unwrap_or_else(|| panic!("{name} in {line}"))
}

#[test]
fn keys_answer_quickly_at_2_mbit_over_ssh_with_a_busy_clip() {
    let Some(line) = rig("2mbit", 25) else { return };
    assert_eq!(field(&line, "lost"), Some("0"), "no key is lost: {line}");
    assert!(number(&line, "probes") >= 50.0, "{line}");
    assert!(
        number(&line, "p95") < 500.0,
        "p95 key-to-screen at 2 Mbit/s: {line}"
    );
    assert!(
        number(&line, "fps") > 0.0,
        "a picture reaches the client: {line}"
    );
}

#[test]
fn at_512_kbit_video_steps_down_to_stills_or_off_and_no_key_is_lost() {
    let Some(line) = rig("512kbit", 10) else {
        return;
    };
    assert_eq!(field(&line, "lost"), Some("0"), "no key is lost: {line}");
    assert!(number(&line, "probes") >= 20.0, "{line}");
    let pane = line.split_once("pane=").map_or("", |(_, p)| p);
    assert!(
        pane.contains("video stills") || pane.contains("video off"),
        "the status line says the video stepped down: {line}"
    );
}
