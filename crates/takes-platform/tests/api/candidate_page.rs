//! The candidate's recording page as served: the page, its assets, and the
//! headers that keep it to this server.

use reqwest::{Method, StatusCode};

use serde_json::json;

use crate::both_backends;
use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;
use crate::support::TestPlatform;

async fn fetch(p: &TestPlatform, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let resp = p
        .request(Method::GET, path, None)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.expect("text"))
}

both_backends!(
    page_and_assets_are_served_from_this_server_only,
    |p: TestPlatform| async move {
        let (status, headers, html) = fetch(&p, "/candidate").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html"));
        let csp = headers["content-security-policy"].to_str().expect("csp");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{directive} missing from {csp}");
        }
        assert_eq!(headers["referrer-policy"], "no-referrer");
        // Every asset the page names is served, with its type and the same
        // policy; nothing points off the server.
        let mut names = Vec::new();
        for part in html.split("/candidate/assets/").skip(1) {
            names.push(part.split('"').next().expect("name").to_string());
        }
        names.push("en.json".into());
        assert!(names.iter().any(|n| n == "app.js") && names.iter().any(|n| n == "app.css"));
        for name in &names {
            let (status, headers, body) = fetch(&p, &format!("/candidate/assets/{name}")).await;
            assert_eq!(status, StatusCode::OK, "{name}");
            assert!(!body.is_empty(), "{name}");
            let ty = headers["content-type"].to_str().expect("type");
            let want = match name.rsplit('.').next() {
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                _ => "application/json",
            };
            assert!(ty.starts_with(want), "{name}: {ty}");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert!(headers.contains_key("content-security-policy"));
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{name} names another server"
            );
        }
        // The script talks to the candidate API the document describes.
        let (_, _, js) = fetch(&p, "/candidate/assets/app.js").await;
        let (_, doc) = p.get("/v1/openapi.json", &p.f.admin).await;
        assert!(js.contains("/v1/candidate/interview"));
        assert!(doc["paths"]["/v1/candidate/interview"]["get"].is_object());
        assert!(js.contains("/v1/candidate/responses/"));
        assert!(doc["paths"]["/candidate"]["get"].is_object());
    }
);

both_backends!(
    unknown_asset_is_a_problem_naming_it,
    |p: TestPlatform| async move {
        for name in ["nope.js", "..%2FCargo.toml", "app.js.map"] {
            let resp = p
                .request(Method::GET, &format!("/candidate/assets/{name}"), None)
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{name}");
            assert!(resp.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with("application/problem+json"));
            let body: serde_json::Value = resp.json().await.expect("json");
            assert!(
                body["detail"].as_str().expect("detail").contains("asset"),
                "{body}"
            );
        }
    }
);

lifecycle_test!(
    consent_is_kept_with_its_text_version,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Christine Darden", "cd@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let put = |body: serde_json::Value, secret: String| {
            l.call(
                l.request(Method::PUT, "/v1/candidate/consent")
                    .bearer_auth(secret)
                    .json(&body),
            )
        };
        let stored = format!("SELECT COUNT(*) FROM candidate_consents WHERE interview_id = '{id}'");

        let (s, p) = put(
            json!({"decision": "maybe", "text_version": "v1"}),
            secret.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "decision");
        let (s, p) = put(
            json!({"decision": "agreed", "text_version": " "}),
            secret.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "text_version");
        let (s, _) = put(
            json!({"decision": "agreed", "text_version": "v1"}),
            "ci_bad".into(),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(l.count(&stored).await, 0);

        let (s, c) = put(
            json!({"decision": "agreed", "text_version": "2026-12-02.en"}),
            secret.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["decision"], "agreed");
        assert!(c["decided_at"].is_string());
        let (s, _) = put(
            json!({"decision": "declined", "text_version": "2026-12-02.en"}),
            secret.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (decision, version): (String, String) = sqlx::query_as(
            "SELECT decision, text_version FROM candidate_consents WHERE interview_id = $1",
        )
        .bind(&id)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("consent row");
        assert_eq!(
            (decision.as_str(), version.as_str()),
            ("declined", "2026-12-02.en")
        );
        let audited = format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'candidate.consent' AND entity_id = '{id}'"
        );
        assert_eq!(l.count(&audited).await, 2);

        // Once the window has closed the secret records nothing.
        l.clock.advance(400 * 24 * 3_600_000);
        let (s, _) = put(
            json!({"decision": "agreed", "text_version": "v2"}),
            secret.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::GONE);
        assert_eq!(l.count(&stored).await, 1);
    }
);

