//! The real `takes serve` under load, killed with SIGKILL at random moments
//! 20 times and restarted: 50 reviewers keep writing scores with
//! Idempotency-Keys (retrying a write with the same key until it is
//! acknowledged) and finally submit. Afterwards every acknowledged write is
//! there exactly once, and the webhook outbox holds exactly one
//! `review.submitted` per submitted review, in a gap-free stream.
//!
//! The binary is the workspace's `takes` (built by `cargo test --workspace`);
//! `TAKES_BIN` overrides where it is looked for.

#[path = "api/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{Backend, TestPlatform};
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::assignments;

const REVIEWERS: usize = 50;
const KILLS: usize = 20;

fn takes_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAKES_BIN") {
        return p.into();
    }
    // target/debug/deps/kill9-… -> target/debug/takes
    let exe = std::env::current_exe().expect("test binary path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|debug| debug.join("takes"))
        .expect("target directory");
    assert!(
        bin.exists(),
        "{} does not exist: build it (`cargo build --bin takes`), or run the suite with \
         `cargo xtask test`, or set TAKES_BIN",
        bin.display()
    );
    bin
}

/// `takes serve` as a child process; SIGKILLed and reaped when dropped.
struct Server(Child);

impl Server {
    fn start(db: &str, media: &std::path::Path, port: u16) -> Server {
        let child = Command::new(takes_binary())
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("TAKES_DATABASE", db)
            .env("TAKES_MEDIA_DIR", media)
            .env_remove("TAKES_SERVER_CONFIG")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn takes serve");
        Server(child)
    }

