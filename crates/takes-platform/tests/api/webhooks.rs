//! Outbound webhooks end to end: real receivers on loopback, signatures
//! checked by the independent Python `standardwebhooks` package, a manual
//! clock driving retries (no sleeping through backoff), and servers that
//! stop and start on the same database.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use takes_platform::store::{assignments, roles};

use axum::http::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::webhooks::ops::{self, DeliveryFilter, ReplayTarget};
use takes_platform::{AppState, Clock, RunningServer, StorageOptions};

use crate::support::{fresh_database, rubric, Backend};

/// One request a receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) id: String,
    pub(crate) timestamp: String,
    pub(crate) signature: String,
    pub(crate) body: String,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("delivered body is JSON")
    }
}

/// A webhook receiver on loopback that records everything it is sent and
/// answers as the test tells it: a status and, optionally, `Retry-After`.
pub(crate) struct Receiver {
    pub(crate) addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<(u16, Option<String>)>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub(crate) async fn start(addr: SocketAddr, status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answer = Arc::new(Mutex::new((status, None::<String>)));
        let (g, a) = (got.clone(), answer.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (g, a) = (g.clone(), a.clone());
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    g.lock().expect("lock").push(Received {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        signature: h("webhook-signature"),
                        body,
                    });
                    let (status, retry_after) = a.lock().expect("lock").clone();
                    let mut resp = axum::response::Response::new(axum::body::Body::empty());
                    *resp.status_mut() = axum::http::StatusCode::from_u16(status)
                        .unwrap_or(axum::http::StatusCode::OK);
                    if let Some(r) = retry_after {
                        resp.headers_mut().insert(
                            "retry-after",
                            axum::http::HeaderValue::from_str(&r).expect("header"),
                        );
                    }
                    resp
                }
            }),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Receiver {
            addr,
            got,
            answer,
            stop: Some(tx),
            task,
        }
    }

    /// From now on, answers `status` (with `Retry-After: retry_after`).
    pub(crate) fn answer(&self, status: u16, retry_after: Option<&str>) {
        *self.answer.lock().expect("lock") = (status, retry_after.map(str::to_string));
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// A loopback address nothing listens on (yet): connections are refused.
async fn closed_port() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    l.local_addr().expect("addr")
}

pub(crate) fn hook_url(addr: SocketAddr) -> String {
    format!("http://{addr}/hook")
}

/// A platform with a manual clock and a small data set: interview `i0`
/// reviewed by reviewers 0 and 1, interview `i1` by reviewer 0 alone.
struct Hooks {
    _dir: tempfile::TempDir,
    database_url: String,
    media_dir: std::path::PathBuf,
    clock: Clock,
    server: Option<RunningServer>,
    state: AppState,
    base: String,
    http: reqwest::Client,
    admin: String,
    recruiter: String,
    reviewers: [String; 2],
    interviews: [String; 2],
    questions: [String; 2],
    /// Reviewer 0 on i0, reviewer 1 on i0, reviewer 0 on i1.
    assignments: [String; 3],
}