lifecycle_test!(
    a_decline_tells_the_role_recruiters_once,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Dorothy Vaughan", "dv@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        crate::support::recruiter_may_decide(&l.state, &id).await;
        // The fixture's recruiter has no address; give her one.
        let rita = "rita@example.org".to_string();
        sqlx::query("UPDATE users SET email = $1 WHERE name = 'Rita Recruiter'")
            .bind(&rita)
            .execute(&l.state.db.pool)
            .await
            .expect("Rita's email");
        let notices = format!(
            "SELECT COUNT(*) FROM email_outbox WHERE kind = 'consent_declined' AND interview_id = '{id}'"
        );
        let consent = |decision: &str| {
            l.call(
                l.request(Method::PUT, "/v1/candidate/consent")
                    .bearer_auth(secret.clone())
                    .json(&json!({"decision": decision, "text_version": "v1"})),
            )
        };

        // Agreeing tells nobody.
        let (s, _) = consent("agreed").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.count(&notices).await, 0);
        // Declining queues one email to the role's recruiter, naming the
        // candidate and the role.
        let (s, _) = consent("declined").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.count(&notices).await, 1);
        let (to, subject, body): (String, String, String) = sqlx::query_as(
            "SELECT to_address, subject, body FROM email_outbox \
             WHERE kind = 'consent_declined' AND interview_id = $1",
        )
        .bind(&id)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("the notice");
        assert_eq!(to, rita);
        assert!(subject.contains("Dorothy Vaughan"), "{subject}");
        assert!(
            body.contains("Dorothy Vaughan declined to be recorded"),
            "{body}"
        );
        // Declining again, even after agreeing in between, sends nothing more.
        let (s, _) = consent("agreed").await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = consent("declined").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.count(&notices).await, 1);
        // And it is delivered by the outbox like every other email.
        let mails = l.deliver().await;
        assert!(
            mails
                .iter()
                .any(|m| m.to.contains(&rita) && m.body().contains("declined to be recorded")),
            "{} mails, none to {rita} about the decline",
            mails.len()
        );
    }
);

lifecycle_test!(
    no_upload_is_kept_without_consent,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Mary Golda Ross", "mgr@example.org").await;
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let q1 = l.questions[0].clone();
        let clip = std::fs::read(crate::uploads::clip(1)).expect("clip");
        let kept = "SELECT COUNT(*) FROM responses r JOIN interviews i ON i.id = r.interview_id \
                    WHERE i.status <> 'completed'";
        let before = l.media_files();

        // Neither a whole upload nor a resumable one before consent.
        let (s, p) = l.upload(&secret, &q1, clip.clone(), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "consent", "{p}");
        assert!(p["detail"].as_str().is_some_and(|d| d.contains("consent")));
        let (s, p) = l
            .call(
                l.request(
                    Method::POST,
                    &format!("/v1/candidate/responses/{q1}/uploads"),
                )
                .bearer_auth(&secret)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", "100"),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "consent", "{p}");

        // A decline is a refusal, not a missing step.
        l.call(
            l.request(Method::PUT, "/v1/candidate/consent")
                .bearer_auth(&secret)
                .json(&json!({"decision": "declined", "text_version": "v1"})),
        )
        .await;
        let (s, p) = l.upload(&secret, &q1, clip.clone(), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert_eq!(p["field"], "consent", "{p}");
        assert_eq!(l.count(kept).await, 0);
        assert_eq!(l.media_files(), before, "a refused upload left a file");

        // Agreeing opens recording.
        l.agree(&secret).await;
        let (s, p) = l.upload(&secret, &q1, clip, None).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(l.count(kept).await, 1);
    }
);
