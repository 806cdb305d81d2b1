//! The Greenhouse Assessment Partner API over a real socket: Basic auth
//! with the API key, list_tests / send_test / test_status, `complete`
//! only once results exist, and the completion PATCH (no body) reaching a
//! real loopback receiver exactly once even when it is down for a while
//! (backoff driven by the manual clock), or given up on a refusal.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_platform::clock::{HOUR, SECOND};

use crate::ats_support::greenhouse::{start, Gh, KEY};
use crate::ats_support::{basic, eventually, StandIn};

crate::both_backends_with!(
    list_send_and_status_with_the_api_key,
    start,
    |g: Gh| async move {
        let p = &g.p;
        // Without the key, or with another: 401 asking for Basic, nothing done.
        for key in [None, Some("wrong-key"), Some("")] {
            let resp = p
                .http
                .get(p.url("/v1/ats/greenhouse/list_tests"))
                .header(
                    "authorization",
                    key.map(basic).unwrap_or_else(|| "Bearer tk_x".into()),
                )
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{key:?}");
            assert!(
                resp.headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("Basic")),
                "{key:?}"
            );
        }
        let before = p.fingerprint().await;
        let (s, problem) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some("wrong-key"),
                Some(g.send_test_body(&p.roles.support, 1, "harry@example.com")),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert_eq!(p.fingerprint().await, before);

        // Our roles that have questions are the tests.
        let (s, tests) = g
            .gh(
                Method::GET,
                "/v1/ats/greenhouse/list_tests",
                Some(KEY),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{tests}");
        assert_eq!(
            tests,
            json!([
                {"partner_test_id": p.roles.analyst, "partner_test_name": "Data Analyst (Finance)"},
                {"partner_test_id": p.roles.support, "partner_test_name": "Support Engineer (Customer Success)"},
            ])
        );

        let body = g.send_test_body(&p.roles.support, 1, "harry@example.com");
        let (s, sent) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some(KEY),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        let id = sent["partner_interview_id"]
            .as_str()
            .expect("partner_interview_id")
            .to_string();
        assert_eq!(sent, json!({"partner_interview_id": id}));
        let (name, email, role) = p.interview(&id).await;
        assert_eq!(
            (name.as_str(), email.as_str()),
            ("Harry Potter", "harry@example.com")
        );
        assert_eq!(role, p.roles.support);
        let after = p.fingerprint().await;
        assert_eq!(after[2], before[2] + 1);

        // Greenhouse retrying the same test: the same id, nothing new sent.
        let (s, again) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some(KEY),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["partner_interview_id"], id.as_str());
        assert_eq!(p.fingerprint().await, after);

        let (s, status) = g
            .gh(
                Method::GET,
                &format!("/v1/ats/greenhouse/test_status?partner_interview_id={id}"),
                Some(KEY),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        assert_eq!(status["partner_status"], "invited", "{status}");
        assert!(status.get("partner_score").is_none(), "{status}");

        let (s, problem) = g
            .gh(
                Method::GET,
                "/v1/ats/greenhouse/test_status?partner_interview_id=nope",
                Some(KEY),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["field"], "partner_interview_id");
        let (s, _) = g
            .gh(
                Method::GET,
                &format!("/v1/ats/greenhouse/test_status?partner_interview_id={id}"),
                Some("wrong"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // Refusals name the field and change nothing.
        let mut elsewhere = g.send_test_body(&p.roles.support, 2, "h2@example.com");
        elsewhere["url"] = json!("http://169.254.169.254/latest/meta-data");
        let mut unknown_test = g.send_test_body("no-such-role", 3, "h3@example.com");
        unknown_test["partner_test_id"] = json!("no-such-role");
        let no_questions = g.send_test_body(&p.roles.empty, 4, "h4@example.com");
        let bad_email = g.send_test_body(&p.roles.support, 5, "not-an-address");
        let mut no_name = g.send_test_body(&p.roles.support, 6, "h6@example.com");
        if let Some(c) = no_name["candidate"].as_object_mut() {
            c.remove("first_name");
        }
        for (what, body, status, field) in [
            ("callback outside Greenhouse", elsewhere, 422, "url"),
            ("unknown test", unknown_test, 422, "partner_test_id"),
            (
                "role without questions",
                no_questions,
                409,
                "partner_test_id",
            ),
            ("bad email", bad_email, 422, "candidate.email"),
            ("missing first name", no_name, 422, "candidate.first_name"),
        ] {
            let (s, problem) = g
                .gh(
                    Method::POST,
                    "/v1/ats/greenhouse/send_test",
                    Some(KEY),
                    Some(body),
                )
                .await;
            assert_eq!(s.as_u16(), status, "{what}: {problem}");
            assert_eq!(problem["field"], field, "{what}: {problem}");
        }
        assert_eq!(p.fingerprint().await, after);

        let (s, ack) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/response_error",
                Some(KEY),
                Some(
                    json!({"api_call": "test_status", "errors": ["partner_profile_url is missing"],
                            "partner_interview_id": id}),
                ),
            )
            .await;
        assert_eq!((s, ack), (StatusCode::OK, json!({"status": 200})));
    }
);

crate::both_backends_with!(
    complete_only_with_results_then_one_bodyless_patch,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let mut body = g.send_test_body(&p.roles.support, 77, "harry@example.com");
        body["candidate"]["preferred_name"] = json!("Hal");
        body["sent_by"] = json!({"id": 4080, "first_name": "Greta", "email": "greta@example.com"});
        let id = g.send_test(KEY, body).await;
        let (name, _, _) = p.interview(&id).await;
        assert_eq!(name, "Hal Potter", "the preferred name is the display name");
        assert_eq!(
            p.count(
                "SELECT COUNT(*) FROM invitations WHERE external_data LIKE '%greta@example.com%'"
            )
            .await,
            1,
            "sent_by is kept"
        );
        // The candidate finishes: no results yet, so not "complete"
        // (Greenhouse would stop polling) and no PATCH.
        p.complete(&id).await;
        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "awaiting_review", "{status}");
        assert!(status.get("partner_score").is_none(), "{status}");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(p.count("SELECT COUNT(*) FROM greenhouse_patches").await, 0);

        // Reviews submitted while Greenhouse is down.
        g.review(&id, "Rev Gh", [4, 3], None).await;
        eventually("the first PATCH attempt has failed", || async {
            p.count(
                "SELECT COUNT(*) FROM greenhouse_patches WHERE attempts >= 1 \
                     AND state = 'pending' AND last_error IS NOT NULL",
            )
            .await
                == 1
        })
        .await;
        let receiver = StandIn::start(g.callback, |_, _| (200, json!({}))).await;
        p.clock.advance(2 * 60 * SECOND);
        eventually("Greenhouse got the PATCH", || async {
            !receiver.received().is_empty()
        })
        .await;
        p.clock.advance(HOUR);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let got = receiver.received();
        assert_eq!(got.len(), 1, "exactly one PATCH: {got:?}");
        let patch = &got[0];
        assert_eq!(patch.method, "PATCH");
        assert_eq!(
            patch.path,
            "/integrations/testing_partners/take_home_tests/77"
        );
        assert_eq!(patch.authorization, basic(KEY));
        assert_eq!(patch.body, "", "PATCH Completed Test has no body");

        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "complete", "{status}");
        assert_eq!(status["partner_score"], 3.5, "{status}");
        assert!(
            status["partner_profile_url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&p.base)),
            "{status}"
        );
        assert_eq!(
            status["metadata"]["Reviews"], "1 of 1 submitted",
            "{status}"
        );
        receiver.stop().await;
    }
);

