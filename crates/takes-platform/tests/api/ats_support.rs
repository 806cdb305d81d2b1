//! A platform for the ATS integration tests: a manual clock (signatures,
//! freshness and retry backoff run on it), a server configuration built
//! from the roles' ids, and small real HTTP servers standing in for the
//! ATS side (Greenhouse's PATCH receiver, the Lever API).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use takes_platform::store::{assignments, roles};

use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::config::ServerConfig;
use takes_platform::{AppState, Clock, RunningServer, StorageOptions};

use crate::support::{fresh_database, rubric, Backend};

pub mod greenhouse;

/// The roles the configuration may refer to.
pub struct Roles {
    /// "Support Engineer", with a question set of two questions.
    pub support: String,
    /// "Data Analyst", with a question set of two questions.
    pub analyst: String,
    /// "Office Manager": no question set, so nobody can be interviewed.
    pub empty: String,
}

pub struct AtsPlatform {
    _dir: tempfile::TempDir,
    pub clock: Clock,
    pub state: AppState,
    pub base: String,
    pub http: reqwest::Client,
    pub roles: Roles,
    /// The first role's two questions, in order.
    pub questions: [String; 2],
    /// `state` as the server sees it: `public_url` is its address, so
    /// work done here (completing an interview) makes the links it would.
    linked: AppState,
    _server: RunningServer,
}

