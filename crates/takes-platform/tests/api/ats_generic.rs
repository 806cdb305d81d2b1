//! The generic inbound endpoint (`POST /v1/ats/inbound`) over a real
//! socket: Standard Webhooks signatures made by the independent Python
//! `standardwebhooks` package, duplicates and replays, refusals that
//! change nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use takes_platform::clock::SECOND;
use takes_platform::config::ServerConfig;
use takes_platform::webhooks::signing;

use crate::ats_support::{AtsPlatform, Roles};
use crate::support::Backend;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn config(roles: &Roles) -> ServerConfig {
    let text = format!(
        "[ats.generic]\nsecret = \"{SECRET}\"\nscreening_stage = \"Phone Screen\"\n\
         [ats.generic.jobs]\n\"job-42\" = \"{}\"\n\"job-empty\" = \"{}\"\n",
        roles.analyst, roles.empty
    );
    ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
}

async fn start(backend: Backend) -> AtsPlatform {
    AtsPlatform::start(backend, config).await
}

/// `webhook-signature` computed by the Python `standardwebhooks` package.
pub(crate) fn python_sign(secret: &str, id: &str, ts: i64, body: &str) -> String {
    let script = r#"
import sys
from datetime import datetime, timezone
from standardwebhooks.webhooks import Webhook
secret, msg_id, ts = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = sys.stdin.read()
print(Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret, id, &ts.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(body.as_bytes()).expect("write");
    }
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "standardwebhooks (installed by `cargo xtask setup`) failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Our own signer (the outbound one), for the many cases after the
/// Python cross-check.
fn sign(secret: &str, id: &str, ts: i64, body: &str) -> String {
    signing::sign(&signing::key_of(secret).expect("key"), id, ts, body)
}

async fn post(p: &AtsPlatform, id: &str, ts: i64, sig: &str, body: &str) -> (StatusCode, Value) {
    p.call(
        p.http
            .post(p.url("/v1/ats/inbound"))
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(body.to_string()),
    )
    .await
}

/// Signs `body` now with our signer and posts it.
async fn post_signed(p: &AtsPlatform, id: &str, body: &Value) -> (StatusCode, Value) {
    let ts = p.clock.now() / SECOND;
    let text = body.to_string();
    post(p, id, ts, &sign(SECRET, id, ts, &text), &text).await
}

fn stage_changed(stage: &str, role: Value, application: &str, email: &str) -> Value {
    let mut data = json!({
        "stage": stage,
        "candidate": {"id": "cand-1", "name": "Ada Lovelace", "email": email},
        "application_id": application,
    });
    if let (Some(d), Some(r)) = (data.as_object_mut(), role.as_object()) {
        for (k, v) in r {
            d.insert(k.clone(), v.clone());
        }
    }
    json!({"type": "candidate.stage_changed", "data": data})
}

crate::both_backends_with!(
    screening_stage_invites_once_however_often_it_is_said,
    start,
    |p: AtsPlatform| async move {
        let before = p.fingerprint().await;
        let body = stage_changed(
            "phone screen",
            json!({"role_id": p.roles.support}),
            "app-1",
            "ada@example.com",
        )
        .to_string();
        let ts = p.clock.now() / SECOND;
        let sig = python_sign(SECRET, "msg_1", ts, &body);
        // The two signers agree, so the cases below may use ours.
        assert_eq!(sig, sign(SECRET, "msg_1", ts, &body));
        let (s, first) = post(&p, "msg_1", ts, &sig, &body).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["status"], "created", "{first}");
        assert_eq!(first["replayed"], false);
        let interview = first["interview_id"]
            .as_str()
            .expect("interview id")
            .to_string();
        let (name, email, role) = p.interview(&interview).await;
        assert_eq!(
            (name.as_str(), email.as_str(), role.as_str()),
            ("Ada Lovelace", "ada@example.com", p.roles.support.as_str())
        );
        let after_one = p.fingerprint().await;
        assert_eq!(after_one[2], before[2] + 1, "one invitation");
        assert_eq!(after_one[3], before[3] + 1, "one invitation email");
        assert_eq!(
            p.count(&format!(
                "SELECT COUNT(*) FROM invitations WHERE external_source = 'generic' \
                 AND external_id = 'app-1' AND interview_id = '{interview}'"
            ))
            .await,
            1
        );

        // The same delivery again (a sender retry): the first answer.
        let (s, again) = post(&p, "msg_1", ts, &sig, &body).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["replayed"], true, "{again}");
        assert_eq!(again["interview_id"], first["interview_id"]);
        assert_eq!(again["status"], "created");

        // A new message about the same application: the same interview.
        let (s, dup) = post_signed(&p, "msg_2", &serde_json::from_str(&body).expect("json")).await;
        assert_eq!(s, StatusCode::OK, "{dup}");
        assert_eq!(dup["status"], "existing", "{dup}");
        assert_eq!(dup["replayed"], false);
        assert_eq!(dup["interview_id"], first["interview_id"]);
        assert_eq!(
            p.fingerprint().await,
            after_one,
            "nothing new created or sent"
        );

        // Other stages and other event types are acknowledged, not acted on.
        let applied = stage_changed(
            "applied",
            json!({"role_id": p.roles.support}),
            "app-2",
            "b@example.com",
        );
        let (s, r) = post_signed(&p, "msg_3", &applied).await;
        assert_eq!(
            (s, r["status"].as_str()),
            (StatusCode::OK, Some("ignored")),
            "{r}"
        );
        let other = json!({"type": "candidate.hired", "data": {"whatever": 1}});
        let (s, r) = post_signed(&p, "msg_4", &other).await;
        assert_eq!(
            (s, r["status"].as_str()),
            (StatusCode::OK, Some("ignored")),
            "{r}"
        );
        assert_eq!(p.fingerprint().await, after_one);

        // A job id of the sender's, mapped to a role in the config.
        let mapped = stage_changed(
            "Phone Screen",
            json!({"job_id": "job-42"}),
            "app-3",
            "c@example.com",
        );
        let (s, r) = post_signed(&p, "msg_5", &mapped).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "created");
        let (_, _, role) = p.interview(r["interview_id"].as_str().expect("id")).await;
        assert_eq!(role, p.roles.analyst);
    }
);

