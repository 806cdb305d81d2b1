//! Launch-to-first-painted-queue and memory with 10,000 assignments, the
//! real (release) binary in tmux against a local server.
//! `cargo bench --bench first_paint` (needs tmux); with `TAKES_BENCH_BEFORE`
//! naming an older binary, both run in turn against the same server, so
//! both columns come from one run.

use std::process::Command;
use std::time::{Duration, Instant};
use takes_platform::store::{assignments, interviews};
use takes_platform::{Clock, StorageOptions};

#[path = "common/rss.rs"]
mod rss;

const BIN: &str = env!("CARGO_BIN_EXE_takes");
const EXTRA: usize = 10_000;

fn tmux(sock: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", sock, "-f", "/dev/null"]);
    c
}

fn capture(sock: &str) -> String {
    tmux(sock)
        .args(["capture-pane", "-p", "-t", "b"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let (url, token) = rt.block_on(async {
        let opts = StorageOptions {
            database_url: Some(takes_platform::db::sqlite_url(&dir.path().join("db.sqlite"))),
            media_dir: Some(dir.path().join("media")),
        };
        let state = opts.open(Clock::System).await?;
        let report = takes_platform::seed::demo::load(&state).await?;
        let token = report.users.iter().find(|u| u.name == "Riley Chen").map(|u| u.token.clone()).unwrap_or_default();
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT u.id AS uid, q.id AS qs, q.job_role_id AS role FROM users u, question_sets q WHERE u.name = 'Riley Chen' LIMIT 1",
        )
        .fetch_one(&state.db.pool)
        .await?;
        let (uid, qs, role): (String, String, String) = (row.try_get("uid")?, row.try_get("qs")?, row.try_get("role")?);
        let now = state.clock.now();
        let mut w = state.db.begin_write().await?;
        for i in 0..EXTRA {
            let c = interviews::candidate(&mut w.tx, now, &format!("Bench Candidate {i}"), &format!("b{i}@example.com")).await?;
            let iv = interviews::interview(
                &mut w.tx,
                interviews::NewInterview {
                    candidate_id: &c,
                    role_id: &role,
                    question_set_id: &qs,
                    status: "completed",
                    invited_at: now - 86_400_000,
                    expires_at: now + 86_400_000,
                    started_at: Some(now - 80_000_000),
                    completed_at: Some(now - 70_000_000),
                },
            )
            .await?;
            assignments::assignment(&mut w.tx, &iv, &uid, now, now + (i as i64) * 60_000, None).await?;
        }
        w.commit().await?;
        let server = takes_platform::start(state, "127.0.0.1:0".parse()?).await?;
        let url = server.base_url();
        std::mem::forget(server); // runs until the process exits
        anyhow::Ok((url, token))
    })?;
    let home = tempfile::tempdir()?;
    let env = format!(
        "exec env HOME={h} XDG_CONFIG_HOME={h}/c XDG_DATA_HOME={h}/d XDG_CACHE_HOME={h}/k TERM=xterm-256color COLORTERM=truecolor",
        h = home.path().display()
    );
    let sock = format!("takes-bench-{}", std::process::id());

    let mut bins = vec![("this build", BIN.to_string())];
    if let Some(before) = std::env::var_os("TAKES_BENCH_BEFORE") {
        bins.insert(0, ("before", before.to_string_lossy().into_owned()));
    }
    // Launch to first paint, several runs, the binaries in turn.
    let mut ms: Vec<Vec<u64>> = vec![Vec::new(); bins.len()];
    for run in 0..7 {
        for (n, (_, bin)) in bins.iter().enumerate() {
            if let Some(v) = first_paint_ms(&sock, &env, bin, &url, &token, home.path(), run)? {
                if run > 0 {
                    ms[n].push(v); // the first run warms caches
                }
            }
        }
    }
    for ((label, _), ms) in bins.iter().zip(ms.iter_mut()) {
        ms.sort();
        println!(
            "{label}: launch to first painted queue ({} assignments): runs {:?} ms, median {} ms",
            EXTRA + 18,
            ms,
            ms.get(ms.len() / 2).copied().unwrap_or(0)
        );
    }
    for (label, bin) in &bins {
        memory(&sock, &env, label, bin, &url, &token)?;
    }
    Ok(())
}

/// One launch with `--exit-after-first-paint`: the app's own figure.
fn first_paint_ms(
    sock: &str,
    env: &str,
    bin: &str,
    url: &str,
    token: &str,
    home: &std::path::Path,
    run: usize,
) -> anyhow::Result<Option<u64>> {
    let out = home.join(format!("paint{run}.txt"));
    let cmd = format!(
        "{env} {bin} --server {url} --token {token} --exit-after-first-paint 2>{}",
        out.display()
    );
    // A build that paints and exits within tmux's own start-up makes
    // `new-session` report "server exited unexpectedly"; its figure is in
    // the file all the same.
    let _ = tmux(sock)
        .args([
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "200",
            "-y",
            "50",
            &cmd,
        ])
        .stderr(std::process::Stdio::null())
        .status()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let alive = tmux(sock)
            .args(["has-session", "-t", "b"])
            .stderr(std::process::Stdio::null())
            .status()?
            .success();
        if !alive || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    Ok(text
        .split_whitespace()
        .filter_map(|w| w.parse::<u64>().ok())
        .next())
}

/// Memory with the whole queue loaded, and what holds it.
fn memory(
    sock: &str,
    env: &str,
    label: &str,
    bin: &str,
    url: &str,
    token: &str,
) -> anyhow::Result<()> {
    let cmd = format!("{env} {bin} --server {url} --token {token}");
    tmux(sock)
        .args([
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "200",
            "-y",
            "50",
            &cmd,
        ])
        .status()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !capture(sock).contains("showing") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = tmux(sock)
        .args(["display-message", "-p", "-t", "b", "#{pane_pid}"])
        .output()?;
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let t0 = Instant::now();
    // Jump to the end repeatedly: each time near the end loads the next page.
    while Instant::now() < deadline {
        tmux(sock).args(["send-keys", "-t", "b", "G"]).status()?;
        let s = capture(sock);
        if s.contains(&format!("showing {}", EXTRA + 18)) && !s.contains("loaded ") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let all_loaded = t0.elapsed();
    let (vm_rss, vm_hwm) = rss::vm(&pid);
    println!(
        "{label}: whole queue loaded by scrolling in {all_loaded:?}; VmRSS {vm_rss}; VmHWM {vm_hwm}; libmpv mapped: {}",
        rss::maps_libmpv(&pid)
    );
    rss::print_rss_by_mapping(&pid);
    let _ = tmux(sock).args(["kill-session", "-t", "b"]).status();
    std::thread::sleep(Duration::from_millis(200));
    Ok(())
}
