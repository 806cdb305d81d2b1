//! A server killed with SIGKILL right after acknowledging writes loses none
//! of them. The server runs in a child process (this test binary re-run in
//! "child" mode), so the kill is real.

#[path = "api/support.rs"]
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use support::{Backend, TestPlatform};

const CHILD_DB: &str = "TAKES_RESTART_CHILD_DB";
const CHILD_MEDIA: &str = "TAKES_RESTART_CHILD_MEDIA";
const CHILD_ADDR_FILE: &str = "TAKES_RESTART_CHILD_ADDR_FILE";

/// In child mode: serve until killed. Otherwise a no-op test.
#[tokio::test]
async fn child_server() {
    let (Ok(db), Ok(media), Ok(addr_file)) = (
        std::env::var(CHILD_DB),
        std::env::var(CHILD_MEDIA),
        std::env::var(CHILD_ADDR_FILE),
    ) else {
        return;
    };
    let storage = takes_platform::StorageOptions {
        database_url: Some(db),
        media_dir: Some(media.into()),
    };
    let state = storage
        .open(takes_platform::Clock::System)
        .await
        .expect("child: open storage");
    let server = takes_platform::start(state, ([127, 0, 0, 1], 0).into())
        .await
        .expect("child: start");
    std::fs::write(&addr_file, server.base_url()).expect("child: write address");
    std::future::pending::<()>().await;
}

/// The child server; killed (SIGKILL) and reaped when dropped, so a failing
/// test leaves no server behind.
struct ChildServer(Child);

impl ChildServer {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_child(db: &str, media: &Path, addr_file: &Path) -> (ChildServer, String) {
    let _ = std::fs::remove_file(addr_file);
    let child = ChildServer(
        Command::new(std::env::current_exe().expect("test binary"))
            .args(["child_server", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DB, db)
            .env(CHILD_MEDIA, media)
            .env(CHILD_ADDR_FILE, addr_file)
            .spawn()
            .expect("spawn child server"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(base) = std::fs::read_to_string(addr_file) {
            if !base.is_empty() {
                return (child, base);
            }
        }
        assert!(Instant::now() < deadline, "child server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn acknowledged_writes_survive_sigkill(backend: Backend) {
    let p = TestPlatform::start(backend).await;
    support::recruiter_may_decide(&p.state, &p.f.interview).await;
    let db = p.database_url.clone();
    let media: PathBuf = p.dir.path().join("media");
    let addr_file = p.dir.path().join("child.addr");
    let http = reqwest::Client::new();

    let (mut child, base) = spawn_child(&db, &media, &addr_file);
    let mut acknowledged = Vec::new();
    for (r, token) in p.f.reviewers.iter().enumerate() {
        for (qi, q) in p.f.questions.iter().enumerate() {
            let rating = ((r + qi) % 5 + 1) as i64;
            let resp = http
                .put(format!(
                    "{base}/v1/assignments/{}/scores/{q}",
                    p.f.assignments[r]
                ))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("restart-{r}-{qi}"))
                .json(&json!({"rating": rating, "note": format!("note {r}/{qi}")}))
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status(), StatusCode::OK);
            acknowledged.push((r, q.clone(), rating));
        }
    }
    let resp = http
        .post(format!(
            "{base}/v1/assignments/{}/submit",
            p.f.assignments[1]
        ))
        .bearer_auth(&p.f.reviewers[1])
        .send()
        .await
        .expect("submit");
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = http
        .post(format!("{base}/v1/interviews/{}/decision", p.f.interview))
        .bearer_auth(&p.f.recruiter)
        .json(&json!({"action": "reject", "reason": "no examples"}))
        .send()
        .await
        .expect("decide");
    assert_eq!(resp.status(), StatusCode::CREATED);
    // SIGKILL straight after the last acknowledgement.
    child.kill();

    let (mut child, base) = spawn_child(&db, &media, &addr_file);
    for (r, token) in p.f.reviewers.iter().enumerate() {
        let detail: serde_json::Value = http
            .get(format!("{base}/v1/assignments/{}", p.f.assignments[r]))
            .bearer_auth(token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        for (ar, q, rating) in acknowledged.iter().filter(|(ar, _, _)| *ar == r) {
            let score = detail["my_scores"]
                .as_array()
                .and_then(|s| s.iter().find(|s| s["question_id"] == q.as_str()))
                .unwrap_or_else(|| panic!("score of reviewer {ar} for {q} lost: {detail}"));
            assert_eq!(score["rating"], *rating);
        }
        let expected = if r == 1 { "submitted" } else { "in_progress" };
        assert_eq!(detail["status"], expected);
    }
    let list: serde_json::Value = http
        .get(format!("{base}/v1/interviews"))
        .bearer_auth(&p.f.recruiter)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let row = list["items"]
        .as_array()
        .and_then(|i| {
            i.iter()
                .find(|x| x["id"] == p.f.interview.as_str())
                .cloned()
        })
        .expect("interview listed");
    assert_eq!(row["decision"]["action"], "reject");
    child.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_sqlite() {
    acknowledged_writes_survive_sigkill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_postgres() {
    acknowledged_writes_survive_sigkill(Backend::Postgres).await;
}
