//! The triage board with 10,000 interviews (each with two submitted
//! reviews of every question) on a local server: the API's first page,
//! the real (release) binary in tmux from `T` to the painted board, and
//! its memory after paging deep into the board.
//! `cargo bench --bench board_paint` (needs tmux).

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

fn wait(sock: &str, secs: u64, pred: impl Fn(&str) -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(secs) {
        if pred(&capture(sock)) {
            return Some(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let (url, token) = rt.block_on(async {
        let opts = StorageOptions {
            database_url: Some(takes_platform::db::sqlite_url(
                &dir.path().join("db.sqlite"),
            )),
            media_dir: Some(dir.path().join("media")),
        };
        let state = opts.open(Clock::System).await?;
        let report = takes_platform::seed::demo::load(&state).await?;
        let token = report
            .users
            .iter()
            .find(|u| u.role == "recruiter")
            .map(|u| u.token.clone())
            .unwrap_or_default();
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT q.id AS qs, q.job_role_id AS role FROM question_sets q ORDER BY q.id LIMIT 1",
        )
        .fetch_one(&state.db.pool)
        .await?;
        let (qs, role): (String, String) = (row.try_get("qs")?, row.try_get("role")?);
        let questions: Vec<String> =
            sqlx::query("SELECT id FROM questions WHERE question_set_id = $1 ORDER BY position")
                .bind(&qs)
                .fetch_all(&state.db.pool)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        let reviewers: Vec<String> =
            sqlx::query("SELECT id FROM users WHERE role = 'reviewer' ORDER BY name LIMIT 2")
                .fetch_all(&state.db.pool)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        let now = state.clock.now();
        let people: Vec<(String, String)> = (0..EXTRA)
            .map(|i| (format!("Bench Candidate {i}"), format!("b{i}@example.com")))
            .collect();
        let refs: Vec<(&str, &str)> = people
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let mut w = state.db.begin_write().await?;
        let cands = interviews::candidates(&mut w.tx, now, &refs).await?;
        for (i, c) in cands.iter().enumerate() {
            let iv = interviews::interview(
                &mut w.tx,
                interviews::NewInterview {
                    candidate_id: c,
                    role_id: &role,
                    question_set_id: &qs,
                    status: "completed",
                    invited_at: now - 86_400_000 - i as i64,
                    expires_at: now + 86_400_000,
                    started_at: Some(now - 80_000_000),
                    completed_at: Some(now - 70_000_000 - i as i64 * 1000),
                },
            )
            .await?;
            for (k, r) in reviewers.iter().enumerate() {
                let a = assignments::assignment(&mut w.tx, &iv, r, now, now + 3_600_000, Some(now))
                    .await?;
                for (n, q) in questions.iter().enumerate() {
                    let rating = 1 + ((i + k * 2 + n) % 5) as i64;
                    let s = assignments::NewScore {
                        assignment_id: &a,
                        question_id: q,
                        rating,
                        muted_rating: Some(rating),
                        note: None,
                        at: now,
                    };
                    assignments::score(&mut w.tx, s).await?;
                }
            }
        }
        w.commit().await?;
        let server = takes_platform::start(state, "127.0.0.1:0".parse()?).await?;
        let url = server.base_url();
        std::mem::forget(server); // runs until the process exits
        anyhow::Ok((url, token))
    })?;

    // The API alone: the first page of the whole board and of one stage.
    let http = reqwest::Client::new();
    for path in [
        "/v1/board?limit=50",
        "/v1/board?stage=ready_to_decide&limit=50",
    ] {
        let mut ms = Vec::new();
        for _ in 0..7 {
            let t0 = Instant::now();
            let status = rt.block_on(async {
                let r = http
                    .get(format!("{url}{path}"))
                    .bearer_auth(&token)
                    .send()
                    .await?;
                let status = r.status();
                let _ = r.bytes().await?;
                anyhow::Ok(status)
            })?;
            anyhow::ensure!(status.is_success(), "{path}: {status}");
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "GET {path}: median {:.1} ms (runs {:?})",
            ms[ms.len() / 2],
            ms.iter().map(|m| m.round()).collect::<Vec<_>>()
        );
    }

    let home = tempfile::tempdir()?;
    let env = format!(
        "exec env HOME={h} XDG_CONFIG_HOME={h}/c XDG_DATA_HOME={h}/d XDG_CACHE_HOME={h}/k TERM=xterm-256color COLORTERM=truecolor",
        h = home.path().display()
    );
    let sock = format!("takes-board-bench-{}", std::process::id());
    // Launch to the painted queue and on to the painted board (`T` as soon
    // as the queue shows), run after run; with `TAKES_BENCH_BEFORE` naming
    // an older binary, it runs in turn with this one against the same
    // server, so both columns come from one run.
    let mut bins = vec![("this build", BIN.to_string())];
    if let Some(before) = std::env::var_os("TAKES_BENCH_BEFORE") {
        bins.insert(0, ("before", before.to_string_lossy().into_owned()));
    }
    let mut figures: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); bins.len()];
    // The app's own figure: from its start to the painted queue, as it
    // logs it (no tmux start-up or screen polling in it).
    let mut inside: Vec<Vec<f64>> = vec![Vec::new(); bins.len()];
    let log = home.path().join("k").join("takes").join("takes.log");
    let last_paint = |log: &std::path::Path| {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .rev()
            .find(|l| l.contains("first queue paint"))
            .and_then(|l| l.split("ms=").nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    for _ in 0..7 {
        for (n, (_, bin)) in bins.iter().enumerate() {
            let cmd = format!("{env} {bin} --server {url} --token {token}");
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
            let queue = wait(&sock, 30, |s| {
                s.contains("showing ") && !s.contains("showing 0")
            });
            tmux(&sock).args(["send-keys", "-t", "b", "T"]).status()?;
            let board = wait(&sock, 30, |s| {
                s.contains("Bench Candidate") && s.contains("loaded ")
            });
            if let (Some(q), Some(b)) = (queue, board) {
                figures[n].0.push(q.as_secs_f64() * 1000.0);
                figures[n].1.push((q + b).as_secs_f64() * 1000.0);
                inside[n].extend(last_paint(&log));
            }
            let _ = tmux(&sock).args(["kill-session", "-t", "b"]).status();
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    for (((label, _), (q, b)), inner) in bins.iter().zip(figures.iter_mut()).zip(inside.iter_mut())
    {
        println!(
            "{label}: launch to first painted queue median {:.0} ms (runs {:?}); launch to first painted board median {:.0} ms (runs {:?}); in the app, start to painted queue median {:.0} ms (runs {:?})",
            median(q),
            q.iter().map(|m| m.round()).collect::<Vec<_>>(),
            median(b),
            b.iter().map(|m| m.round()).collect::<Vec<_>>(),
            median(inner),
            inner.iter().map(|m| m.round()).collect::<Vec<_>>(),
        );
    }
    // Where this build's launch went, from its log file (the last run).
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("launch:") || l.contains("first queue paint"))
        .collect();
    let last: Vec<&str> = lines.iter().rev().take(8).rev().copied().collect();
    for l in last {
        println!(
            "  {}",
            l.split_once("INFO").map(|(_, r)| r.trim()).unwrap_or(l)
        );
    }

    for (label, bin) in &bins {
        board_visits(&sock, &env, label, bin, &url, &token)?;
    }
    let _ = tmux(&sock).arg("kill-server").status();
    Ok(())
}

/// The board visited again and again in one process, then paged deep;
/// its memory after, and what holds it.
fn board_visits(
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
    let launch = wait(sock, 30, |s| {
        s.contains("showing ") && !s.contains("showing 0")
    });
    println!("{label}: launch to first painted queue: {launch:?}");
    // `T` to the painted board (rows of 10,000+ interviews), several runs;
    // the first visit waits for the server's first page, later ones show
    // the rows kept from the last visit.
    let mut paints = Vec::new();
    for run in 0..6 {
        tmux(sock).args(["send-keys", "-t", "b", "T"]).status()?;
        let painted = wait(sock, 30, |s| {
            s.contains("Bench Candidate") && s.contains("loaded ")
        });
        match (painted, run) {
            (Some(d), 0) => println!(
                "{label}: first visit, T to first painted board: {:.0} ms; launch to it: {:.0} ms",
                d.as_secs_f64() * 1000.0,
                (launch.unwrap_or_default() + d).as_secs_f64() * 1000.0
            ),
            (Some(d), _) => paints.push(d.as_secs_f64() * 1000.0),
            (None, _) => {}
        }
        tmux(sock).args(["send-keys", "-t", "b", "q"]).status()?;
        wait(sock, 10, |s| !s.contains("ready to decide"));
    }
    paints.sort_by(f64::total_cmp);
    println!(
        "{label}: T to first painted board ({EXTRA} interviews): runs {:?} ms, median {:.0} ms",
        paints.iter().map(|m| m.round()).collect::<Vec<_>>(),
        paints.get(paints.len() / 2).copied().unwrap_or(0.0)
    );
    // Page deep into the board (each time near the end loads the next page).
    tmux(sock).args(["send-keys", "-t", "b", "T"]).status()?;
    wait(sock, 30, |s| s.contains("Bench Candidate"));
    for _ in 0..40 {
        tmux(sock).args(["send-keys", "-t", "b", "G"]).status()?;
        std::thread::sleep(Duration::from_millis(150));
    }
    let screen = capture(sock);
    let loaded = screen
        .lines()
        .find(|l| l.contains("showing"))
        .unwrap_or_default()
        .trim()
        .to_string();
    let pid = tmux(sock)
        .args(["display-message", "-p", "-t", "b", "#{pane_pid}"])
        .output()?;
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let (vm_rss, vm_hwm) = rss::vm(&pid);
    println!(
        "{label}: after paging: {loaded}; VmRSS {vm_rss}, VmHWM {vm_hwm}; libmpv mapped: {}",
        rss::maps_libmpv(&pid)
    );
    rss::print_rss_by_mapping(&pid);
    let _ = tmux(sock).args(["kill-session", "-t", "b"]).status();
    std::thread::sleep(Duration::from_millis(200));
    Ok(())
}