impl Hooks {
    async fn start(backend: Backend) -> Hooks {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        let media_dir = dir.path().join("media");
        // Real time to start with, so signatures are also fresh enough for
        // the strict `verify` of the Python package on first attempts.
        let clock = Clock::manual(Clock::System.now());
        let state = StorageOptions {
            database_url: Some(database_url.clone()),
            media_dir: Some(media_dir.clone()),
        }
        .open(clock.clone())
        .await
        .expect("open storage");
        let now = clock.now();
        let db = &state.db;
        let token = |name: &'static str, role: UserRole| async move {
            takes_platform::auth::issue_token(db, now, name, role, "test")
                .await
                .expect("token")
        };
        let (r0, t0) = token("Rev Zero", UserRole::Reviewer).await;
        let (r1, t1) = token("Rev One", UserRole::Reviewer).await;
        let (rita, recruiter) = token("Rita Recruiter", UserRole::Recruiter).await;
        let (_, admin) = token("Ada Admin", UserRole::Admin).await;
        let mut w = db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let role = roles::role(c, now, "Support Engineer", "Customer Success")
            .await
            .expect("role");
        // Rita recruits for the role: she may decide its interviews.
        takes_platform::store::board::writes::add_recruiter(c, now, &role, &rita)
            .await
            .expect("recruiter");
        let set = roles::question_set(c, now, &role, "Screen", 1)
            .await
            .expect("set");
        let rubric = rubric();
        let mut questions = Vec::new();
        for (i, prompt) in ["Tell us about A", "Tell us about B"].iter().enumerate() {
            let q = roles::NewQuestion {
                position: i as i64 + 1,
                prompt,
                competency: "Ownership",
                time_limit_s: 120,
                rubric: &rubric,
            };
            questions.push(roles::question(c, &set, q).await.expect("question"));
        }
        let mut interviews = Vec::new();
        for name in ["Grace Hopper", "Alan Turing"] {
            interviews.push(crate::support::completed_interview(c, now, &role, &set, name).await);
        }
        let mut assignments = Vec::new();
        for (interview, reviewer) in [(0, &r0), (0, &r1), (1, &r0)] {
            assignments.push(
                assignments::assignment(
                    c,
                    &interviews[interview],
                    reviewer,
                    now - DAY,
                    now + DAY,
                    None,
                )
                .await
                .expect("assignment"),
            );
        }
        w.commit().await.expect("commit");
        let mut h = Hooks {
            _dir: dir,
            database_url,
            media_dir,
            clock,
            server: None,
            state,
            base: String::new(),
            http: reqwest::Client::new(),
            admin,
            recruiter,
            reviewers: [t0, t1],
            interviews: interviews.try_into().expect("two"),
            questions: questions.try_into().expect("two"),
            assignments: assignments.try_into().expect("three"),
        };
        h.boot(h.state.clone()).await;
        h
    }

    async fn boot(&mut self, state: AppState) {
        let state = state.with_config(crate::support::loopback_config());
        let server = takes_platform::start(state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start");
        self.base = server.base_url();
        self.server = Some(server);
        self.state = state;
    }

    /// Stops the server (and its worker) and starts a new one, with fresh
    /// state, on the same database and clock.
    async fn restart(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.expect("stop");
        }
        let state = StorageOptions {
            database_url: Some(self.database_url.clone()),
            media_dir: Some(self.media_dir.clone()),
        }
        .open(self.clock.clone())
        .await
        .expect("reopen storage");
        self.boot(state).await;
    }

    /// Moves time on and lets the worker look.
    fn advance(&self, ms: i64) {
        self.clock.advance(ms);
        self.state.webhooks.wake();
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request reached the server");
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = resp.text().await.expect("body");
        if !status.is_success() {
            assert_eq!(ctype, "application/problem+json", "{status}: {text}");
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn register(&self, url: &str) -> (String, String) {
        let (s, body) = self
            .call(
                Method::POST,
                "/v1/webhooks/endpoints",
                &self.admin,
                Some(json!({"url": url, "description": "ATS"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let secret = body["secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("whsec_"), "{secret}");
        (body["id"].as_str().expect("id").to_string(), secret)
    }

    async fn submit_all(&self, reviewer: usize, assignment: usize, rating: i64) {
        for q in &self.questions {
            let (s, body) = self
                .call(
                    Method::PUT,
                    &format!(
                        "/v1/assignments/{}/scores/{q}",
                        self.assignments[assignment]
                    ),
                    &self.reviewers[reviewer],
                    Some(json!({"rating": rating, "note": "clear answer"})),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        let (s, body) = self
            .call(
                Method::POST,
                &format!("/v1/assignments/{}/submit", self.assignments[assignment]),
                &self.reviewers[reviewer],
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    async fn decide(&self, interview: usize, action: &str) {
        let (s, body) = self
            .call(
                Method::POST,
                &format!("/v1/interviews/{}/decision", self.interviews[interview]),
                &self.recruiter,
                Some(json!({"action": action})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count query")
            .get::<i64, _>(0)
    }

    /// Event ids of an interview in the order they were written.
    async fn events_of(&self, interview: usize) -> Vec<String> {
        sqlx::query("SELECT id FROM webhook_events WHERE interview_id = $1 ORDER BY seq")
            .bind(&self.interviews[interview])
            .fetch_all(&self.state.db.pool)
            .await
            .expect("events")
            .iter()
            .map(|r| r.get::<String, _>("id"))
            .collect()
    }
}

/// Polls (real time, briefly) until `check` holds; the worker runs on its
/// own task, so results arrive shortly after a wake-up.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..750 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Checks every delivery's signature with the Python `standardwebhooks`
/// package (an implementation independent of the server's), plus a
/// tampered copy that must fail, so the check itself can fail.
pub(crate) fn verify_with_python(secret: &str, got: &[Received]) {
    let mut items: Vec<Value> = got
        .iter()
        .map(|r| json!({"id": r.id, "ts": r.timestamp, "sig": r.signature, "body": r.body, "expect": true}))
        .collect();
    if let Some(first) = got.first() {
        items.push(
            json!({"id": first.id, "ts": first.timestamp, "sig": first.signature,
                          "body": format!("{} ", first.body), "expect": false}),
        );
    }
    let script = r#"
import json, sys, time
from datetime import datetime, timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
secret, items = sys.argv[1], json.load(sys.stdin)
wh = Webhook(secret)
for it in items:
    expected = wh.sign(it["id"], datetime.fromtimestamp(int(it["ts"]), tz=timezone.utc), it["body"])
    ok = expected in it["sig"].split(" ")
    if ok and abs(time.time() - int(it["ts"])) < 240:
        # Fresh timestamps also pass the package's full verification.
        wh.verify(it["body"], {"webhook-id": it["id"], "webhook-timestamp": it["ts"],
                               "webhook-signature": it["sig"]})
    if ok != it["expect"]:
        print(f"signature check of {it['id']} gave {ok}, expected {it['expect']}")
        sys.exit(1)
print("ok")
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(serde_json::to_string(&items).expect("json").as_bytes())
            .expect("write");
    }
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "standardwebhooks (installed by `cargo xtask setup`) rejected a signature:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (method, path, body, expected status, field the problem must name)
type BadCase = (Method, String, Option<Value>, u16, Option<&'static str>);

macro_rules! hooks_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(Hooks::start(Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)(Hooks::start(Backend::Postgres).await).await;
            }
        }
    };
}

hooks_test!(signed_events_reach_the_receiver, |h: Hooks| async move {
    let rx = Receiver::start("127.0.0.1:0".parse().expect("addr"), 200).await;
    let (endpoint, secret) = h.register(&hook_url(rx.addr)).await;
    // Listings never show the secret again.
    let (_, list) = h
        .call(Method::GET, "/v1/webhooks/endpoints", &h.admin, None)
        .await;
    assert!(!list.to_string().contains(&secret), "{list}");
    assert_eq!(list["items"][0]["id"], endpoint.as_str());

    h.submit_all(0, 0, 5).await;
    h.submit_all(1, 1, 2).await;
    h.decide(0, "advance").await;
    until("four events arrived", || async { rx.received().len() >= 4 }).await;
    let got = rx.received();
    let types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "review.submitted",
            "review.submitted",
            "interview.reviewed",
            "candidate.advanced"
        ]
    );
    for r in &got {
        assert_eq!(r.json()["id"], r.id.as_str(), "webhook-id is the event id");
        assert_eq!(r.json()["data"]["interview_id"], h.interviews[0].as_str());
    }
    let reviewed = got[2].json();
    let q1 = &reviewed["data"]["questions"][0];
    assert_eq!(q1["ratings"], json!([2, 5]), "{reviewed}"); // Rev One, Rev Zero
    assert_eq!(q1["mean"], 3.5);
    assert_eq!(q1["spread"], 3);
    assert_eq!(q1["passes"], 1);
    assert_eq!(reviewed["data"]["overall_mean"], 3.5);
    assert_eq!(reviewed["data"]["candidate"]["name"], "Grace Hopper");
    assert_eq!(got[3].json()["data"]["action"], "advance");
    verify_with_python(&secret, &got);

    // The delivery log.
    let (s, page) = h
        .call(
            Method::GET,
            &format!("/v1/webhooks/deliveries?endpoint_id={endpoint}"),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    assert!(items
        .iter()
        .all(|d| d["state"] == "delivered" && d["attempts"] == 1 && d["last_status"] == 200));
    let id = items[0]["id"].as_str().expect("id");
    let (_, one) = h
        .call(
            Method::GET,
            &format!("/v1/webhooks/deliveries/{id}"),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(one["attempt_log"][0]["status_code"], 200, "{one}");
    assert!(one["attempt_log"][0]["duration_ms"].is_i64());
    // The CLI's view of the same.
    let rows = ops::cli_list(&h.state).await.expect("list");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].to_string().contains(&hook_url(rx.addr)));
    let rows = ops::cli_deliveries(&h.state, &DeliveryFilter::default(), None)
        .await
        .expect("deliveries");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.to_string().contains("\tdelivered\t")));
    rx.stop().await;
});

hooks_test!(
    receiver_down_then_up_gets_each_event_once_in_order,
    |h: Hooks| async move {
        let addr = closed_port().await;
        let (_, secret) = h.register(&hook_url(addr)).await;
        h.submit_all(0, 0, 4).await; // i0: review.submitted
        h.submit_all(0, 2, 3).await; // i1: review.submitted, interview.reviewed
        h.submit_all(1, 1, 4).await; // i0: review.submitted, interview.reviewed
        h.decide(0, "advance").await; // i0: candidate.advanced
        h.decide(1, "reject").await; // i1: candidate.rejected
        let total = 7;
        assert_eq!(
            h.count("SELECT COUNT(*) FROM webhook_deliveries").await,
            total
        );
        // Only the first event of each interview is tried while the receiver
        // is down; the rest wait behind it.
        until("both heads failed once", || async {
        h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 AND last_status IS NULL").await == 2
    })
    .await;
        h.advance(HOUR);
        until("both heads failed twice", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 2")
                .await
                == 2
        })
        .await;
        assert_eq!(
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts > 0")
                .await,
            2,
            "later events of an interview must wait for the earlier ones"
        );
        let (_, d) = h
            .call(
                Method::GET,
                "/v1/webhooks/deliveries?state=pending&limit=1",
                &h.admin,
                None,
            )
            .await;
        assert_eq!(d["items"].as_array().map(Vec::len), Some(1));
        assert!(d["next_cursor"].is_string());

        let rx = Receiver::start(addr, 200).await;
        h.advance(HOUR);
        until("everything delivered", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
                .await
                == total
        })
        .await;
        // A moment more for any stray duplicate to show up.
        h.advance(DAY);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = rx.received();
        let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), total as usize, "{ids:?}");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total as usize, "an event id arrived twice");
        for i in 0..2 {
            let order: Vec<String> = got
                .iter()
                .filter(|r| r.json()["data"]["interview_id"] == h.interviews[i].as_str())
                .map(|r| r.id.clone())
                .collect();
            assert_eq!(order, h.events_of(i).await, "interview {i} out of order");
        }
        verify_with_python(&secret, &got);
        rx.stop().await;
    }
);

hooks_test!(
    a_restarted_server_still_delivers,
    |mut h: Hooks| async move {
        let addr = closed_port().await;
        h.register(&hook_url(addr)).await;
        h.decide(1, "hold").await;
        until("first attempt failed", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1")
                .await
                == 1
        })
        .await;
        let (_, d) = h
            .call(Method::GET, "/v1/webhooks/deliveries", &h.admin, None)
            .await;
        assert!(
            d["items"][0]["last_error"]
                .as_str()
                .is_some_and(|e| e.to_lowercase().contains("refused")),
            "the log says why: {d}"
        );
        h.restart().await;
        let rx = Receiver::start(addr, 200).await;
        h.advance(HOUR);
        until("delivered after the restart", || async {
            !rx.received().is_empty()
        })
        .await;
        until("recorded as delivered", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
                .await
                == 1
        })
        .await;
        h.advance(DAY);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = rx.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].json()["type"], "candidate.held");
        rx.stop().await;
    }
);

