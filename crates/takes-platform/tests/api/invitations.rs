//! Invitations: creation, the access secret, the invitation email, reminders
//! and expiry driven by a manual clock. Also the harness the upload and
//! email tests share: a platform with a manual clock and its own
//! configuration, and the platform's real SMTP sink on a loopback socket.

use std::net::SocketAddr;
use takes_platform::store::{assignments, roles};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::config::ServerConfig;
use takes_platform::email::sink::Sink;
use takes_platform::email::TlsMode;
use takes_platform::invitations::{self, NewInvitation};
use takes_platform::{AppState, Clock, RunningServer, StorageOptions};
use tokio::net::TcpListener;

use crate::support::{fresh_database, rubric, Backend};

/// Thursday 14 January 2027, 08:00 UTC: a fixed start for the manual clock.
pub const T0: i64 = 1_799_913_600_000;

pub use takes_platform::email::sink::Mail;

/// The platform's SMTP sink (the one behind `takes mailbox`) on a
/// loopback socket; it keeps every message it accepts.
pub struct Smtp {
    pub addr: SocketAddr,
    sink: Sink,
}

impl Smtp {
    pub async fn start(addr: SocketAddr) -> Smtp {
        let sink = Sink::bind(addr).await.expect("bind SMTP");
        Smtp {
            addr: sink.addr(),
            sink,
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.sink.mails()
    }

    pub fn stop(self) {
        self.sink.stop();
    }
}

/// A loopback address nothing listens on (yet).
pub async fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr")
}

/// A platform with a manual clock, SMTP pointed at `smtp`, background
/// workers slowed right down so tests drive sending and sweeping
/// themselves; and a role ready to invite to.
pub struct Life {
    pub dir: tempfile::TempDir,
    _server: RunningServer,
    pub state: AppState,
    pub clock: Clock,
    pub base: String,
    pub http: reqwest::Client,
    pub smtp: Smtp,
    pub recruiter: String,
    /// Rev A (already busy with one open assignment), Rev B, Rev C: the
    /// role's reviewer pool; tokens and ids.
    pub reviewer_tokens: Vec<String>,
    pub reviewer_ids: Vec<String>,
    pub role: String,
    pub questions: Vec<String>,
}

pub fn config(smtp: SocketAddr) -> ServerConfig {
    let mut c = ServerConfig::default();
    c.email.smtp_host = Some(smtp.ip().to_string());
    c.email.smtp_port = Some(smtp.port());
    c.email.tls = TlsMode::None;
    c.email.from = "Hiring <jobs@example.com>".into();
    c.email.support_contact = "help@example.com".into();
    c.email.poll_interval_ms = 3_600_000;
    c.invitations.sweep_interval_seconds = 3_600;
    // Tests run the transcription stage themselves (run_due).
    c.transcription.poll_interval_ms = 3_600_000;
    c
}

impl Life {
    pub async fn start(backend: Backend, tweak: impl FnOnce(&mut ServerConfig)) -> Life {
        let smtp = Smtp::start("127.0.0.1:0".parse().expect("addr")).await;
        let mut cfg = config(smtp.addr);
        tweak(&mut cfg);
        Self::start_with(backend, cfg, smtp).await
    }

