//! A real platform on a loopback socket, on SQLite or PostgreSQL, with a
//! small known data set.

use std::net::SocketAddr;
use takes_platform::store::{assignments, interviews, roles};

use reqwest::{Method, StatusCode};
use serde_json::Value;

#[path = "pg_database.rs"]
pub mod pg_database;
use takes_api::{Anchor, Cue, Rubric, UserRole};
use takes_platform::clock::{DAY, HOUR};
use takes_platform::media::store::MediaStore;
use takes_platform::{AppState, Clock, RunningServer, StorageOptions};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per storage back end.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let p =
                    $crate::support::TestPlatform::start($crate::support::Backend::Sqlite).await;
                ($body)(p).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let p =
                    $crate::support::TestPlatform::start($crate::support::Backend::Postgres).await;
                ($body)(p).await;
            }
        }
    };
}

/// A fresh database URL for the back end. PostgreSQL comes from
/// `TAKES_TEST_POSTGRES_URL` (set by `cargo xtask test`); its absence fails
/// the test rather than skipping it. The database is dropped when the test
/// ends.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("platform.db").display()),
        Backend::Postgres => {
            let admin = std::env::var("TAKES_TEST_POSTGRES_URL").expect(
                "TAKES_TEST_POSTGRES_URL is not set: run the suite with `cargo xtask test`, \
                 which starts a throwaway PostgreSQL (PostgreSQL tests are never skipped)",
            );
            pg_database::create(&admin).await
        }
    }
}

pub struct Fixture {
    pub reviewers: [String; 3],
    pub reviewer_ids: [String; 3],
    pub recruiter: String,
    pub admin: String,
    /// A reviewer with no assignments at all.
    pub outsider: String,
    pub interview: String,
    /// Assignments of reviewers 0, 1, 2 on `interview`.
    pub assignments: [String; 3],
    /// Reviewer 0's assignment on `other_interview`.
    pub other_assignment: String,
    pub questions: [String; 3],
    pub responses: [String; 3],
    pub candidate_name: String,
    pub media: Vec<u8>,
}

pub struct TestPlatform {
    pub dir: tempfile::TempDir,
    /// Read by `tests/restart.rs`, which shares this module.
    #[allow(dead_code)]
    pub database_url: String,
    /// Kept alive: dropping it shuts the server down.
    _server: RunningServer,
    pub state: AppState,
    pub base: String,
    pub http: reqwest::Client,
    pub f: Fixture,
}

/// A server configuration that lets webhooks reach receivers on this
/// machine (refused by default).
pub fn loopback_config() -> takes_platform::config::ServerConfig {
    takes_platform::config::ServerConfig::parse(
        std::path::Path::new("test.toml"),
        "allow_private_networks = [\"127.0.0.1\", \"::1\"]\n\n\
         # Tests run the transcription stage themselves (run_due).\n\
         [transcription]\npoll_interval_ms = 3600000\n",
    )
    .expect("config")
}

pub fn rubric() -> Rubric {
    Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: 3,
        anchors: [(1, "Weak"), (3, "Acceptable"), (5, "Strong")]
            .into_iter()
            .map(|(score, label)| Anchor {
                score,
                label: label.into(),
                description: format!("{label} answer"),
            })
            .collect(),
    }
}

impl TestPlatform {
    pub async fn start(backend: Backend) -> TestPlatform {
        Self::start_with(backend, loopback_config()).await
    }

    /// A platform with this server configuration.
    pub async fn start_with(
        backend: Backend,
        config: takes_platform::config::ServerConfig,
    ) -> TestPlatform {
        Self::start_with_clock(backend, config, Clock::System).await
    }