hooks_test!(gone_disables_the_endpoint, |h: Hooks| async move {
    let rx = Receiver::start("127.0.0.1:0".parse().expect("addr"), 410).await;
    let (endpoint, _) = h.register(&hook_url(rx.addr)).await;
    h.decide(0, "hold").await;
    until("endpoint disabled", || async {
        h.count("SELECT COUNT(*) FROM webhook_endpoints WHERE status = 'disabled'")
            .await
            == 1
    })
    .await;
    let (_, e) = h
        .call(
            Method::GET,
            &format!("/v1/webhooks/endpoints/{endpoint}"),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(e["status"], "disabled");
    assert!(
        e["disabled_reason"]
            .as_str()
            .is_some_and(|r| r.contains("410")),
        "{e}"
    );
    // Nothing more goes there, not even after time passes.
    h.decide(0, "reject").await;
    h.advance(DAY);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.received().len(), 1);
    let (s, body) = h
        .call(
            Method::POST,
            &format!("/v1/webhooks/events/{}/replay", rx.received()[0].id),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "replay to a disabled endpoint: {body}"
    );
    // Re-enabled, it gets what was pending when it said 410.
    rx.answer(200, None);
    let (s, body) = h
        .call(
            Method::PATCH,
            &format!("/v1/webhooks/endpoints/{endpoint}"),
            &h.admin,
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["disabled_reason"], Value::Null);
    until("resumed", || async { rx.received().len() == 2 }).await;
    let got = rx.received();
    assert_eq!(got[0].id, got[1].id);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'webhook_endpoint.%'")
            .await,
        3,
        "created, disabled by the 410, updated"
    );
    rx.stop().await;
});

