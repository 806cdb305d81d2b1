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

/// Runs the rig once with `env`; its result lines, or `None` (after
/// saying why) where it cannot run.
fn rig(env: &[(&str, &str)]) -> Option<Vec<String>> {
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
        .env("ADAPT", "1")
        // A short clip is enough here, and quick to generate once.
        .env("CLIP_SECS", "60")
        .env("BIN", env!("CARGO_BIN_EXE_takes"))
        .envs(env.iter().copied())
        .output()
        .expect("the rig runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{text}\n{err}");
    let lines: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("mode="))
        .map(str::to_string)
        .collect();
    assert!(!lines.is_empty(), "no result line:\n{text}\n{err}");
    Some(lines)
}

fn number(line: &str, name: &str) -> f64 {
    field(line, name)
        .and_then(|v| v.trim_end_matches("ms").parse().ok())
        .unwrap_or_else(|| panic!("{name} in {line}"))
}

/// One rig start for both links (the rig's start-up is most of the time):
/// 2 Mbit/s first, then the shaper drops to 512 kbit/s, then the limit is
/// lifted.
#[test]
fn keys_answer_quickly_at_2_mbit_video_steps_down_at_512_kbit_and_comes_back_over_ssh() {
    let Some(lines) = rig(&[
        ("RATE", "2mbit"),
        ("KEYS", "15"),
        ("RATE2", "512kbit"),
        ("KEYS2", "5"),
        // The adapter's first seconds, then a window long enough to see
        // frames at 2 Mbit/s.
        ("START_SECS", "4"),
        ("FPS_SECS", "6"),
        ("RECOVER", "1"),
    ]) else {
        return;
    };
    let [fast, slow] = lines.as_slice() else {
        panic!("two result lines: {lines:?}");
    };
    assert_eq!(field(fast, "rate"), Some("2mbit"), "{fast}");
    assert_eq!(field(fast, "lost"), Some("0"), "no key is lost: {fast}");
    assert!(number(fast, "probes") >= 30.0, "{fast}");
    assert!(
        number(fast, "p95") < 500.0,
        "p95 key-to-screen at 2 Mbit/s: {fast}"
    );
    assert!(
        number(fast, "fps") > 0.0,
        "a picture reaches the client: {fast}"
    );
    assert_eq!(field(slow, "rate"), Some("512kbit"), "{slow}");
    assert_eq!(field(slow, "lost"), Some("0"), "no key is lost: {slow}");
    assert!(number(slow, "probes") >= 10.0, "{slow}");
    // Moving video stays only where a frame and a key's effect drain
    // within 100 ms: at 512 kbit/s that is stills in the benchmark, but the
    // shaper's 16 kb burst can let a quarter-size picture fit for a while
    // after the drop. The "stills or off" is the benchmark's
    // figure, not a bound here.
    let pane = slow.split_once("pane=").map_or("", |(_, p)| p);
    assert!(
        ["(lower resolution)", "video stills", "video off"]
            .iter()
            .any(|s| pane.contains(s)),
        "the status line says the video stepped down: {slow}"
    );
    // Once the reviewer pauses, a probe finds the faster link: full rate
    // within seconds (the benchmark has the figure), not the half minute
    // a guess at twice the rate took.
    let recover = field(slow, "recover")
        .and_then(|v| v.strip_suffix('s')?.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("full rate never came back: {slow}"));
    assert!(
        recover < 20.0,
        "full rate came back after {recover} s: {slow}"
    );
}
