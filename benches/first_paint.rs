//! Launch-to-first-painted-queue and memory with 10,000 assignments, the
//! real (release) binary in tmux against a local server.
//! `cargo bench --bench first_paint` (needs tmux).

use std::process::Command;
use std::time::{Duration, Instant};
use takes_platform::store::{assignments, interviews};
use takes_platform::{Clock, StorageOptions};

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

    // Launch to first paint, several runs.
    let mut ms = Vec::new();
    for run in 0..7 {
        let out = home.path().join(format!("paint{run}.txt"));
        let cmd = format!(
            "{env} {BIN} --server {url} --token {token} --exit-after-first-paint 2>{}",
            out.display()
        );
        let st = tmux(&sock)
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
        anyhow::ensure!(st.success(), "tmux failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let alive = tmux(&sock)
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
        if let Some(v) = text
            .split_whitespace()
            .filter_map(|w| w.parse::<u64>().ok())
            .next()
        {
            if run > 0 {
                ms.push(v); // the first run warms caches
            }
        }
    }
    ms.sort();
    println!(
        "launch to first painted queue ({} assignments): runs {:?} ms, median {} ms",
        EXTRA + 18,
        ms,
        ms.get(ms.len() / 2).copied().unwrap_or(0)
    );

    // Memory with the whole queue loaded.
    let cmd = format!("{env} {BIN} --server {url} --token {token}");
    tmux(&sock)
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
    while !capture(&sock).contains("showing") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = tmux(&sock)
        .args(["display-message", "-p", "-t", "b", "#{pane_pid}"])
        .output()?;
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let t0 = Instant::now();
    // Jump to the end repeatedly: each time near the end loads the next page.
    while Instant::now() < deadline {
        tmux(&sock).args(["send-keys", "-t", "b", "G"]).status()?;
        let s = capture(&sock);
        if s.contains(&format!("showing {}", EXTRA + 18)) && !s.contains("loaded ") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let all_loaded = t0.elapsed();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    println!(
        "whole queue loaded by scrolling in {:?}; {} ; {} ; {}",
        all_loaded,
        field("VmRSS"),
        field("VmHWM"),
        field("Threads")
    );
    print_rss_by_mapping(&pid);
    let _ = tmux(&sock).arg("kill-server").status();
    Ok(())
}

/// What holds the resident memory, by mapping (`/proc/PID/smaps`), as a
/// table by cause: the binary, libmpv with the libraries it pulls in
/// (every shared library but the C runtime's), the C runtime, the heap and
/// anonymous mappings (malloc arenas of other threads, thread stacks,
/// libmpv's own buffers); then the largest mappings by name.
fn print_rss_by_mapping(pid: &str) {
    const RUNTIME: [&str; 4] = ["libc.so", "libm.so", "libgcc_s.so", "ld-linux"];
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    // name -> (rss, pss, private dirty, mappings), in kB.
    let mut by: std::collections::BTreeMap<String, [u64; 4]> = Default::default();
    let mut causes: std::collections::BTreeMap<&str, [u64; 4]> = Default::default();
    let (mut name, mut cause) = (String::new(), "");
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let kb = || -> u64 {
            line.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let slot = match first {
            "Rss:" => 0,
            "Pss:" => 1,
            "Private_Dirty:" => 2,
            _ if first.contains('-') && !first.ends_with(':') => {
                let path = line.split_whitespace().nth(5).unwrap_or("[anonymous]");
                name = path.rsplit('/').next().unwrap_or(path).to_string();
                cause = if path == "[heap]" {
                    "heap"
                } else if path.starts_with('[') {
                    "anonymous, stacks, vdso"
                } else if path.ends_with("/takes") {
                    "the takes binary"
                } else if RUNTIME.iter().any(|r| name.starts_with(r)) {
                    "C runtime (libc, libm, libgcc_s, ld.so)"
                } else if name.contains(".so") {
                    "libmpv and the libraries it pulls in"
                } else {
                    "other files"
                };
                by.entry(name.clone()).or_default()[3] += 1;
                causes.entry(cause).or_default()[3] += 1;
                continue;
            }
            _ => continue,
        };
        let v = kb();
        by.entry(name.clone()).or_default()[slot] += v;
        causes.entry(cause).or_default()[slot] += v;
    }
    let libs = by
        .keys()
        .filter(|n| n.contains(".so") && !RUNTIME.iter().any(|r| n.starts_with(r)))
        .count();
    println!("resident memory by cause (kB: Rss, Pss, Private_Dirty, mappings); {libs} libraries besides the C runtime:");
    let mut rows: Vec<_> = causes.into_iter().collect();
    rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]));
    for (cause, [rss, pss, dirty, n]) in &rows {
        println!("  {rss:>8} {pss:>8} {dirty:>8} {n:>5}  {cause}");
    }
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]));
    println!("largest mappings by name (kB: Rss, Pss, Private_Dirty):");
    for (name, [rss, pss, dirty, _]) in rows.iter().take(12) {
        println!("  {rss:>8} {pss:>8} {dirty:>8}  {name}");
    }
}