hooks_test!(dead_letter_after_days_then_replay, |h: Hooks| async move {
    let addr = closed_port().await;
    let (endpoint, secret) = h.register(&hook_url(addr)).await;
    h.decide(0, "advance").await;
    let mut rounds = 0;
    while h
        .count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'dead'")
        .await
        == 0
    {
        rounds += 1;
        // First attempt and nine retries, the longest gap 24 h (+10 %).
        assert!(rounds < 12, "never dead-lettered");
        let before = h.count("SELECT attempts FROM webhook_deliveries").await;
        h.advance(27 * HOUR);
        until("another attempt", || async {
            h.count("SELECT attempts FROM webhook_deliveries").await > before
        })
        .await;
    }
    let (s, dead) = h
        .call(
            Method::GET,
            "/v1/webhooks/deliveries?state=dead",
            &h.admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let id = dead["items"][0]["id"]
        .as_str()
        .expect("a dead letter")
        .to_string();
    let (_, d) = h
        .call(
            Method::GET,
            &format!("/v1/webhooks/deliveries/{id}"),
            &h.admin,
            None,
        )
        .await;
    let log = d["attempt_log"].as_array().expect("log");
    assert_eq!(log.len(), 10, "the specification's schedule: {d}");
    assert!(log
        .iter()
        .all(|a| a["error"].is_string() && a["status_code"].is_null()));
    let t = |a: &Value| {
        takes_platform::clock::parse_rfc3339(a["attempted_at"].as_str().expect("at")).expect("time")
    };
    assert!(
        t(&log[log.len() - 1]) - t(&log[0]) >= 3 * DAY,
        "retries span days"
    );
    // Nothing is retried after death.
    h.advance(DAY);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM webhook_attempts").await,
        log.len() as i64
    );

    let rx = Receiver::start(addr, 200).await;
    let (s, r) = h
        .call(
            Method::POST,
            &format!("/v1/webhooks/deliveries/{id}/replay"),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    assert_eq!(r["deliveries"][0]["replay_of"], id.as_str());
    until("replay delivered", || async { rx.received().len() == 1 }).await;
    let event_id = d["event_id"].as_str().expect("event id");
    assert_eq!(
        rx.received()[0].id,
        event_id,
        "same webhook-id as the original"
    );
    until("replay recorded", || async {
        h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
            .await
            == 1
    })
    .await;
    // Replay from the CLI library, by event and endpoint.
    let rows = ops::cli_replay(
        &h.state,
        &ReplayTarget::Event {
            event_id: event_id.to_string(),
            endpoint_id: Some(endpoint.clone()),
        },
    )
    .await
    .expect("cli replay");
    assert_eq!(rows.len(), 1);
    until("cli replay delivered", || async {
        rx.received().len() == 2
    })
    .await;
    let got = rx.received();
    assert_eq!(got[1].id, event_id);
    verify_with_python(&secret, &got);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_delivery.replayed'")
            .await,
        2
    );
    rx.stop().await;
});