    fn kill(&mut self) {
        // std's kill is SIGKILL on Unix.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/v1/health")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "takes serve did not come up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A small deterministic generator, seeded from the clock and printed, so a
/// failing schedule can be replayed with `TAKES_KILL9_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

struct Reviewer {
    token: String,
    assignment: String,
}

/// One reviewer's acknowledged writes: (question, rating, note) per
/// acknowledgement, in order; and whether the submit was acknowledged.
#[derive(Default)]
struct Acks {
    scores: Vec<(String, i64, String)>,
    submitted: bool,
}

async fn reviewer_loop(
    http: reqwest::Client,
    base: String,
    me: usize,
    rev: Reviewer,
    questions: Vec<String>,
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Acks>>,
) {
    let mut round = 0usize;
    // At least one full round, then keep going until the kills are over.
    while round < 1 || !stop.load(Ordering::Relaxed) {
        for (qi, q) in questions.iter().enumerate() {
            let rating = ((me + qi + round) % 5 + 1) as i64;
            let note = format!("r{me} q{qi} round {round}");
            let key = format!("k9-{me}-{qi}-{round}");
            let body = json!({"rating": rating, "note": note});
            // The same key until acknowledged: a write the server committed
            // just before dying is answered from the idempotency record.
            loop {
                let sent = http
                    .put(format!(
                        "{base}/v1/assignments/{}/scores/{q}",
                        rev.assignment
                    ))
                    .bearer_auth(&rev.token)
                    .header("Idempotency-Key", &key)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        assert_eq!(v["rating"], rating, "reviewer {me}: {v}");
                        acks.lock()
                            .expect("acks")
                            .scores
                            .push((q.clone(), rating, note.clone()));
                        break;
                    }
                    // A server still starting may answer 503.
                    Ok(r) if r.status().is_server_error() => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Ok(r) => {
                        let s = r.status();
                        panic!("reviewer {me}: {s} {}", r.text().await.unwrap_or_default())
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }
        round += 1;
    }
    let mut lost_connection = false;
    loop {
        let sent = http
            .post(format!("{base}/v1/assignments/{}/submit", rev.assignment))
            .bearer_auth(&rev.token)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => break,
            // A submit committed by a process killed before it answered.
            Ok(r) if r.status().as_u16() == 409 && lost_connection => break,
            Ok(r) => panic!(
                "reviewer {me}: submit {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ),
            Err(_) => {
                lost_connection = true;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    acks.lock().expect("acks").submitted = true;
}

async fn sigkill_under_load(backend: Backend) {
    use sqlx::Row;
    let started = Instant::now();
    let p = TestPlatform::start(backend).await;
    let now = p.state.clock.now();
    let mut reviewers = Vec::new();
    for i in 0..REVIEWERS {
        let (id, token) = takes_platform::auth::issue_token(
            &p.state.db,
            now,
            &format!("Load Reviewer {i}"),
            UserRole::Reviewer,
            "kill9",
        )
        .await
        .expect("token");
        let mut w = p.state.db.begin_write().await.expect("begin");
        let a =
            assignments::assignment(&mut w.tx, &p.f.interview, &id, now - DAY, now + HOUR, None)
                .await
                .expect("assignment");
        w.commit().await.expect("commit");
        reviewers.push(Reviewer {
            token,
            assignment: a,
        });
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let media = p.dir.path().join("media");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut server = Server::start(&p.database_url, &media, port);
    wait_healthy(&http, &base).await;

    let seed = std::env::var("TAKES_KILL9_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(88_172_645_463_325_252)
        });
    eprintln!("kill9 ({backend:?}): TAKES_KILL9_SEED={seed}");
    let mut rng = Rng(seed);

    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    let mut all_acks = Vec::new();
    for (me, rev) in reviewers.into_iter().enumerate() {
        let acks = Arc::new(Mutex::new(Acks::default()));
        all_acks.push((rev.assignment.clone(), acks.clone()));
        tasks.push(tokio::spawn(reviewer_loop(
            http.clone(),
            base.clone(),
            me,
            rev,
            p.f.questions.to_vec(),
            stop.clone(),
            acks,
        )));
    }
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(150 + rng.next(600))).await;
        server.kill();
        server = Server::start(&p.database_url, &media, port);
        wait_healthy(&http, &base).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("reviewer task");
    }
    server.kill();

    // Every acknowledged write is there: the last acknowledged one of each
    // question is the stored score (writes of one reviewer are sequential).
    let pool = &p.state.db.pool;
    let mut submitted_assignments = Vec::new();
    let mut total_acks = 0;
    for (assignment, acks) in &all_acks {
        // Copied out: the guard must not be held across the query below.
        let (scores, submitted) = {
            let acks = acks.lock().expect("acks");
            (acks.scores.clone(), acks.submitted)
        };
        total_acks += scores.len();
        let mut last: HashMap<&str, (i64, &str)> = HashMap::new();
        for (q, rating, note) in &scores {
            last.insert(q, (*rating, note));
        }
        let rows =
            sqlx::query("SELECT question_id, rating, note FROM scores WHERE assignment_id = $1")
                .bind(assignment)
                .fetch_all(pool)
                .await
                .expect("scores");
        assert_eq!(
            rows.len(),
            p.f.questions.len(),
            "{assignment}: one row per question"
        );
        for row in rows {
            let q: String = row.get("question_id");
            let (rating, note) = last[q.as_str()];
            assert_eq!(row.get::<i64, _>("rating"), rating, "{assignment}/{q}");
            assert_eq!(row.get::<String, _>("note"), note, "{assignment}/{q}");
        }
        assert!(submitted, "{assignment}: submit never acknowledged");
        submitted_assignments.push(assignment.clone());
    }
    let status = sqlx::query(
        "SELECT COUNT(*) FROM assignments WHERE status = 'submitted' AND reviewer_id IN \
         (SELECT id FROM users WHERE name LIKE 'Load Reviewer %')",
    )
    .fetch_one(pool)
    .await
    .expect("count")
    .get::<i64, _>(0);
    assert_eq!(status as usize, REVIEWERS);

    // The outbox: one review.submitted per submitted review, none doubled,
    // and the interview's stream numbered without gaps or repeats.
    let events = sqlx::query(
        "SELECT event_type, seq, body FROM webhook_events WHERE interview_id = $1 ORDER BY seq",
    )
    .bind(&p.f.interview)
    .fetch_all(pool)
    .await
    .expect("events");
    let mut per_assignment: BTreeMap<String, usize> = BTreeMap::new();
    let mut seqs = Vec::new();
    for e in &events {
        seqs.push(e.get::<i64, _>("seq"));
        if e.get::<String, _>("event_type") == "review.submitted" {
            let body: Value =
                serde_json::from_str(&e.get::<String, _>("body")).expect("event body JSON");
            let a = body["data"]["assignment_id"]
                .as_str()
                .or(body["assignment_id"].as_str())
                .unwrap_or_else(|| panic!("no assignment_id in {body}"))
                .to_string();
            *per_assignment.entry(a).or_default() += 1;
        }
    }
    for a in &submitted_assignments {
        assert_eq!(per_assignment.get(a), Some(&1), "review.submitted of {a}");
    }
    assert_eq!(per_assignment.len(), REVIEWERS, "{per_assignment:?}");
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "the interview's event stream");
    eprintln!(
        "kill9 ({backend:?}): {KILLS} kills, {total_acks} acknowledged score writes, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_repeated_sigkill_sqlite() {
    sigkill_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_repeated_sigkill_postgres() {
    sigkill_under_load(Backend::Postgres).await;
}
