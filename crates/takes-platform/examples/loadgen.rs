//! Load generator for the platform API: N concurrent reviewers each clear
//! their queue (fetch queue, open assignment, write every score, submit)
//! against a release `takes serve` on loopback, on SQLite and PostgreSQL.
//!
//! Run through `cargo xtask bench platform [--reviewers N] [--rounds R]
//! [--backend sqlite|postgres|both]`, which builds the release binary and
//! starts a throwaway PostgreSQL (`TAKES_BENCH_POSTGRES_URL`).

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;
use sqlx::{Connection, Executor};
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::{assignments, interviews, roles};
use takes_platform::{Clock, StorageOptions};
use tokio::sync::Mutex;

struct Options {
    reviewers: usize,
    rounds: usize,
    /// Mean pause between a reviewer's requests (watching, reading, typing);
    /// 0 makes every reviewer a closed loop that saturates the server.
    think_ms: u64,
    backends: Vec<&'static str>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        reviewers: 200,
        rounds: 5,
        think_ms: 1000,
        backends: vec!["sqlite", "postgres"],
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .with_context(|| format!("{} needs a value", args[i]))?;
        match args[i].as_str() {
            "--reviewers" => o.reviewers = value.parse().context("--reviewers")?,
            "--rounds" => o.rounds = value.parse().context("--rounds")?,
            "--think-ms" => o.think_ms = value.parse().context("--think-ms")?,
            "--backend" => {
                o.backends = match value.as_str() {
                    "sqlite" => vec!["sqlite"],
                    "postgres" => vec!["postgres"],
                    "both" => vec!["sqlite", "postgres"],
                    other => bail!("--backend {other:?}: use sqlite, postgres or both"),
                }
            }
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    println!(
        "# platform load: {} concurrent reviewers x {} assignments each, mean think time {} ms",
        o.reviewers, o.rounds, o.think_ms
    );
    for backend in &o.backends {
        run_backend(backend, &o).await?;
    }
    Ok(())
}

/// One reviewer: a token and the ids of their assignments.
struct Reviewer {
    token: String,
}

async fn prepare(
    url: &str,
    media: &std::path::Path,
    o: &Options,
) -> Result<(Vec<Reviewer>, Vec<String>)> {
    let state = StorageOptions {
        database_url: Some(url.to_string()),
        media_dir: Some(media.to_path_buf()),
    }
    .open(Clock::System)
    .await?;
    let now = state.clock.now();
    let mut reviewers = Vec::new();
    let mut ids = Vec::new();
    for i in 0..o.reviewers {
        let (id, token) = takes_platform::auth::issue_token(
            &state.db,
            now,
            &format!("bench reviewer {i}"),
            UserRole::Reviewer,
            "bench",
        )
        .await?;
        ids.push(id);
        reviewers.push(Reviewer { token });
    }
    let mut w = state.db.begin_write().await?;
    let c = &mut *w.tx;
    let role = roles::role(c, now, "Bench Engineer", "Engineering").await?;
    let set = roles::question_set(c, now, &role, "bench", 1).await?;
    let rubric = takes_api::Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: 3,
        anchors: vec![takes_api::Anchor {
            score: 1,
            label: "Weak".into(),
            description: "weak".into(),
        }],
    };
    let mut questions = Vec::new();
    for pos in 1..=4 {
        let q = roles::NewQuestion {
            position: pos,
            prompt: "Describe a time…",
            competency: "Ownership",
            time_limit_s: 120,
            rubric: &rubric,
        };
        questions.push(roles::question(c, &set, q).await?);
    }
    for r in 0..o.rounds {
        let cand =
            interviews::candidate(c, now, &format!("Candidate {r}"), "c@example.com").await?;
        let interview = interviews::interview(
            c,
            interviews::NewInterview {
                candidate_id: &cand,
                role_id: &role,
                question_set_id: &set,
                status: "completed",
                invited_at: now - 3 * DAY,
                expires_at: now,
                started_at: None,
                completed_at: Some(now - DAY),
            },
        )
        .await?;
        for id in &ids {
            assignments::assignment(c, &interview, id, now, now + (r as i64 + 1) * HOUR, None)
                .await?;
        }
    }
    w.commit().await?;
    state.db.pool.close().await;
    Ok((reviewers, questions))
}

fn takes_binary() -> Result<std::path::PathBuf> {
    if let Ok(p) = std::env::var("TAKES_BIN") {
        return Ok(p.into());
    }
    let exe = std::env::current_exe()?;
    // target/release/examples/loadgen -> target/release/takes
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("takes"))
        .context("cannot locate target dir")?;
    if !bin.exists() {
        bail!("{} is missing: build it with `cargo build --release --bin takes` (cargo xtask bench does)", bin.display());
    }
    Ok(bin)
}