hooks_test!(replays_never_double_send, |h: Hooks| async move {
    let addr = closed_port().await;
    h.register(&hook_url(addr)).await;
    h.decide(0, "hold").await;
    let (_, d) = h
        .call(Method::GET, "/v1/webhooks/deliveries", &h.admin, None)
        .await;
    let id = d["items"][0]["id"].as_str().expect("id").to_string();
    let event = d["items"][0]["event_id"]
        .as_str()
        .expect("event")
        .to_string();
    for path in [
        format!("/v1/webhooks/deliveries/{id}/replay"),
        format!("/v1/webhooks/events/{event}/replay"),
    ] {
        let (s, body) = h.call(Method::POST, &path, &h.admin, None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|t| t.contains("pending")),
            "{body}"
        );
    }
    assert_eq!(h.count("SELECT COUNT(*) FROM webhook_deliveries").await, 1);
});

hooks_test!(
    bad_input_is_refused_and_changes_nothing,
    |h: Hooks| async move {
        let cases: Vec<BadCase> = vec![
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "ftp://x/"})),
                422,
                Some("url"),
            ),
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "not a url"})),
                422,
                Some("url"),
            ),
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "http://a/\u{0}"})),
                422,
                Some("url"),
            ),
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "http://a/", "event_types": ["candidate.hired"]})),
                422,
                Some("event_types[0]"),
            ),
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "http://a/", "secret": "x"})),
                422,
                None,
            ),
            (
                Method::POST,
                "/v1/webhooks/endpoints".into(),
                Some(json!({"url": "http://a/", "description": "d".repeat(501)})),
                422,
                Some("description"),
            ),
            (
                Method::PATCH,
                "/v1/webhooks/endpoints/nope".into(),
                Some(json!({"enabled": true})),
                404,
                Some("id"),
            ),
            (
                Method::DELETE,
                "/v1/webhooks/endpoints/nope".into(),
                None,
                404,
                Some("id"),
            ),
            (
                Method::GET,
                "/v1/webhooks/deliveries?state=lost".into(),
                None,
                422,
                Some("state"),
            ),
            (
                Method::GET,
                "/v1/webhooks/deliveries?limit=0".into(),
                None,
                422,
                Some("limit"),
            ),
            (
                Method::GET,
                "/v1/webhooks/deliveries?cursor=zzz".into(),
                None,
                400,
                Some("cursor"),
            ),
            (
                Method::POST,
                "/v1/webhooks/deliveries/nope/replay".into(),
                None,
                404,
                Some("id"),
            ),
            (
                Method::POST,
                "/v1/webhooks/events/nope/replay".into(),
                None,
                404,
                Some("id"),
            ),
            (
                Method::POST,
                "/v1/webhooks/events/nope/replay".into(),
                Some(json!({"endpoint": "x"})),
                422,
                None,
            ),
            (
                Method::GET,
                format!("/v1/interviews/{}/scorecard?format=lever", h.interviews[0]),
                None,
                422,
                Some("format"),
            ),
            (
                Method::GET,
                "/v1/interviews/nope/scorecard".into(),
                None,
                404,
                Some("id"),
            ),
        ];
        for (method, path, body, want, field) in cases {
            let (s, problem) = h.call(method.clone(), &path, &h.admin, body).await;
            assert_eq!(s.as_u16(), want, "{method} {path}: {problem}");
            if let Some(f) = field {
                assert_eq!(problem["field"], f, "{method} {path}: {problem}");
            }
        }
        // A replay body that is not JSON is an error, not "no body".
        let resp = h
            .http
            .post(format!("{}/v1/webhooks/events/nope/replay", h.base))
            .bearer_auth(&h.admin)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        // A refused submit raises no event: the outbox shares its transaction.
        let (endpoint, _) = h.register("http://127.0.0.1:1/hook").await;
        let (s, _) = h
            .call(
                Method::POST,
                &format!("/v1/assignments/{}/submit", h.assignments[0]),
                &h.reviewers[0],
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(h.count("SELECT COUNT(*) FROM webhook_events").await, 0);
        assert_eq!(h.count("SELECT COUNT(*) FROM webhook_endpoints").await, 1);
        // Recruiters cannot manage webhooks.
        let (s, _) = h
            .call(Method::GET, "/v1/webhooks/endpoints", &h.recruiter, None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Deleting cancels what was pending and hides the endpoint.
        h.decide(0, "hold").await;
        let (s, _) = h
            .call(
                Method::DELETE,
                &format!("/v1/webhooks/endpoints/{endpoint}"),
                &h.admin,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'cancelled'")
                .await,
            1
        );
        let (_, list) = h
            .call(Method::GET, "/v1/webhooks/endpoints", &h.admin, None)
            .await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    }
);