    pub async fn start_with(backend: Backend, cfg: ServerConfig, smtp: Smtp) -> Life {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        let clock = Clock::manual(T0);
        let state = StorageOptions {
            database_url: Some(database_url),
            media_dir: Some(dir.path().join("media")),
        }
        .open(clock.clone())
        .await
        .expect("open storage")
        .with_config(cfg);
        let db = &state.db;
        let token = |name: &'static str, role: UserRole| async move {
            takes_platform::auth::issue_token(db, T0, name, role, "test")
                .await
                .expect("token")
        };
        let (_, recruiter) = token("Rita Recruiter", UserRole::Recruiter).await;
        let mut reviewer_ids = Vec::new();
        let mut reviewer_tokens = Vec::new();
        for name in ["Rev A", "Rev B", "Rev C"] {
            let (id, t) = token(name, UserRole::Reviewer).await;
            reviewer_ids.push(id);
            reviewer_tokens.push(t);
        }
        let mut w = db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let role = roles::role(c, T0, "Site Reliability Engineer", "Platform")
            .await
            .expect("role");
        sqlx::query("UPDATE job_roles SET hiring_manager_email = 'hm@example.com', intro_video_url = 'https://videos.example.com/sre-intro' WHERE id = $1")
            .bind(&role)
            .execute(&mut *c)
            .await
            .expect("role settings");
        let set = roles::question_set(c, T0, &role, "SRE screen", 1)
            .await
            .expect("set");
        let rubric = rubric();
        let mut questions = Vec::new();
        for (i, prompt) in ["Tell us about an outage", "How do you plan capacity?"]
            .iter()
            .enumerate()
        {
            questions.push(
                roles::question(
                    c,
                    &set,
                    roles::NewQuestion {
                        position: i as i64 + 1,
                        prompt,
                        competency: "Ownership",
                        time_limit_s: 60,
                        rubric: &rubric,
                    },
                )
                .await
                .expect("question"),
            );
        }
        for id in &reviewer_ids {
            roles::role_reviewer(c, T0, &role, id).await.expect("pool");
        }
        // Rev A already has open work, so routing should pass them over.
        let busy = crate::support::completed_interview(c, T0, &role, &set, "Earlier Person").await;
        assignments::assignment(c, &busy, &reviewer_ids[0], T0, T0 + DAY, None)
            .await
            .expect("assignment");
        w.commit().await.expect("commit");
        let server = takes_platform::start(state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start");
        let base = server.base_url();
        Life {
            dir,
            _server: server,
            state,
            clock,
            base,
            http: reqwest::Client::new(),
            smtp,
            recruiter,
            reviewer_tokens,
            reviewer_ids,
            role,
            questions,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path))
    }

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
            assert_eq!(ctype, "application/problem+json", "{status}: {text}");
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Invites `name` to the role through the API; returns the answer.
    pub async fn invite(&self, name: &str, email: &str) -> Value {
        let (s, body) = self
            .call(
                self.request(Method::POST, "/v1/invitations")
                    .bearer_auth(&self.recruiter)
                    .json(&json!({"role_id": self.role, "candidate_name": name, "candidate_email": email})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body
    }

    /// The candidate agrees to being recorded, as the page's consent step
    /// does: the server takes no upload before that.
    pub async fn agree(&self, secret: &str) {
        let (s, body) = self
            .call(
                self.request(Method::PUT, "/v1/candidate/consent")
                    .bearer_auth(secret)
                    .json(&json!({"decision": "agreed", "text_version": "test-1"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    /// Invites `name` and agrees to being recorded as them, ready to upload.
    pub async fn invite_agreed(&self, name: &str, email: &str) -> Value {
        let inv = self.invite(name, email).await;
        self.agree(inv["access_secret"].as_str().expect("secret"))
            .await;
        inv
    }

    /// Sends every due email now; returns the messages received so far.
    pub async fn deliver(&self) -> Vec<Mail> {
        takes_platform::email::send_due(&self.state)
            .await
            .expect("send due email");
        self.smtp.mails()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count query")
            .get::<i64, _>(0)
    }

    pub async fn events(&self, interview: &str) -> Vec<String> {
        sqlx::query("SELECT event_type FROM webhook_events WHERE interview_id = $1 ORDER BY seq")
            .bind(interview)
            .fetch_all(&self.state.db.pool)
            .await
            .expect("events")
            .iter()
            .map(|r| r.get::<String, _>("event_type"))
            .collect()
    }
}

/// Runs a test body on SQLite and PostgreSQL with a configuration tweak.
#[macro_export]
macro_rules! lifecycle_test {
    ($name:ident, $tweak:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let l = $crate::invitations::Life::start($crate::support::Backend::Sqlite, $tweak)
                    .await;
                ($body)(l).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let l =
                    $crate::invitations::Life::start($crate::support::Backend::Postgres, $tweak)
                        .await;
                ($body)(l).await;
            }
        }
    };
}

pub fn no_tweak(_: &mut ServerConfig) {}

lifecycle_test!(
    an_invitation_opens_the_window_and_emails_the_candidate,
    no_tweak,
    |l: Life| async move {
        let (s, settings) = l
            .call(
                l.request(
                    Method::PATCH,
                    &format!("/v1/roles/{}/invitation-settings", l.role),
                )
                .bearer_auth(&l.recruiter)
                .json(&json!({"completion_window_hours": 48})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{settings}");
        assert_eq!(settings["completion_window_hours"], 48);
        assert_eq!(settings["hiring_manager_email"], "hm@example.com");
        assert_eq!(settings["reviewer_ids"].as_array().map(Vec::len), Some(3));
        let inv = l.invite("Ada Lovelace", "ada@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("ci_") && secret.len() > 40, "{secret}");
        assert_eq!(inv["status"], "invited");
        assert_eq!(
            inv["expires_at"],
            takes_platform::clock::rfc3339(T0 + 48 * HOUR)
        );
        assert_eq!(inv["question_count"], 2);
        assert!(inv["candidate_url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&secret)));

        // Only the hash is kept; reading it back never shows the secret.
        let (s, again) = l
            .call(
                l.request(Method::GET, &format!("/v1/invitations/{id}"))
                    .bearer_auth(&l.recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert!(again["access_secret"].is_null() && again["candidate_url"].is_null());
        assert_eq!(again["candidate"]["name"], "Ada Lovelace");
        let stored = l
            .count(&format!(
                "SELECT COUNT(*) FROM invitations WHERE secret_hash = '{secret}'"
            ))
            .await;
        assert_eq!(stored, 0);

        assert_eq!(l.events(&id).await, vec!["invitation.sent"]);

        let mails = l.deliver().await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        let m = &mails[0];
        assert_eq!(m.to, vec!["ada@example.org"]);
        assert!(
            m.header("Subject").contains("Site Reliability Engineer"),
            "{}",
            m.data
        );
        assert!(
            m.header("Message-ID").ends_with("@example.com>"),
            "{}",
            m.data
        );
        let body = m.body();
        assert!(body.contains("Hello Ada Lovelace"), "{body}");
        assert!(
            body.contains(&format!("{}/candidate#{secret}", l.base)),
            "{body}"
        );
        assert!(
            body.contains("Saturday 16 January 2027, 08:00 UTC"),
            "{body}"
        );
        assert!(
            body.contains("https://videos.example.com/sre-intro"),
            "{body}"
        );
        assert!(body.contains("help@example.com"), "{body}");
        // Once sent, the plaintext secret is gone from the outbox too.
        assert_eq!(
            l.count("SELECT COUNT(*) FROM email_outbox WHERE secret IS NOT NULL")
                .await,
            0
        );
        // Sending again sends nothing more.
        assert_eq!(l.deliver().await.len(), 1);

        // The secret opens the candidate's interview, and nothing else.
        let (s, mine) = l
            .call(
                l.request(Method::GET, "/v1/candidate/interview")
                    .bearer_auth(&secret),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        assert_eq!(mine["interview_id"], id.as_str());
        assert_eq!(mine["questions"].as_array().map(Vec::len), Some(2));
        assert_eq!(mine["questions"][0]["retakes_left"], 1);
        assert!(mine["questions"][0].get("rubric").is_none());
        let (s, _) = l
            .call(l.request(Method::GET, "/v1/me").bearer_auth(&secret))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = l
            .call(
                l.request(Method::GET, "/v1/candidate/interview")
                    .header("X-Candidate-Secret", &secret),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
);

lifecycle_test!(
    bad_invitations_name_the_field_and_change_nothing,
    no_tweak,
    |l: Life| async move {
        let before = l.count("SELECT COUNT(*) FROM interviews").await;
        let cases = [
            (
                json!({"role_id": "nope", "candidate_name": "A", "candidate_email": "a@example.org"}),
                422,
                "role_id",
            ),
            (
                json!({"role_id": l.role, "candidate_name": "  ", "candidate_email": "a@example.org"}),
                422,
                "candidate_name",
            ),
            (
                json!({"role_id": l.role, "candidate_name": "A", "candidate_email": "not-an-address"}),
                422,
                "candidate_email",
            ),
            (
                json!({"role_id": l.role, "candidate_name": "A\u{0}B", "candidate_email": "a@example.org"}),
                422,
                "candidate_name",
            ),
            (
                json!({"role_id": l.role, "candidate_name": "A"}),
                422,
                "candidate_email",
            ),
        ];
        for (body, status, field) in cases {
            let (s, problem) = l
                .call(
                    l.request(Method::POST, "/v1/invitations")
                        .bearer_auth(&l.recruiter)
                        .json(&body),
                )
                .await;
            assert_eq!(s.as_u16(), status, "{body}: {problem}");
            assert!(
                problem["field"].as_str() == Some(field)
                    || problem["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(field)),
                "{body}: {problem}"
            );
        }
        let (s, _) = l
            .call(
                l.request(Method::POST, "/v1/invitations")
                    .bearer_auth(&l.reviewer_tokens[1])
                    .json(&json!({"role_id": l.role, "candidate_name": "A", "candidate_email": "a@example.org"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(l.count("SELECT COUNT(*) FROM interviews").await, before);
        assert_eq!(l.count("SELECT COUNT(*) FROM email_outbox").await, 0);
    }
);

lifecycle_test!(
    the_same_ats_ids_invite_once_even_when_racing,
    no_tweak,
    |l: Life| async move {
        let new = |n: &str| NewInvitation {
            role_id: l.role.clone(),
            candidate_name: n.into(),
            candidate_email: "grace@example.org".into(),
            external: Some(("greenhouse".into(), "app-77".into())),
            external_data: Some(json!({"url": "https://harvest.example/partner/77"})),
            created_by: None,
        };
        let (a, b) = tokio::join!(
            invitations::create(&l.state, new("Grace")),
            invitations::create(&l.state, new("Grace"))
        );
        let (a, b) = (a.expect("first"), b.expect("second"));
        assert_eq!(a.interview_id, b.interview_id);
        assert_eq!([a.created, b.created].iter().filter(|c| **c).count(), 1);
        let c = invitations::create(&l.state, new("Grace"))
            .await
            .expect("third");
        assert!(!c.created && c.access_secret.is_none());
        assert_eq!(c.interview_id, a.interview_id);
        assert_eq!(l.count("SELECT COUNT(*) FROM invitations").await, 1);
        assert_eq!(l.count("SELECT COUNT(*) FROM email_outbox").await, 1);
        assert_eq!(
            l.count("SELECT COUNT(*) FROM webhook_events WHERE event_type = 'invitation.sent'")
                .await,
            1
        );
        // Another application id is another invitation.
        let mut other = new("Grace");
        other.external = Some(("greenhouse".into(), "app-78".into()));
        assert!(
            invitations::create(&l.state, other)
                .await
                .expect("other")
                .created
        );
    }
);

lifecycle_test!(
    the_clock_drives_the_reminder_and_the_expiry,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Alan Turing", "alan@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        assert_eq!(l.deliver().await.len(), 1);

        // 72 h window, reminder 24 h before the deadline.
        l.clock.advance(47 * HOUR);
        let r = invitations::sweep(&l.state).await.expect("sweep");
        assert_eq!((r.reminded, r.expired), (0, 0));
        l.clock.advance(2 * HOUR);
        let r = invitations::sweep(&l.state).await.expect("sweep");
        assert_eq!((r.reminded, r.expired), (1, 0));
        assert_eq!(
            invitations::sweep(&l.state).await.expect("sweep").reminded,
            0
        );
        let mails = l.deliver().await;
        assert_eq!(mails.len(), 2);
        let reminder = &mails[1];
        assert!(
            reminder.header("Subject").starts_with("Reminder"),
            "{}",
            reminder.data
        );
        let body = reminder.body();
        assert!(body.contains("Hello Alan Turing"), "{body}");
        assert!(body.contains("Sunday 17 January 2027, 08:00 UTC"), "{body}");
        assert!(body.contains("0 of 2"), "{body}");
        assert!(
            !body.contains(&secret),
            "the reminder must not carry the secret"
        );

        // One millisecond before the deadline it is still open.
        l.clock.advance(23 * HOUR - 1);
        assert_eq!(
            invitations::sweep(&l.state).await.expect("sweep").expired,
            0
        );
        l.clock.advance(1);
        assert_eq!(
            invitations::sweep(&l.state).await.expect("sweep").expired,
            1
        );
        assert_eq!(
            invitations::sweep(&l.state).await.expect("sweep").expired,
            0
        );
        assert_eq!(
            l.events(&id).await,
            vec!["invitation.sent", "invitation.expired"]
        );
        let (_, inv) = l
            .call(
                l.request(Method::GET, &format!("/v1/invitations/{id}"))
                    .bearer_auth(&l.recruiter),
            )
            .await;
        assert_eq!(inv["status"], "expired");
        // The secret no longer opens the interview.
        let (s, mine) = l
            .call(
                l.request(Method::GET, "/v1/candidate/interview")
                    .bearer_auth(&secret),
            )
            .await;
        assert_eq!(s, StatusCode::GONE, "{mine}");
        assert!(
            mine["detail"]
                .as_str()
                .is_some_and(|d| d.contains("closed")),
            "{mine}"
        );
        let clip = std::fs::read(crate::uploads::clip(1)).expect("clip");
        let (s, problem) = l
            .call(
                l.request(
                    Method::PUT,
                    &format!("/v1/candidate/responses/{}", l.questions[0]),
                )
                .bearer_auth(&secret)
                .body(clip),
            )
            .await;
        assert_eq!(s, StatusCode::GONE, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("closed")),
            "{problem}"
        );
        let answers = l
            .count(&format!(
                "SELECT COUNT(*) FROM responses WHERE interview_id = '{id}'"
            ))
            .await;
        assert_eq!(answers, 0);
    }
);

lifecycle_test!(
    role_settings_are_validated_and_drive_routing,
    no_tweak,
    |l: Life| async move {
        let path = format!("/v1/roles/{}/invitation-settings", l.role);
        let (_, before) = l
            .call(l.request(Method::GET, &path).bearer_auth(&l.recruiter))
            .await;
        assert_eq!(before["completion_window_hours"], 72);
        for (body, field) in [
            (
                json!({"completion_window_hours": 47}),
                "completion_window_hours",
            ),
            (
                json!({"completion_window_hours": 73}),
                "completion_window_hours",
            ),
            (
                json!({"intro_video_url": "ftp://videos.example.com/x"}),
                "intro_video_url",
            ),
            (
                json!({"hiring_manager_email": "nobody"}),
                "hiring_manager_email",
            ),
            (
                json!({"completion_window_hours": 60, "reviewer_ids": [l.reviewer_ids[0], "ghost"]}),
                "reviewer_ids[1]",
            ),
        ] {
            let (s, p) = l
                .call(
                    l.request(Method::PATCH, &path)
                        .bearer_auth(&l.recruiter)
                        .json(&body),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {p}");
            assert_eq!(p["field"], field, "{p}");
        }
        let (_, after) = l
            .call(l.request(Method::GET, &path).bearer_auth(&l.recruiter))
            .await;
        assert_eq!(after, before, "refused updates changed nothing");

        // Only Rev A in the pool (smaller than the two wanted): Rev A gets
        // it although busy. The hiring manager is cleared: no notice.
        let (s, p) = l
            .call(
                l.request(Method::PATCH, &path)
                    .bearer_auth(&l.recruiter)
                    .json(&json!({
                        "reviewer_ids": [l.reviewer_ids[0]],
                        "hiring_manager_email": "",
                    })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert!(p["hiring_manager_email"].is_null());
        let inv = l.invite_agreed("Grace Hopper", "gh@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        for (i, q) in l.questions.iter().enumerate() {
            let (s, a) = l
                .call(
                    l.request(Method::PUT, &format!("/v1/candidate/responses/{q}"))
                        .bearer_auth(&secret)
                        .body(std::fs::read(crate::uploads::clip(i as u32 + 1)).expect("clip")),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{a}");
        }
        let assigned: Vec<String> =
            sqlx::query_scalar("SELECT reviewer_id FROM assignments WHERE interview_id = $1")
                .bind(&id)
                .fetch_all(&l.state.db.pool)
                .await
                .expect("assignments");
        assert_eq!(assigned, vec![l.reviewer_ids[0].clone()]);
        let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM email_outbox ORDER BY kind")
            .fetch_all(&l.state.db.pool)
            .await
            .expect("outbox");
        assert_eq!(kinds, vec!["acknowledgement", "invitation"]);
    }
);

lifecycle_test!(
    the_link_points_at_the_configured_recording_app,
    |c: &mut ServerConfig| {
        c.invitations.candidate_app_url = Some("https://apply.example.com/record".into())
    },
    |l: Life| async move {
        let inv = l.invite("Annie Easley", "ae@example.org").await;
        let secret = inv["access_secret"].as_str().expect("secret");
        let link = format!("https://apply.example.com/record#{secret}");
        assert_eq!(inv["candidate_url"], link.as_str());
        let mails = l.deliver().await;
        assert!(mails[0].body().contains(&link), "{}", mails[0].body());
    }
);