crate::both_backends_with!(
    a_refused_completion_is_not_retried_and_admins_see_why,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let (s, sent) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some(KEY),
                Some(g.send_test_body(&p.roles.support, 78, "hired@example.com")),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        let id = sent["partner_interview_id"]
            .as_str()
            .expect("id")
            .to_string();
        // Greenhouse refuses: the candidate was hired meanwhile.
        let receiver = StandIn::start(g.callback, |_, _| {
            (422, json!({"errors": [{"message": "Candidate is hired"}]}))
        })
        .await;
        p.complete(&id).await;
        // A recruiter's decision closes the review without reviewers.
        let (_, recruiter) = g.recruiter("Rita Recruiter", &p.roles.support).await;
        let (s, b) = p
            .call(
                p.http
                    .post(p.url(&format!("/v1/interviews/{id}/decision")))
                    .bearer_auth(&recruiter)
                    .json(&json!({"action": "advance"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        eventually("Greenhouse refused the PATCH", || async {
            p.count("SELECT COUNT(*) FROM greenhouse_patches WHERE state = 'dead'")
                .await
                == 1
        })
        .await;
        p.clock.advance(24 * HOUR);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.received().len(), 1, "a refusal is not retried");

        let admin = g.admin().await;
        let (s, list) = p
            .call(
                p.http
                    .get(p.url("/v1/ats/greenhouse/notices?state=dead"))
                    .bearer_auth(&admin),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let n = &list["items"][0];
        assert_eq!(n["partner_interview_id"], id.as_str(), "{list}");
        assert_eq!(n["last_status"], 422, "{list}");
        assert!(
            n["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("refused")),
            "{list}"
        );
        let (s, problem) = p
            .call(
                p.http
                    .get(p.url("/v1/ats/greenhouse/notices?state=gone"))
                    .bearer_auth(&admin),
            )
            .await;
        assert_eq!(s.as_u16(), 422, "{problem}");
        assert_eq!(problem["field"], "state");
        let (s, _) = p
            .call(
                p.http
                    .get(p.url("/v1/ats/greenhouse/notices"))
                    .bearer_auth(&recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // response_error: JSON whatever the Content-Type says.
        let (s, ack) = p
            .call(
                p.http
                    .post(p.url("/v1/ats/greenhouse/response_error"))
                    .header("authorization", basic(KEY))
                    .header("content-type", "text/plain")
                    .body(r#"{"api_call": "test_status", "errors": ["bad"], "partner_interview_id": "x"}"#),
            )
            .await;
        assert_eq!((s, ack), (StatusCode::OK, json!({"status": 200})));
        receiver.stop().await;
    }
);

// The profile link Greenhouse shows must not come from the Host header
// the caller chose: served without `public_url` (the router alone, as a
// proxy or embedding would), a forged Host yields no link, never one to
// the attacker's host.
crate::both_backends_with!(
    test_status_ignores_the_host_header,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let (s, sent) = g
            .gh(
                Method::POST,
                "/v1/ats/greenhouse/send_test",
                Some(KEY),
                Some(g.send_test_body(&p.roles.support, 5, "host@example.com")),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        let id = sent["partner_interview_id"]
            .as_str()
            .expect("id")
            .to_string();
        assert!(p.state.config.public_url.is_none());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = takes_platform::api::router(p.state.clone());
        let served = tokio::spawn(async move { axum::serve(listener, app).await });
        let (s, status) = p
            .call(
                p.http
                    .get(format!(
                        "http://{addr}/v1/ats/greenhouse/test_status?partner_interview_id={id}"
                    ))
                    .header("host", "evil.example")
                    .header("authorization", basic(KEY)),
            )
            .await;
        served.abort();
        assert_eq!(s, StatusCode::OK, "{status}");
        assert!(!status.to_string().contains("evil.example"), "{status}");
        assert!(status.get("partner_profile_url").is_none(), "{status}");

        // With public_url (the normal server), the link names it, whatever
        // the Host header says.
        let (s, status) =
            g.p.call(
                p.http
                    .get(p.url(&format!(
                        "/v1/ats/greenhouse/test_status?partner_interview_id={id}"
                    )))
                    .header("host", "evil.example")
                    .header("authorization", basic(KEY)),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        let link = status["partner_profile_url"].as_str().expect("link");
        assert!(link.starts_with(&p.base), "{link}");
    }
);

mod contract;
mod organisations;
mod results_link;