async fn start_server(url: &str, media: &std::path::Path) -> Result<(Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(takes_binary()?)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database",
            url,
            "--media-dir",
        ])
        .arg(media)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting takes serve")?;
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/v1/health")).await {
            if r.status().is_success() {
                return Ok((child, base));
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("takes serve did not answer within 30 s")
}

type Samples = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

async fn timed(
    samples: &Samples,
    endpoint: &'static str,
    rb: reqwest::RequestBuilder,
) -> Result<serde_json::Value> {
    let t = Instant::now();
    let resp = rb.send().await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    let elapsed = t.elapsed();
    if !status.is_success() {
        bail!(
            "{endpoint} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    samples
        .lock()
        .await
        .entry(endpoint)
        .or_default()
        .push(elapsed);
    Ok(serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}

/// Pauses for `mean` ± 50 %, so reviewers do not move in lockstep.
async fn think(rng: &mut rand::rngs::StdRng, mean: u64) {
    use rand::Rng;
    if mean > 0 {
        tokio::time::sleep(Duration::from_millis(
            rng.gen_range(mean / 2..=mean + mean / 2),
        ))
        .await;
    }
}

async fn reviewer_session(
    base: String,
    http: reqwest::Client,
    r: Reviewer,
    questions: Arc<Vec<String>>,
    samples: Samples,
    think_ms: u64,
    seed: u64,
) -> Result<()> {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    loop {
        think(&mut rng, think_ms).await;
        let queue = timed(
            &samples,
            "GET /v1/queue",
            http.get(format!("{base}/v1/queue?status=pending&limit=20"))
                .bearer_auth(&r.token),
        )
        .await?;
        let Some(id) = queue["items"][0]["id"].as_str().map(str::to_string) else {
            return Ok(());
        };
        think(&mut rng, think_ms).await;
        timed(
            &samples,
            "GET /v1/assignments/{id}",
            http.get(format!("{base}/v1/assignments/{id}"))
                .bearer_auth(&r.token),
        )
        .await?;
        for (i, q) in questions.iter().enumerate() {
            let rb = http
                .put(format!("{base}/v1/assignments/{id}/scores/{q}"))
                .bearer_auth(&r.token)
                .header("Idempotency-Key", format!("{id}-{i}"))
                .json(&json!({"rating": (i % 5) + 1, "note": "bench"}));
            think(&mut rng, think_ms).await;
            timed(&samples, "PUT /v1/assignments/{id}/scores/{q}", rb).await?;
        }
        think(&mut rng, think_ms).await;
        timed(
            &samples,
            "POST /v1/assignments/{id}/submit",
            http.post(format!("{base}/v1/assignments/{id}/submit"))
                .bearer_auth(&r.token),
        )
        .await?;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn run_backend(backend: &str, o: &Options) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let media = dir.path().join("media");
    let url = match backend {
        "sqlite" => format!("sqlite://{}", dir.path().join("bench.db").display()),
        _ => {
            let admin = std::env::var("TAKES_BENCH_POSTGRES_URL").context(
                "TAKES_BENCH_POSTGRES_URL is not set (cargo xtask bench platform sets it)",
            )?;
            sqlx::any::install_default_drivers();
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::AnyConnection::connect(&admin).await?;
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            format!(
                "{}/{name}",
                admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin)
            )
        }
    };
    let (reviewers, questions) = prepare(&url, &media, o).await?;
    let (mut server, base) = start_server(&url, &media).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(o.reviewers)
        .build()?;
    let samples: Samples = Arc::default();
    let questions = Arc::new(questions);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, r) in reviewers.into_iter().enumerate() {
        tasks.push(tokio::spawn(reviewer_session(
            base.clone(),
            http.clone(),
            r,
            questions.clone(),
            samples.clone(),
            o.think_ms,
            i as u64,
        )));
    }
    let mut failures = 0;
    for t in tasks {
        if let Err(e) = t.await? {
            failures += 1;
            eprintln!("reviewer failed: {e:#}");
        }
    }
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();

    let samples = samples.lock().await;
    let total: usize = samples.values().map(Vec::len).sum();
    println!();
    println!(
        "## {backend}: {total} requests in {:.2} s = {:.0} req/s, {failures} failed reviewers",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!();
    println!("| endpoint | requests | req/s | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (endpoint, durations) in samples.iter() {
        let mut d = durations.clone();
        d.sort();
        println!(
            "| `{endpoint}` | {} | {:.0} | {:.1} | {:.1} | {:.1} |",
            d.len(),
            d.len() as f64 / elapsed.as_secs_f64(),
            percentile(&d, 0.50),
            percentile(&d, 0.99),
            percentile(&d, 1.0)
        );
    }
    if failures > 0 {
        bail!("{failures} reviewers failed");
    }
    Ok(())
}
