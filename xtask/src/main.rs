//! `cargo xtask …`: everything a fresh Debian machine needs, in one place.
//!
//! - `setup`: installs the system packages the build and tests need
//! - `demo`: set-up, then `takes demo` (release build)
//! - `demo-ats`: set-up, a build, then `scripts/demo-ats.sh`: the candidate
//!   lifecycle from an ATS event to the scorecard, against a real server
//! - `test`: set-up, a throwaway PostgreSQL, fmt, clippy, every test, then
//!   the `demo-ats` walkthrough
//! - `bench platform`: load test of the platform API on SQLite and PostgreSQL
//! - `bench irr`: the reliability library against Python's implementations
//! - `bench player`: time to first frame, and bytes/frames/quality against mpv
//! - `postgres`: starts a throwaway PostgreSQL and prints its URL, for running
//!   single tests by hand; Enter stops it

mod postgres;
mod setup;

use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        Some("setup") => setup::ensure(),
        Some("demo") => {
            setup::ensure()?;
            cargo(
                &[
                    "run",
                    "--release",
                    "--locked",
                    "--bin",
                    "takes",
                    "--",
                    "demo",
                ],
                &rest,
                &[],
            )
        }
        Some("demo-ats") => demo_ats(),
        Some("test") => test(&rest),
        Some("bench") => bench(&rest),
        Some("postgres") => {
            setup::ensure()?;
            let pg = postgres::Throwaway::start()?;
            println!("{}", pg.url());
            eprintln!("PostgreSQL is running; press Enter to stop it");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            drop(pg);
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | demo | demo-ats | test | bench platform | postgres>"
            );
            bail!("unknown or missing task");
        }
    }
}

/// The walkthrough script, with the binary just built (the script alone
/// would guess the target directory).
fn demo_ats() -> Result<()> {
    setup::ensure()?;
    cargo(&["build", "--locked", "--bin", "takes"], &[], &[])?;
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_relative() {
        root.join(target)
    } else {
        target
    };
    let script = root.join("scripts").join("demo-ats.sh");
    let status = Command::new("bash")
        .arg(&script)
        .env("TAKES", target.join("debug").join("takes"))
        .current_dir(&root)
        .status()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    Ok(())
}

fn test(extra: &[&str]) -> Result<()> {
    setup::ensure()?;
    cargo(&["fmt", "--all", "--check"], &[], &[])?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
        &[],
    )?;
    // A build without libmpv (the `mpv` feature off) must still build and
    // review with the transcript.
    cargo(
        &[
            "clippy",
            "-p",
            "takes",
            "--no-default-features",
            "--lib",
            "--bins",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
        &[],
    )?;
    let pg = postgres::Throwaway::start()?;
    let url = pg.url();
    cargo(
        &["test", "--workspace", "--locked", "--no-fail-fast"],
        extra,
        &[("TAKES_TEST_POSTGRES_URL", url.as_str())],
    )?;
    // The lifecycle walkthrough doubles as a test of the real binaries and
    // scripts a user runs (about 20 s).
    if extra.is_empty() {
        demo_ats()?;
    }
    Ok(())
}

fn bench(args: &[&str]) -> Result<()> {
    match args.first().copied() {
        Some("platform") => {
            setup::ensure()?;
            cargo(
                &["build", "--release", "--locked", "--bin", "takes"],
                &[],
                &[],
            )?;
            let pg = postgres::Throwaway::start()?;
            let url = pg.url();
            cargo(
                &[
                    "run",
                    "--release",
                    "--locked",
                    "-p",
                    "takes-platform",
                    "--example",
                    "loadgen",
                    "--",
                ],
                &args[1..],
                &[("TAKES_BENCH_POSTGRES_URL", url.as_str())],
            )
        }
        Some("irr") => {
            // Same data set, same run: the Rust library, then the Python
            // `krippendorff` package (and pingouin's ICC) on its CSV.
            setup::ensure_pip(&[("krippendorff", "krippendorff"), ("pingouin", "pingouin")])?;
            let csv = std::env::temp_dir().join("takes-irr-bench.csv");
            let csv_arg = csv.display().to_string();
            let mut rust_args = vec!["--csv", csv_arg.as_str()];
            rust_args.extend(&args[1..]);
            cargo(&["run", "--release", "--locked", "-p", "takes-irr", "--example", "bench_irr", "--"], &rust_args, &[])?;
            let mut py = Command::new("python3");
            py.arg(workspace_root().join("scripts/irr-fixtures/bench_krippendorff.py")).arg(&csv);
            let status = py.status().context("cannot run python3")?;
            if !status.success() {
                bail!("the Python benchmark failed ({status})");
            }
            Ok(())
        }
        Some("player") => {
            // Time to first frame from a local platform (cold and
            // prefetched), then bytes, frames and quality against mpv's tct.
            setup::ensure()?;
            cargo(&["bench", "--locked", "--bench", "first_frame"], &[], &[])?;
            let out = std::env::temp_dir().join("takes-bench-player");
            let status = Command::new("bash")
                .arg(workspace_root().join("crates/takes-player/scripts/bench-player.sh"))
                .arg(&out)
                .current_dir(workspace_root())
                .status()?;
            if !status.success() {
                bail!("the player benchmark script failed ({status})");
            }
            Ok(())
        }
        _ => bail!("usage: cargo xtask bench platform [--reviewers N] [--rounds N] [--think-ms N] | bench irr [--continuous] | bench player"),
    }
}

/// Runs cargo from the workspace root; a failure names the command.
pub fn cargo(args: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(args).args(extra).current_dir(workspace_root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {cargo}"))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| ".".into())
}