hooks_test!(greenhouse_scorecards, |h: Hooks| async move {
    h.submit_all(0, 0, 5).await;
    h.submit_all(1, 1, 1).await;
    let (s, body) = h
        .call(
            Method::GET,
            &format!(
                "/v1/interviews/{}/scorecard?format=greenhouse",
                h.interviews[0]
            ),
            &h.recruiter,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let cards = body["scorecards"].as_array().expect("scorecards");
    assert_eq!(cards.len(), 2);
    // Reviewer-name order: Rev One (1s), Rev Zero (5s).
    assert_eq!(cards[0]["submitted_by"]["first_name"], "Rev");
    assert_eq!(cards[0]["overall_recommendation"], "definitely_not");
    assert_eq!(cards[1]["overall_recommendation"], "strong_yes");
    assert_eq!(cards[1]["attributes"][0]["rating"], "strong_yes");
    assert_eq!(
        cards[1]["ratings"]["strong_yes"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(cards[1]["questions"][0]["question"], "Tell us about A");
    let (s, _) = h
        .call(
            Method::GET,
            &format!("/v1/interviews/{}/scorecard", h.interviews[0]),
            &h.reviewers[0],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Drafts are never exported.
    let (_, other) = h
        .call(
            Method::GET,
            &format!("/v1/interviews/{}/scorecard", h.interviews[1]),
            &h.admin,
            None,
        )
        .await;
    assert_eq!(other["scorecards"], json!([]));
});

hooks_test!(
    the_background_workers_report_their_health,
    |h: Hooks| async move {
        let workers = |h: &Hooks| h.server.as_ref().expect("running").workers();
        let names: Vec<&str> = workers(&h).iter().map(|w| w.name).collect();
        assert_eq!(
            names,
            [
                "webhooks",
                "invitation-sweep",
                "email",
                "greenhouse-notifier",
                "lever-writeback",
                "transcription",
                "completion-alerts",
                "insights-rollup",
                "insights-validity-warm",
            ]
        );
        // The delivery worker passes at once; the sweep waits a minute first.
        until("the webhook worker made a pass", || async {
            workers(&h)[0].ticks > 0
        })
        .await;
        let all = workers(&h);
        assert!(
            all[0].last_tick.is_some() && all[0].last_error.is_none(),
            "{:?}",
            all[0]
        );
        assert_eq!((all[1].ticks, all[1].last_tick), (0, None), "{:?}", all[1]);
    }
);

mod delivery_policy;