    /// A platform on this clock (a manual one lets a test move time).
    pub async fn start_with_clock(
        backend: Backend,
        config: takes_platform::config::ServerConfig,
        clock: Clock,
    ) -> TestPlatform {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        let storage = StorageOptions {
            database_url: Some(database_url.clone()),
            media_dir: Some(dir.path().join("media")),
        };
        let state = storage
            .open(clock)
            .await
            .expect("open storage")
            .with_config(config);
        let f = fixture(&state).await;
        let server = takes_platform::start(state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start");
        let base = server.base_url();
        TestPlatform {
            dir,
            database_url,
            _server: server,
            state,
            base,
            http: reqwest::Client::new(),
            f,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    /// Sends and returns the status and the JSON body (Null when not JSON).
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

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(self.request(Method::GET, path, Some(token)))
            .await
    }

    pub async fn put_score(
        &self,
        token: &str,
        assignment: &str,
        question: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(
            self.request(
                Method::PUT,
                &format!("/v1/assignments/{assignment}/scores/{question}"),
                Some(token),
            )
            .json(&body),
        )
        .await
    }

    pub async fn submit(&self, token: &str, assignment: &str) -> (StatusCode, Value) {
        self.call(self.request(
            Method::POST,
            &format!("/v1/assignments/{assignment}/submit"),
            Some(token),
        ))
        .await
    }

    /// Scores every question of `assignment` with `rating` and submits.
    pub async fn score_all_and_submit(&self, token: &str, assignment: &str, rating: i64) {
        for q in &self.f.questions {
            let (s, body) = self
                .put_score(token, assignment, q, serde_json::json!({"rating": rating}))
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        let (s, body) = self.submit(token, assignment).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    /// Responses (one per fixture question) of a new completed interview
    /// that nobody is assigned to review: calibration samples, which must
    /// not come from an interview still under review.
    #[allow(dead_code)]
    pub async fn unreviewed_responses(&self) -> Vec<String> {
        use sqlx::Row;
        let now = self.state.clock.now();
        let mut w = self.state.db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let set = sqlx::query(
            "SELECT q.question_set_id, qs.job_role_id FROM questions q \
             JOIN question_sets qs ON qs.id = q.question_set_id WHERE q.id = $1",
        )
        .bind(&self.f.questions[0])
        .fetch_one(&mut *c)
        .await
        .expect("question set");
        let (set, role): (String, String) = (set.get(0), set.get(1));
        let interview = completed_interview(c, now, &role, &set, "Katherine Johnson").await;
        let mut out = Vec::new();
        for q in &self.f.questions {
            let key = MediaStore::new_key("webm");
            self.state
                .media
                .put(&key, &self.f.media)
                .await
                .expect("store media");
            let m = interviews::media_object(c, now, &key, "video/webm", &self.f.media)
                .await
                .expect("media");
            let r = interviews::NewResponse {
                interview_id: &interview,
                question_id: q,
                media_object_id: &m,
                duration_ms: 5_000,
                cues: &[],
                retakes_used: 0,
                recorded_at: now - DAY,
            };
            out.push(interviews::response(c, r).await.expect("response"));
        }
        w.commit().await.expect("commit");
        out
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count query")
            .get::<i64, _>(0)
    }
}

/// A completed interview of a new candidate `name`, for fixtures.
pub async fn completed_interview(
    c: &mut sqlx::AnyConnection,
    now: i64,
    role: &str,
    set: &str,
    name: &str,
) -> String {
    let cand = interviews::candidate(c, now, name, "x@example.com")
        .await
        .expect("candidate");
    let i = interviews::NewInterview {
        candidate_id: &cand,
        role_id: role,
        question_set_id: set,
        status: "completed",
        invited_at: now - 3 * DAY,
        expires_at: now,
        started_at: Some(now - 2 * DAY),
        completed_at: Some(now - DAY),
    };
    interviews::interview(c, i).await.expect("interview")
}

async fn fixture(state: &AppState) -> Fixture {
    let now = state.clock.now();
    let db = &state.db;
    let token = |name: &'static str, role: UserRole| async move {
        takes_platform::auth::issue_token(db, now, name, role, "test")
            .await
            .expect("token")
    };
    let (r0, t0) = token("Rev Zero", UserRole::Reviewer).await;
    let (r1, t1) = token("Rev One", UserRole::Reviewer).await;
    let (r2, t2) = token("Rev Two", UserRole::Reviewer).await;
    let (_, recruiter) = token("Rita Recruiter", UserRole::Recruiter).await;
    let (_, admin) = token("Ada Admin", UserRole::Admin).await;
    let (_, outsider) = token("Otto Outsider", UserRole::Reviewer).await;

    let media: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let cues = vec![
        Cue {
            start_s: 0.5,
            end_s: 2.0,
            text: "I led the migration.".into(),
        },
        Cue {
            start_s: 2.2,
            end_s: 4.75,
            text: "Latency fell by 40% & errors < 1%.".into(),
        },
    ];

    let mut w = db.begin_write().await.expect("begin");
    let c = &mut *w.tx;
    let role = roles::role(c, now, "Support Engineer", "Customer Success")
        .await
        .expect("role");
    let set = roles::question_set(c, now, &role, "Support screen", 1)
        .await
        .expect("set");
    let rubric = rubric();
    let mut questions = Vec::new();
    for (i, prompt) in [
        "Describe a time A",
        "Describe a time B",
        "Describe a time C",
    ]
    .iter()
    .enumerate()
    {
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
        interviews.push(completed_interview(c, now, &role, &set, name).await);
    }
    let mut responses = Vec::new();
    for interview in &interviews {
        for q in &questions {
            let key = MediaStore::new_key("webm");
            state.media.put(&key, &media).await.expect("store media");
            let m = interviews::media_object(c, now, &key, "video/webm", &media)
                .await
                .expect("media");
            let r = interviews::NewResponse {
                interview_id: interview,
                question_id: q,
                media_object_id: &m,
                duration_ms: 5_000,
                cues: &cues,
                retakes_used: 0,
                recorded_at: now - DAY,
            };
            let id = interviews::response(c, r).await.expect("response");
            if interview == &interviews[0] {
                responses.push(id);
            }
        }
    }
    let mut assignments = Vec::new();
    for (i, r) in [&r0, &r1, &r2].iter().enumerate() {
        assignments.push(
            assignments::assignment(
                c,
                &interviews[0],
                r,
                now - DAY,
                now + (i as i64 + 1) * HOUR,
                None,
            )
            .await
            .expect("a"),
        );
    }
    let other = assignments::assignment(c, &interviews[1], &r0, now - DAY, now + 10 * HOUR, None)
        .await
        .expect("a");
    w.commit().await.expect("commit");
    let arr3 = |v: Vec<String>| -> [String; 3] { v.try_into().expect("three") };
    Fixture {
        reviewers: [t0, t1, t2],
        reviewer_ids: [r0, r1, r2],
        recruiter,
        admin,
        outsider,
        interview: interviews[0].clone(),
        assignments: arr3(assignments),
        other_assignment: other,
        questions: arr3(questions),
        responses: arr3(responses),
        candidate_name: "Grace Hopper".into(),
        media,
    }
}

/// Makes "Rita Recruiter" a recruiter of the interview's role: recruiters
/// decide only the roles they recruit for.
pub async fn recruiter_may_decide(state: &AppState, interview: &str) {
    use sqlx::Row;
    use takes_platform::store::board::writes;
    let mut c = state.db.pool.acquire().await.expect("connection");
    let role = writes::role_of(&mut c, interview)
        .await
        .expect("role query")
        .expect("the interview exists");
    let rita: String = sqlx::query("SELECT id FROM users WHERE name = 'Rita Recruiter'")
        .fetch_one(&mut *c)
        .await
        .expect("Rita Recruiter")
        .get(0);
    writes::add_recruiter(&mut c, state.clock.now(), &role, &rita)
        .await
        .expect("add recruiter");
}
