//! The board's decision on an interview Greenhouse ordered (issue 13,
//! "the Greenhouse scorecard path is exercised where configured"): a role
//! linked to a Greenhouse assessment, the one results PATCH at a local
//! Greenhouse stand-in, a bulk decision from the board, and what
//! Greenhouse then reads: the decision in `test_status` and the
//! Greenhouse-format scorecard behind the profile link.

use std::net::SocketAddr;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_api::UserRole;
use takes_platform::config::ServerConfig;

use crate::ats_support::{basic, closed_port, eventually, AtsPlatform, Roles, StandIn};
use crate::support::Backend;

const KEY: &str = "gh_board_key_5b1e0c9d2f7a4e3c8d6b0a1f2e3d4c5b";

struct Gh {
    p: AtsPlatform,
    callback: SocketAddr,
}

fn config(callback: SocketAddr) -> impl FnOnce(&Roles) -> ServerConfig {
    move |_| {
        let text = format!(
            "[ats.greenhouse]\napi_key = \"{KEY}\"\n\
             callback_url_prefixes = [\"http://{callback}/integrations/\"]\n"
        );
        ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
    }
}

async fn start(backend: Backend) -> Gh {
    let callback = closed_port().await;
    Gh {
        p: AtsPlatform::start(backend, config(callback)).await,
        callback,
    }
}

crate::both_backends_with!(
    a_board_decision_reaches_greenhouse,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let greenhouse = StandIn::start(g.callback, |_, _| (200, json!({}))).await;
        let gh = |method: Method, path: String, body: Option<Value>| {
            let mut rb = p
                .http
                .request(method, p.url(&path))
                .header("authorization", basic(KEY));
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            p.call(rb)
        };
        let (s, sent) = gh(
            Method::POST,
            "/v1/ats/greenhouse/send_test".into(),
            Some(json!({
                "partner_test_id": p.roles.support,
                "candidate": {"first_name": "Hermione", "last_name": "Granger",
                              "email": "hermione@example.com"},
                "url": format!("http://{}/integrations/testing_partners/take_home_tests/91", g.callback),
            })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        let id = sent["partner_interview_id"]
            .as_str()
            .expect("id")
            .to_string();
        p.complete(&id).await;
        let (token, assignment) = p.reviewer_on("Rev Board", &id).await;
        for q in &p.questions {
            let (s, b) = p
                .call(
                    p.http
                        .put(p.url(&format!("/v1/assignments/{assignment}/scores/{q}")))
                        .bearer_auth(&token)
                        .json(&json!({"rating": 2})),
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
        // Greenhouse hears once, when results exist (issue 16): one
        // body-less PATCH after the last review, none at completion.
        eventually("Greenhouse got the results PATCH", || async {
            !greenhouse.received().is_empty()
        })
        .await;
        assert_eq!(
            greenhouse.received().len(),
            1,
            "{:?}",
            greenhouse.received()
        );
        for patch in greenhouse.received() {
            assert_eq!(patch.method, "PATCH");
            assert!(patch.body.is_empty(), "{patch:?}");
            assert_eq!(
                patch.path,
                "/integrations/testing_partners/take_home_tests/91"
            );
            assert_eq!(patch.authorization, basic(KEY));
        }

        // The recruiter of the role decides from the board.
        let now = p.clock.now();
        let (rita, recruiter) = takes_platform::auth::issue_token(
            &p.state.db,
            now,
            "Rita Board",
            UserRole::Recruiter,
            "t",
        )
        .await
        .expect("token");
        {
            let mut conn = p.state.db.pool.acquire().await.expect("conn");
            takes_platform::store::board::writes::add_recruiter(
                &mut conn,
                now,
                &p.roles.support,
                &rita,
            )
            .await
            .expect("recruiter");
        }
        let (s, ready) = p
            .call(
                p.http
                    .get(p.url("/v1/board?stage=ready_to_decide"))
                    .bearer_auth(&recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{ready}");
        assert_eq!(ready["items"][0]["id"], id.as_str(), "{ready}");
        assert_eq!(ready["items"][0]["candidate_name"], "Hermione Granger");
        let (s, decided) = p
            .call(
                p.http
                    .post(p.url("/v1/board/decisions"))
                    .bearer_auth(&recruiter)
                    .header("Idempotency-Key", "gh-board-1")
                    .json(&json!({"interview_ids": [id], "action": "reject",
                                  "reason": "Below the bar"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{decided}");

        // What Greenhouse reads next: the decision and the score.
        let (s, status) = gh(
            Method::GET,
            format!("/v1/ats/greenhouse/test_status?partner_interview_id={id}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        assert_eq!(status["partner_status"], "complete", "{status}");
        assert_eq!(status["metadata"]["Decision"], "reject", "{status}");
        assert_eq!(status["partner_score"], 2.0, "{status}");
        // The profile link is the Greenhouse-format scorecard.
        let link = status["partner_profile_url"]
            .as_str()
            .expect("profile link")
            .to_string();
        assert!(
            link.contains(&format!("/v1/interviews/{id}/scorecard")),
            "{link}"
        );
        let (s, card) = p.call(p.http.get(&link).bearer_auth(&recruiter)).await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert!(card.to_string().contains("Rev Board"), "{card}");
        greenhouse.stop().await;
    }
);
