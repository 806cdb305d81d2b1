//! End to end over a shaped link: `scripts/slow-link-bench.sh` builds two
//! network namespaces joined by veth with `tc tbf` at 2 Mbit/s, Debian's
//! sshd in one and a tmux client running `ssh` in the other, plays a
//! response in `takes demo` and times the `?` overlay appearing and going
//! away. The precise figures belong to the benchmark (docs/BENCHMARKS.md);
//! this asserts a generous bound. Skips, saying why, only without root or
//! network namespaces.

use std::process::Command;

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
}

#[test]
fn keys_answer_within_a_second_at_2_mbit_over_ssh() {
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
        return;
    }
    let out = Command::new("bash")
        .arg(script)
        .env("RATE", "2mbit")
        .env("KEYS", "25")
        .env("ADAPT", "1")
        .env("BIN", env!("CARGO_BIN_EXE_takes"))
        .output()
        .expect("the rig runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{text}\n{err}");
    let line = text
        .lines()
        .find(|l| l.starts_with("rate="))
        .unwrap_or_else(|| panic!("no result line:\n{text}\n{err}"));
    let ms = |name: &str| -> f64 {
        field(line, name)
            .and_then(|v| v.trim_end_matches("ms").parse().ok())
            .unwrap_or_else(|| panic!("{name} in {line}"))
    };
    assert_eq!(field(line, "lost"), Some("0"), "no key is lost: {line}");
    assert!(ms("probes") >= 50.0, "{line}");
    assert!(ms("p95") < 1000.0, "p95 key-to-screen at 2 Mbit/s: {line}");
}