impl AtsPlatform {
    pub async fn start(backend: Backend, configure: impl FnOnce(&Roles) -> ServerConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        // Real time to start with, so the Python signer's timestamps and
        // the server's clock agree; tests move it from there.
        let clock = Clock::manual(Clock::System.now());
        let state = StorageOptions {
            database_url: Some(database_url),
            media_dir: Some(dir.path().join("media")),
        }
        .open(clock.clone())
        .await
        .expect("open storage");
        let now = clock.now();
        let mut w = state.db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let rubric = rubric();
        let mut role_ids = Vec::new();
        let mut questions = Vec::new();
        for (title, dept, with_set) in [
            ("Support Engineer", "Customer Success", true),
            ("Data Analyst", "Finance", true),
            ("Office Manager", "Operations", false),
        ] {
            let role = roles::role(c, now, title, dept).await.expect("role");
            if with_set {
                let set = roles::question_set(c, now, &role, "Screen", 1)
                    .await
                    .expect("set");
                for (i, prompt) in ["Tell us about A", "Tell us about B"].iter().enumerate() {
                    let q = roles::NewQuestion {
                        position: i as i64 + 1,
                        prompt,
                        competency: "Ownership",
                        time_limit_s: 120,
                        rubric: &rubric,
                    };
                    let id = roles::question(c, &set, q).await.expect("question");
                    if role_ids.is_empty() {
                        questions.push(id);
                    }
                }
            }
            role_ids.push(role);
        }
        w.commit().await.expect("commit");
        let roles = Roles {
            support: role_ids[0].clone(),
            analyst: role_ids[1].clone(),
            empty: role_ids[2].clone(),
        };
        let config = configure(&roles);
        let state = state.with_config(config);
        let server = takes_platform::start(state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start");
        let base = server.base_url();
        let mut served = (*state.config).clone();
        served.public_url = Some(base.clone());
        AtsPlatform {
            _dir: dir,
            clock,
            linked: state.clone().with_config(served),
            state,
            base,
            http: reqwest::Client::new(),
            roles,
            questions: questions.try_into().expect("two questions"),
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends and returns the status and JSON body; errors must be problems.
    pub async fn call(&self, rb: reqwest::RequestBuilder) -> (StatusCode, Value) {
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
            assert_eq!(
                ctype, "application/problem+json",
                "error {status} must be problem+json: {text}"
            );
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count query")
            .get::<i64, _>(0)
    }

    /// Rows that any invitation would have written.
    pub async fn fingerprint(&self) -> [i64; 5] {
        [
            self.count("SELECT COUNT(*) FROM candidates").await,
            self.count("SELECT COUNT(*) FROM interviews").await,
            self.count("SELECT COUNT(*) FROM invitations").await,
            self.count("SELECT COUNT(*) FROM email_outbox").await,
            self.count("SELECT COUNT(*) FROM webhook_events").await,
        ]
    }

    /// The candidate and role of an interview.
    pub async fn interview(&self, id: &str) -> (String, String, String) {
        let r = sqlx::query(
            "SELECT c.name, c.email, i.job_role_id FROM interviews i \
             JOIN candidates c ON c.id = i.candidate_id WHERE i.id = $1",
        )
        .bind(id)
        .fetch_one(&self.state.db.pool)
        .await
        .expect("interview");
        (r.get("name"), r.get("email"), r.get("job_role_id"))
    }

    /// Completes an interview the way the candidate's last answer does.
    pub async fn complete(&self, interview_id: &str) {
        let now = self.clock.now();
        let mut w = self.state.db.begin_write().await.expect("begin");
        let stream = takes_platform::webhooks::outbox::interview_stream(interview_id);
        let seq = takes_platform::webhooks::outbox::next_seq(&mut w.tx, &stream)
            .await
            .expect("seq");
        let done = takes_platform::invitations::completion::complete(
            &mut w.tx,
            &self.linked,
            now,
            interview_id,
            seq,
        )
        .await
        .expect("complete");
        assert!(done, "the interview was open");
        w.commit().await.expect("commit");
    }

    /// A reviewer token assigned to `interview_id`; returns (token, assignment).
    pub async fn reviewer_on(&self, name: &str, interview_id: &str) -> (String, String) {
        let now = self.clock.now();
        let (user, token) =
            takes_platform::auth::issue_token(&self.state.db, now, name, UserRole::Reviewer, "t")
                .await
                .expect("token");
        let mut w = self.state.db.begin_write().await.expect("begin");
        let a =
            assignments::assignment(&mut w.tx, interview_id, &user, now, now + 86_400_000, None)
                .await
                .expect("assignment");
        w.commit().await.expect("commit");
        (token, a)
    }
}

/// Polls (real time) until `check` holds; effects of background workers
/// take a moment to show.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

/// One request a stand-in server got.
#[derive(Debug, Clone)]
pub struct Got {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub body: String,
}

/// A real HTTP server on loopback that records every request and answers
/// with `answer(method, path)`.
pub struct StandIn {
    pub addr: SocketAddr,
    got: Arc<Mutex<Vec<Got>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

type Answer = Arc<dyn Fn(&str, &str) -> (u16, Value) + Send + Sync>;

impl StandIn {
    pub async fn start(
        addr: SocketAddr,
        answer: impl Fn(&str, &str) -> (u16, Value) + Send + Sync + 'static,
    ) -> StandIn {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind stand-in");
        let addr = listener.local_addr().expect("addr");
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let answer: Answer = Arc::new(answer);
        let g = got.clone();
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method,
                  uri: axum::http::Uri,
                  headers: HeaderMap,
                  body: String| {
                let (g, answer) = (g.clone(), answer.clone());
                async move {
                    let path = uri
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default();
                    g.lock().expect("lock").push(Got {
                        method: method.to_string(),
                        path: path.clone(),
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string(),
                        body,
                    });
                    let (status, json) = answer(method.as_str(), &path);
                    (
                        axum::http::StatusCode::from_u16(status)
                            .unwrap_or(axum::http::StatusCode::OK),
                        axum::Json(json),
                    )
                }
            },
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        StandIn {
            addr,
            got,
            stop: Some(tx),
            task,
        }
    }

    pub fn received(&self) -> Vec<Got> {
        self.got.lock().expect("lock").clone()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// A loopback address nothing listens on (yet): connections are refused.
pub async fn closed_port() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    l.local_addr().expect("addr")
}

/// `Authorization: Basic` for a user name and empty password.
pub fn basic(user: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:"))
    )
}

/// Runs a test body once per storage back end, with the platform `start`
/// makes (an `async fn(Backend) -> T`).
#[macro_export]
macro_rules! both_backends_with {
    ($name:ident, $start:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let p = ($start)($crate::support::Backend::Sqlite).await;
                ($body)(p).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let p = ($start)($crate::support::Backend::Postgres).await;
                ($body)(p).await;
            }
        }
    };
}
