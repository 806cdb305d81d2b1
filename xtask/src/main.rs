//! `cargo xtask …`: everything a fresh Debian machine needs, in one place.
//!
//! - `setup`: installs the system packages the build and tests need
//! - `demo`: set-up, then `takes demo` (release build)
//! - `demo-ats`: set-up, a build, then `scripts/demo-ats.sh`: the candidate
//!   lifecycle from an ATS event to the scorecard, against a real server
//! - `test`: set-up, fmt, clippy, the `demo-ats` walkthrough, the fuzz
//!   targets (30 s each, logs to files), schemathesis against a running
//!   server, then every cargo test on SQLite and a throwaway PostgreSQL
//! - `fuzz [TARGET…] [--seconds N]`: the cargo-fuzz targets of `fuzz/`, each
//!   for a bounded time from the corpus kept in the repo
//! - `schemathesis`: a build, then `scripts/schemathesis.sh`
//! - `bench platform`: load test of the platform API on SQLite and PostgreSQL
//! - `bench irr`: the reliability library against Python's implementations
//! - `bench player`: time to first frame, and bytes/frames/quality against mpv
//! - `bench ssh [--keys N]`: key-to-screen, fps and bytes at the client
//!   over SSH on a shaped link, against the old renderer, mosh and mpv
//! - `bench insights [--interviews N] [--db sqlite|postgres|both]`: every
//!   insights request against 100,000 interviews (issue 15)
//! - `bench transcription [--clips N]`: the default transcription engine's
//!   seconds of work per minute of audio
//! - `postgres`: starts a throwaway PostgreSQL and prints its URL, for running
//!   single tests by hand; Enter stops it

mod bench_insights;
mod bench_ssh;
mod bench_transcription;
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
        Some("fuzz") => {
            setup::ensure()?;
            setup::ensure_cargo_fuzz()?;
            fuzz(&rest, Output::Shown)
        }
        Some("schemathesis") => {
            setup::ensure()?;
            cargo(&["build", "--locked", "--bin", "takes"], &[], &[])?;
            schemathesis()
        }
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
                "usage: cargo xtask <setup | demo | demo-ats | test | fuzz | schemathesis | bench platform | postgres>"
            );
            bail!("unknown or missing task");
        }
    }
}

/// The debug `takes` binary of this workspace (scripts alone would guess
/// the target directory).
fn takes_binary() -> std::path::PathBuf {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_relative() {
        root.join(target)
    } else {
        target
    };
    target.join("debug").join("takes")
}

/// Runs a script of `scripts/` with the binary just built.
fn script(name: &str) -> Result<()> {
    let root = workspace_root();
    let script = root.join("scripts").join(name);
    let status = Command::new("bash")
        .arg(&script)
        .env("TAKES", takes_binary())
        .current_dir(&root)
        .status()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    Ok(())
}

/// The walkthrough script, with the binary just built.
fn demo_ats() -> Result<()> {
    setup::ensure()?;
    cargo(&["build", "--locked", "--bin", "takes"], &[], &[])?;
    script("demo-ats.sh")
}

/// schemathesis against a running `takes serve` (bounded inside the script).
fn schemathesis() -> Result<()> {
    script("schemathesis.sh")
}

/// The targets of `fuzz/Cargo.toml`.
const FUZZ_TARGETS: &[&str] = &[
    "range",
    "webvtt",
    "irr_csv",
    "config_toml",
    "webhook_signature",
    "journal",
];

