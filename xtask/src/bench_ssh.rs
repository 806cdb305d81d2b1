//! `cargo xtask bench ssh [--keys N]`: key-to-screen latency, frames and
//! bytes at the client over SSH on a shaped link (issue 14), side by side in
//! one run: adaptive `takes`, the old renderer (`TAKES_VIDEO_ADAPT=0`),
//! `takes` inside `mosh`, and `mpv --vo=tct`, at 2 Mbit/s and 512 kbit/s.
//! Runs `scripts/slow-link-bench.sh` (root: network namespaces) once per
//! cell and prints a Markdown table for docs/BENCHMARKS.md.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cargo, workspace_root};

/// (label, MODE, ADAPT, RECOVER) of each column, in the table's order.
const RUNS: [(&str, &str, &str, &str); 4] = [
    ("takes, adaptive", "takes", "1", "1"),
    (
        "takes, old renderer (`TAKES_VIDEO_ADAPT=0`)",
        "takes",
        "0",
        "0",
    ),
    ("takes inside mosh (old renderer)", "mosh", "0", "0"),
    ("mpv --vo=tct (probe: seek)", "mpv", "0", "0"),
];

pub fn run(args: &[&str]) -> Result<()> {
    let keys = match args {
        [] => "50".to_string(),
        ["--keys", n] => {
            let k: u32 = n
                .parse()
                .with_context(|| format!("--keys {n}: not a number"))?;
            if k < 1 {
                bail!("--keys {n}: at least 1");
            }
            k.to_string()
        }
        _ => bail!("usage: cargo xtask bench ssh [--keys N]"),
    };
    cargo(&["build", "--locked", "--bin", "takes"], &[], &[])?;
    let root = workspace_root();
    let script = root.join("scripts/slow-link-bench.sh");
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut rows = Vec::new();
    for rate in ["2mbit", "512kbit"] {
        for (label, mode, adapt, recover) in RUNS {
            let mut cmd = if as_root {
                Command::new("bash")
            } else {
                let mut c = Command::new("sudo");
                c.args(["-E", "bash"]);
                c
            };
            cmd.arg(&script)
                .env("MODE", mode)
                .env("RATE", rate)
                .env("KEYS", &keys)
                .env("ADAPT", adapt)
                .env("RECOVER", recover)
                .env("BIN", root.join("target/debug/takes"));
            eprintln!("bench ssh: {rate}, {label}");
            let out = cmd.output().context("running scripts/slow-link-bench.sh")?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let line = text
                .lines()
                .find(|l| l.starts_with("mode="))
                .map(str::to_string);
            match line {
                Some(l) if out.status.success() => rows.push((rate, label, l)),
                _ => {
                    let err = String::from_utf8_lossy(&out.stderr);
                    eprintln!("bench ssh: {rate}, {label} failed:\n{text}\n{err}");
                    rows.push((rate, label, String::new()));
                }
            }
        }
    }
    println!("| link | run | probes | lost | p50 | p95 | max | fps at the client | bytes/s, no keys | bytes/s, probing | to full rate after the limit is lifted | video status at the end |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (rate, label, line) in rows {
        let f = |name: &str| field(&line, name).unwrap_or("-").to_string();
        println!(
            "| {rate} | {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f("probes"),
            f("lost"),
            f("p50"),
            f("p95"),
            f("max"),
            f("fps"),
            f("idle_bytes/s"),
            f("bytes/s"),
            f("recover"),
            line.split_once("pane=")
                .map_or("-", |(_, p)| p.trim_matches('\'')),
        );
    }
    Ok(())
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
}