crate::both_backends_with!(
    bad_signatures_are_401_and_create_nothing,
    start,
    |p: AtsPlatform| async move {
        let before = p.fingerprint().await;
        let body = stage_changed(
            "Phone Screen",
            json!({"role_id": p.roles.support}),
            "app-9",
            "x@example.com",
        );
        let text = body.to_string();
        let now = p.clock.now() / SECOND;
        let good = sign(SECRET, "msg_x", now, &text);
        let wrong_secret = sign(&signing::new_secret(), "msg_x", now, &text);
        let cases: Vec<(&str, reqwest::RequestBuilder, &str)> = vec![
            (
                "no signature headers",
                p.http.post(p.url("/v1/ats/inbound")).body(text.clone()),
                "webhook-id",
            ),
            (
                "wrong secret",
                p.http
                    .post(p.url("/v1/ats/inbound"))
                    .header("webhook-id", "msg_x")
                    .header("webhook-timestamp", now.to_string())
                    .header("webhook-signature", &wrong_secret)
                    .body(text.clone()),
                "webhook-signature",
            ),
            (
                "body changed after signing",
                p.http
                    .post(p.url("/v1/ats/inbound"))
                    .header("webhook-id", "msg_x")
                    .header("webhook-timestamp", now.to_string())
                    .header("webhook-signature", &good)
                    .body(text.replace("x@example.com", "y@example.com")),
                "webhook-signature",
            ),
            (
                "signature of another message id",
                p.http
                    .post(p.url("/v1/ats/inbound"))
                    .header("webhook-id", "msg_y")
                    .header("webhook-timestamp", now.to_string())
                    .header("webhook-signature", &good)
                    .body(text.clone()),
                "webhook-signature",
            ),
            (
                "garbage signature",
                p.http
                    .post(p.url("/v1/ats/inbound"))
                    .header("webhook-id", "msg_x")
                    .header("webhook-timestamp", now.to_string())
                    .header("webhook-signature", "v1,!!!")
                    .body(text.clone()),
                "webhook-signature",
            ),
        ];
        for (what, rb, field) in cases {
            let (s, problem) = p.call(rb).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{what}: {problem}");
            assert_eq!(problem["field"], field, "{what}: {problem}");
        }
        // Correctly signed, but the clock has moved on six minutes: stale.
        p.clock.advance(6 * 60 * SECOND);
        let (s, problem) = post(&p, "msg_x", now, &good, &text).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert_eq!(problem["field"], "webhook-timestamp", "{problem}");
        // Signed six minutes in the future: also refused.
        let future = p.clock.now() / SECOND + 6 * 60;
        let (s, problem) = post(
            &p,
            "msg_x",
            future,
            &sign(SECRET, "msg_x", future, &text),
            &text,
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert_eq!(
            p.fingerprint().await,
            before,
            "a refused message creates nothing"
        );
        assert_eq!(
            p.count("SELECT COUNT(*) FROM ats_inbound_messages").await,
            0
        );

        // The refused id was not remembered: signed properly now, it works.
        let (s, ok) = post_signed(&p, "msg_x", &body).await;
        assert_eq!(s, StatusCode::OK, "{ok}");
        assert_eq!(ok["status"], "created", "{ok}");
    }
);

crate::both_backends_with!(
    bad_events_name_the_field_and_change_nothing,
    start,
    |p: AtsPlatform| async move {
        let before = p.fingerprint().await;
        let cases: Vec<(&str, Value, u16, &str)> = vec![
            (
                "unknown role",
                stage_changed(
                    "Phone Screen",
                    json!({"role_id": "no-such-role"}),
                    "a1",
                    "a@example.com",
                ),
                422,
                "data.role_id",
            ),
            (
                "unmapped job",
                stage_changed(
                    "Phone Screen",
                    json!({"job_id": "job-7"}),
                    "a2",
                    "a@example.com",
                ),
                422,
                "data.job_id",
            ),
            (
                "neither role nor job",
                stage_changed("Phone Screen", json!({}), "a3", "a@example.com"),
                422,
                "data.role_id",
            ),
            (
                "not an email address",
                stage_changed(
                    "Phone Screen",
                    json!({"role_id": p.roles.support}),
                    "a4",
                    "not-an-address",
                ),
                422,
                "data.candidate.email",
            ),
            (
                "no candidate email",
                json!({"type": "candidate.stage_changed", "data": {"stage": "Phone Screen",
                       "role_id": p.roles.support, "application_id": "a5",
                       "candidate": {"name": "No Mail"}}}),
                422,
                "data.candidate.email",
            ),
            (
                "no id to recognise repeats by",
                json!({"type": "candidate.stage_changed", "data": {"stage": "Phone Screen",
                       "role_id": p.roles.support,
                       "candidate": {"name": "Anon", "email": "anon@example.com"}}}),
                422,
                "data.application_id",
            ),
            (
                "stage of the wrong type",
                json!({"type": "candidate.stage_changed", "data": {"stage": 5}}),
                422,
                "data.stage",
            ),
            (
                "role with no questions",
                stage_changed(
                    "Phone Screen",
                    json!({"job_id": "job-empty"}),
                    "a6",
                    "a@example.com",
                ),
                409,
                "data.job_id",
            ),
        ];
        for (i, (what, body, status, field)) in cases.into_iter().enumerate() {
            let (s, problem) = post_signed(&p, &format!("bad_{i}"), &body).await;
            assert_eq!(s.as_u16(), status, "{what}: {problem}");
            assert_eq!(problem["field"], field, "{what}: {problem}");
        }
        // Not JSON at all, signed.
        let ts = p.clock.now() / SECOND;
        let (s, problem) = post(
            &p,
            "bad_json",
            ts,
            &sign(SECRET, "bad_json", ts, "{nope"),
            "{nope",
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{problem}");
        // Bytes that are not UTF-8, correctly signed.
        let raw: &[u8] = b"{\"type\": \"\xff\xfe\"}";
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&signing::key_of(SECRET).expect("key")).expect("hmac");
        mac.update(format!("bad_utf8.{ts}.").as_bytes());
        mac.update(raw);
        let sig = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        let (s, problem) = p
            .call(
                p.http
                    .post(p.url("/v1/ats/inbound"))
                    .header("webhook-id", "bad_utf8")
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", sig)
                    .body(raw.to_vec()),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{problem}");
        // Too large to read.
        let big = format!("{{\"type\": \"{}\"}}", "x".repeat(100 * 1024));
        let (s, problem) = post(&p, "big", ts, &sign(SECRET, "big", ts, &big), &big).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert_eq!(p.fingerprint().await, before);
        assert_eq!(
            p.count("SELECT COUNT(*) FROM ats_inbound_messages").await,
            0
        );
    }
);

crate::both_backends_with!(
    off_until_configured,
    |backend| AtsPlatform::start(backend, |_| ServerConfig::default()),
    |p: AtsPlatform| async move {
        for (method, path) in [
            (reqwest::Method::POST, "/v1/ats/inbound"),
            (reqwest::Method::GET, "/v1/ats/greenhouse/list_tests"),
            (reqwest::Method::POST, "/v1/ats/lever/webhook"),
        ] {
            let (s, problem) = p.call(p.http.request(method, p.url(path)).body("{}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {problem}");
            assert!(
                problem["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("[ats.")),
                "{path}: {problem}"
            );
        }
    }
);
