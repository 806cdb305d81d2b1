//! The Greenhouse side of the ATS tests: a platform with `[ats.greenhouse]`
//! whose completion PATCHes go to a loopback port (nothing listens until a
//! test starts a `StandIn` there), and the calls Greenhouse and our users
//! make in every Greenhouse test.

use std::net::SocketAddr;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::config::ServerConfig;

use super::{basic, closed_port, AtsPlatform, Roles};
use crate::support::Backend;

/// The single `[ats.greenhouse] api_key`.
pub const KEY: &str = "gh_test_key_0d031d8227eafa61dc375a6c2e067e24";

pub struct Gh {
    pub p: AtsPlatform,
    /// Where the PATCH receiver listens (nothing, until a test starts it).
    pub callback: SocketAddr,
}

/// A platform whose only Greenhouse key is `KEY`.
pub async fn start(backend: Backend) -> Gh {
    start_with(backend, |_| String::new()).await
}

/// A platform with `KEY` and more configuration after `[ats.greenhouse]`
/// (e.g. organisations), built from the roles' ids.
pub async fn start_with(backend: Backend, more: impl FnOnce(&Roles) -> String) -> Gh {
    let callback = closed_port().await;
    let configure = move |roles: &Roles| {
        let text = format!(
            "[ats.greenhouse]\napi_key = \"{KEY}\"\n\
             callback_url_prefixes = [\"http://{callback}/integrations/\"]\n{}",
            more(roles)
        );
        ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
    };
    Gh {
        p: AtsPlatform::start(backend, configure).await,
        callback,
    }
}

impl Gh {
    /// A call as Greenhouse makes it: Basic auth with `key` (none: no
    /// header), JSON body.
    pub async fn gh(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.p.http.request(method, self.p.url(path));
        if let Some(k) = key {
            rb = rb.header("authorization", basic(k));
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.p.call(rb).await
    }

    pub fn patch_url(&self, test: u32) -> String {
        format!(
            "http://{}/integrations/testing_partners/take_home_tests/{test}",
            self.callback
        )
    }

    /// Greenhouse's send_test body, as its documentation shows it.
    pub fn send_test_body(&self, role: &str, test: u32, email: &str) -> Value {
        json!({
            "partner_test_id": role,
            "candidate": {
                "first_name": "Harry", "last_name": "Potter", "email": email,
                "resume_url": "https://example.com/resume", "phone_number": "123-456-7890",
                "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709"
            },
            "url": self.patch_url(test),
        })
    }

    /// send_test with `key`, which must succeed; the partner_interview_id.
    pub async fn send_test(&self, key: &str, body: Value) -> String {
        let (s, sent) = self
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some(key),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        sent["partner_interview_id"]
            .as_str()
            .expect("partner_interview_id")
            .to_string()
    }

    /// test_status with `key`, which must succeed.
    pub async fn status(&self, key: &str, id: &str) -> Value {
        let (s, status) = self
            .gh(
                Method::GET,
                &format!("/v1/ats/greenhouse/test_status?partner_interview_id={id}"),
                Some(key),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        status
    }

    /// A reviewer `name` rates the two questions and submits.
    pub async fn review(&self, id: &str, name: &str, ratings: [i64; 2], note: Option<&str>) {
        let p = &self.p;
        let (token, assignment) = p.reviewer_on(name, id).await;
        // The interview's own questions (each role has its set).
        let questions: Vec<String> = sqlx::query(
            "SELECT q.id FROM questions q JOIN interviews i ON i.question_set_id = q.question_set_id \
             WHERE i.id = $1 ORDER BY q.position",
        )
        .bind(id)
        .fetch_all(&p.state.db.pool)
        .await
        .expect("questions")
        .iter()
        .map(|r| r.get::<String, _>("id"))
        .collect();
        for (q, rating) in questions.iter().zip(ratings) {
            let (s, b) = p
                .call(
                    p.http
                        .put(p.url(&format!("/v1/assignments/{assignment}/scores/{q}")))
                        .bearer_auth(&token)
                        .json(&json!({"rating": rating, "note": note})),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let (s, b) = p
            .call(
                p.http
                    .post(p.url(&format!("/v1/assignments/{assignment}/submit")))
                    .bearer_auth(&token),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    /// A recruiter of `role`: (user id, token).
    pub async fn recruiter(&self, name: &str, role: &str) -> (String, String) {
        let p = &self.p;
        let now = p.clock.now();
        let (user, token) =
            takes_platform::auth::issue_token(&p.state.db, now, name, UserRole::Recruiter, "test")
                .await
                .expect("token");
        let mut w = p.state.db.begin_write().await.expect("begin");
        takes_platform::store::board::writes::add_recruiter(&mut w.tx, now, role, &user)
            .await
            .expect("recruiter");
        w.commit().await.expect("commit");
        (user, token)
    }

    /// An admin's token.
    pub async fn admin(&self) -> String {
        let p = &self.p;
        takes_platform::auth::issue_token(
            &p.state.db,
            p.clock.now(),
            "Ada Admin",
            UserRole::Admin,
            "test",
        )
        .await
        .expect("token")
        .1
    }
}