/// Each fuzz target for a bounded time (30 s unless `--seconds N`), from the
/// corpus kept in `fuzz/corpus/<target>`. New inputs go to a scratch corpus
/// so the repository's stays small; a crash fails the task and leaves its
/// input under `fuzz/artifacts/`.
fn fuzz(args: &[&str], output: Output) -> Result<()> {
    let mut seconds = "30".to_string();
    let mut targets: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--seconds" => seconds = it.next().context("--seconds needs a number")?.to_string(),
            t if FUZZ_TARGETS.contains(&t) => targets.push(t),
            other => bail!("unknown fuzz target {other:?} (known: {FUZZ_TARGETS:?})"),
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.to_vec();
    }
    let root = workspace_root();
    // cargo-fuzz needs nightly flags; the stable toolchain accepts them with
    // RUSTC_BOOTSTRAP. No sanitizer: the code under test is safe Rust, so
    // panics (overflow checks and debug assertions are on) are what is
    // looked for, and ASan would halve the executions of the time budget.
    let env = [("RUSTC_BOOTSTRAP", "1")];
    let common = ["fuzz", "build", "--sanitizer", "none", "--debug-assertions"];
    cargo(&common, &[], &env)?;
    for t in targets {
        let scratch = std::env::temp_dir().join(format!("takes-fuzz-{t}"));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch)?;
        let scratch = scratch.display().to_string();
        let seeds = root
            .join("fuzz")
            .join("corpus")
            .join(t)
            .display()
            .to_string();
        let budget = format!("-max_total_time={seconds}");
        eprintln!("xtask: fuzzing {t} for {seconds} s");
        let log = std::env::temp_dir().join(format!("takes-fuzz-{t}.log"));
        let result = cargo_to(
            output.to(&log),
            &[
                "fuzz",
                "run",
                "--sanitizer",
                "none",
                "--debug-assertions",
                t,
                &scratch,
                &seeds,
            ],
            &[
                "--",
                &budget,
                "-max_len=8192",
                "-timeout=10",
                "-print_final_stats=1",
            ],
            &env,
        );
        if output == Output::Logged {
            report_fuzz_log(t, &log, result.is_err());
        }
        result?;
    }
    Ok(())
}

/// Where a long-running tool's output goes: the terminal, or a log file of
/// which only a summary is printed (the test command's log stays readable and
/// ends with the test results, not with a fuzzer's progress lines).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Shown,
    Logged,
}

impl Output {
    fn to(self, log: &std::path::Path) -> Option<&std::path::Path> {
        match self {
            Output::Shown => None,
            Output::Logged => Some(log),
        }
    }
}

/// One line per fuzz target from its libFuzzer log; the whole tail when the
/// target failed, so the crash and its input are in the CI log.
fn report_fuzz_log(target: &str, log: &std::path::Path, failed: bool) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if failed {
        eprintln!(
            "xtask: fuzz target {target} FAILED; the end of {}:",
            log.display()
        );
        for line in &lines[lines.len().saturating_sub(80)..] {
            eprintln!("  {line}");
        }
        return;
    }
    let stat = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim_start_matches(':').trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    eprintln!(
        "xtask: fuzz target {target}: {} runs, {} new inputs, no crash (log: {})",
        stat("stat::number_of_executed_units"),
        stat("stat::new_units_added"),
        log.display()
    );
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
    if extra.is_empty() {
        // The lifecycle walkthrough doubles as a test of the real binaries and
        // scripts a user runs (about 20 s).
        demo_ats()?;
        // The adversarial suites that are not cargo tests (about 4 minutes).
        // They run before the cargo tests so that the log ends with cargo's
        // own test results, which is what CI reads.
        setup::ensure_cargo_fuzz()?;
        fuzz(&[], Output::Logged)?;
        schemathesis()?;
    }
    let pg = postgres::Throwaway::start()?;
    let url = pg.url();
    cargo(
        &["test", "--workspace", "--locked", "--no-fail-fast"],
        extra,
        &[("TAKES_TEST_POSTGRES_URL", url.as_str())],
    )?;
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
        Some("transcription") => {
            setup::ensure_pip(&[("pocketsphinx", "pocketsphinx")])?;
            bench_transcription::run(&args[1..])
        }
        // The candidate page's figures (tests/api/candidate_bench.rs): a
        // test build, as the other platform tests are.
        Some("candidate") => cargo(
            &["test", "--locked", "-p", "takes-platform", "--test", "api", "candidate_bench", "--",
              "--ignored", "--nocapture", "--test-threads", "1"],
            &[],
            &[],
        ),
        // Over SSH on a shaped link (issue 14): needs root for namespaces.
        Some("ssh") => bench_ssh::run(&args[1..]),
        Some("insights") => bench_insights::run(&args[1..]),
        _ => bail!("usage: cargo xtask bench platform [--reviewers N] [--rounds N] [--think-ms N] | bench irr [--continuous] | bench player | bench transcription [--clips N] | bench candidate | bench ssh [--keys N]"),
    }
}

/// Runs cargo from the workspace root; a failure names the command.
pub fn cargo(args: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Result<()> {
    cargo_to(None, args, extra, env)
}

/// [`cargo`], with stdout and stderr into `log` when one is given.
fn cargo_to(
    log: Option<&std::path::Path>,
    args: &[&str],
    extra: &[&str],
    env: &[(&str, &str)],
) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(args).args(extra).current_dir(workspace_root());
    if let Some(log) = log {
        let file = std::fs::File::create(log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        cmd.stdout(file.try_clone()?).stderr(file);
    }
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
