//! The board's decision on an interview Greenhouse ordered (issue 13,
//! "the Greenhouse scorecard path is exercised where configured"): a role
//! linked to a Greenhouse assessment, the one results PATCH at a local
//! Greenhouse stand-in, a bulk decision from the board, and what
//! Greenhouse then reads: the decision in `test_status`, the results page
//! behind the profile link, and the Greenhouse-format scorecard.

use reqwest::StatusCode;
use serde_json::json;

use crate::ats_support::greenhouse::{start, Gh, KEY};
use crate::ats_support::{basic, eventually, StandIn};

crate::both_backends_with!(
    a_board_decision_reaches_greenhouse,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let greenhouse = StandIn::start(g.callback, |_, _| (200, json!({}))).await;
        let id = g
            .send_test(
                KEY,
                json!({
                    "partner_test_id": p.roles.support,
                    "candidate": {"first_name": "Hermione", "last_name": "Granger",
                                  "email": "hermione@example.com"},
                    "url": g.patch_url(91),
                }),
            )
            .await;
        p.complete(&id).await;
        g.review(&id, "Rev Board", [2, 2], None).await;
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
        let (_, recruiter) = g.recruiter("Rita Board", &p.roles.support).await;
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
        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "complete", "{status}");
        assert_eq!(status["metadata"]["Decision"], "reject", "{status}");
        assert_eq!(status["partner_score"], 2.0, "{status}");
        // The profile link is the results page, opened without a token,
        // and the Greenhouse-format scorecard is there for API users.
        let link = status["partner_profile_url"]
            .as_str()
            .expect("profile link")
            .to_string();
        assert!(link.starts_with(&format!("{}/results/", p.base)), "{link}");
        let page = p.http.get(&link).send().await.expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(
            html.contains("Rev Board") && html.contains("reject"),
            "{html}"
        );
        let (s, card) = p
            .call(
                p.http
                    .get(p.url(&format!("/v1/interviews/{id}/scorecard?format=greenhouse")))
                    .bearer_auth(&recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert!(card.to_string().contains("Rev Board"), "{card}");
        greenhouse.stop().await;
    }
);
