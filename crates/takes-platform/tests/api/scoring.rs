//! Blind scoring, anonymisation, idempotent writes, submission.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::support::TestPlatform;

both_backends!(
    panel_stays_hidden_until_the_caller_submits,
    |p: TestPlatform| async move {
        let panel0 = format!("/v1/assignments/{}/panel", p.f.assignments[0]);
        let (s, body) = p.get(&panel0, &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("submit"),
            "{body}"
        );

        // Colleagues submitting does not open the panel for reviewer 0.
        p.score_all_and_submit(&p.f.reviewers[1], &p.f.assignments[1], 2)
            .await;
        let (s, _) = p.get(&panel0, &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Reviewer 2 has a draft; reviewer 1 (submitted) must not see it.
        let (s, _) = p
            .put_score(
                &p.f.reviewers[2],
                &p.f.assignments[2],
                &p.f.questions[0],
                json!({"rating": 1}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, panel) = p
            .get(
                &format!("/v1/assignments/{}/panel", p.f.assignments[1]),
                &p.f.reviewers[1],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{panel}");
        let rows = panel["reviewers"].as_array().expect("reviewers");
        assert_eq!(rows.len(), 3);
        for r in rows {
            let scores = r["scores"].as_array().map(Vec::len).unwrap_or(99);
            if r["reviewer_id"] == p.f.reviewer_ids[1].as_str() {
                assert_eq!(scores, 3);
                assert_eq!(r["is_me"], true);
            } else {
                assert_eq!(scores, 0, "unsubmitted scores leaked: {r}");
                assert_eq!(r["is_me"], false);
            }
        }

        p.score_all_and_submit(&p.f.reviewers[0], &p.f.assignments[0], 4)
            .await;
        let (s, panel) = p.get(&panel0, &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::OK, "{panel}");
        let q0 = &panel["questions"][0];
        assert_eq!(q0["mean"], 3.0);
        assert_eq!(q0["spread"], 2);
        assert_eq!(
            panel["candidate"]["display_name"],
            p.f.candidate_name.as_str()
        );
    }
);

both_backends!(
    candidates_are_pseudonymous_until_submit,
    |p: TestPlatform| async move {
        let name_in = |v: &serde_json::Value| v.to_string().contains(&p.f.candidate_name);
        let (_, q0) = p.get("/v1/queue", &p.f.reviewers[0]).await;
        let (_, q1) = p.get("/v1/queue", &p.f.reviewers[1]).await;
        let (_, a0) = p
            .get(
                &format!("/v1/assignments/{}", p.f.assignments[0]),
                &p.f.reviewers[0],
            )
            .await;
        assert!(
            !name_in(&q0) && !name_in(&a0),
            "real name leaked before submit"
        );
        let item0 = q0["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["id"] == p.f.assignments[0].as_str())
            })
            .cloned()
            .expect("item");
        let pseudonym = item0["candidate"]["display_name"]
            .as_str()
            .expect("name")
            .to_string();
        assert!(pseudonym.starts_with("Candidate "), "{pseudonym}");
        assert_eq!(item0["candidate"]["revealed"], false);
        // Stable: the same pseudonym for every reviewer and every endpoint.
        assert_eq!(
            q1["items"][0]["candidate"]["display_name"],
            pseudonym.as_str()
        );
        assert_eq!(a0["candidate"]["display_name"], pseudonym.as_str());

        p.score_all_and_submit(&p.f.reviewers[0], &p.f.assignments[0], 3)
            .await;
        let (_, a0) = p
            .get(
                &format!("/v1/assignments/{}", p.f.assignments[0]),
                &p.f.reviewers[0],
            )
            .await;
        assert_eq!(a0["candidate"]["display_name"], p.f.candidate_name.as_str());
        assert_eq!(a0["candidate"]["revealed"], true);
        // Reviewer 1 has not submitted: still the pseudonym.
        let (_, q1) = p.get("/v1/queue", &p.f.reviewers[1]).await;
        assert!(!name_in(&q1));
    }
);

both_backends!(
    same_idempotency_key_stores_one_score,
    |p: TestPlatform| async move {
        let path = format!(
            "/v1/assignments/{}/scores/{}",
            p.f.assignments[0], p.f.questions[0]
        );
        let body = json!({"rating": 4, "muted_rating": 3, "note": "clear STAR answer", "evidence": [{"start_s": 0.5, "end_s": 2.0}]});
        let send = |key: &'static str, body: serde_json::Value| {
            let rb = p
                .request(Method::PUT, &path, Some(&p.f.reviewers[0]))
                .header("Idempotency-Key", key)
                .json(&body);
            async move {
                let r = rb.send().await.expect("send");
                (r.status(), r.text().await.expect("text"))
            }
        };
        let (s1, b1) = send("key-1", body.clone()).await;
        let (s2, b2) = send("key-1", body.clone()).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert_eq!(b1, b2, "a replay must return the first answer verbatim");
        let writes = "SELECT COUNT(*) FROM audit_log WHERE action = 'score.written'";
        assert_eq!(p.count(writes).await, 1);
        assert_eq!(p.count("SELECT COUNT(*) FROM scores").await, 1);

        // Same key, different body: refused, nothing stored.
        let (s3, b3) = send("key-1", json!({"rating": 1})).await;
        assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY, "{b3}");
        assert!(b3.contains("Idempotency-Key"), "{b3}");
        let (_, a) = p
            .get(
                &format!("/v1/assignments/{}", p.f.assignments[0]),
                &p.f.reviewers[0],
            )
            .await;
        assert_eq!(a["my_scores"][0]["rating"], 4);
        assert_eq!(a["my_scores"][0]["muted_rating"], 3);
        assert_eq!(a["my_scores"][0]["note"], "clear STAR answer");
        assert_eq!(a["my_scores"][0]["evidence"][0]["end_s"], 2.0);

        // A new key is a new write.
        let (s4, _) = send("key-2", json!({"rating": 5})).await;
        assert_eq!(s4, StatusCode::OK);
        assert_eq!(p.count(writes).await, 2);
        assert_eq!(p.count("SELECT COUNT(*) FROM scores").await, 1);
    }
);

both_backends!(
    submit_needs_every_question_and_locks_scores,
    |p: TestPlatform| async move {
        let a = &p.f.assignments[0];
        let t = &p.f.reviewers[0];
        let (s, _) = p
            .put_score(t, a, &p.f.questions[0], json!({"rating": 3}))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, q) = p.get("/v1/queue", t).await;
        let item = q["items"]
            .as_array()
            .and_then(|i| i.iter().find(|x| x["id"] == a.as_str()).cloned())
            .expect("item");
        assert_eq!(item["status"], "in_progress");
        assert_eq!(item["scored_count"], 1);
        assert_eq!(item["question_count"], 3);

        let (s, body) = p.submit(t, a).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(
            body["detail"].as_str().unwrap_or_default().contains("2, 3"),
            "{body}"
        );

        p.score_all_and_submit(t, a, 5).await;
        let (s, body) = p
            .put_score(t, a, &p.f.questions[0], json!({"rating": 1}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        let (s, _) = p.submit(t, a).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, detail) = p.get(&format!("/v1/assignments/{a}"), t).await;
        assert_eq!(detail["status"], "submitted");
        assert!(detail["my_scores"]
            .as_array()
            .expect("scores")
            .iter()
            .all(|s| s["rating"] == 5));
    }
);

both_backends!(
    recruiters_decide_and_see_it_listed,
    |p: TestPlatform| async move {
        let path = format!("/v1/interviews/{}/decision", p.f.interview);
        // Only the recruiters of the interview's role decide it.
        let (s, refused) = p
            .call(
                p.request(Method::POST, &path, Some(&p.f.recruiter))
                    .json(&json!({"action": "advance"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{refused}");
        crate::support::recruiter_may_decide(&p.state, &p.f.interview).await;
        let (s, d) = p
            .call(
                p.request(Method::POST, &path, Some(&p.f.recruiter))
                    .json(&json!({"action": "advance", "reason": "strong ownership"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["action"], "advance");
        assert_eq!(d["decided_by"], "Rita Recruiter");
        // An advance is final: a second decision names the first.
        let (s, again) = p
            .call(
                p.request(Method::POST, &path, Some(&p.f.recruiter))
                    .json(&json!({"action": "reject"})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");
        assert!(again["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(d["id"].as_str().unwrap_or("?")));
        let (s, list) = p
            .get("/v1/interviews?status=completed", &p.f.recruiter)
            .await;
        assert_eq!(s, StatusCode::OK);
        let row = list["items"]
            .as_array()
            .and_then(|i| {
                i.iter()
                    .find(|x| x["id"] == p.f.interview.as_str())
                    .cloned()
            })
            .expect("row");
        assert_eq!(row["decision"]["action"], "advance");
        assert_eq!(row["reviewers_assigned"], 3);
        assert_eq!(
            row["candidate"]["display_name"],
            p.f.candidate_name.as_str()
        );
        let audited = p
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.recorded'")
            .await;
        assert_eq!(audited, 1);
    }
);

both_backends!(
    queue_pages_with_cursors_in_due_order,
    |p: TestPlatform| async move {
        let t = &p.f.reviewers[0];
        let (_, first) = p.get("/v1/queue?limit=1", t).await;
        assert_eq!(first["total"], 2);
        assert_eq!(
            first["items"][0]["id"],
            p.f.assignments[0].as_str(),
            "earliest due first"
        );
        let cursor = first["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_string();
        let (_, second) = p
            .get(&format!("/v1/queue?limit=1&cursor={cursor}"), t)
            .await;
        assert_eq!(second["items"][0]["id"], p.f.other_assignment.as_str());
        assert!(second["next_cursor"].is_null());
        let (_, pending) = p.get("/v1/queue?status=submitted", t).await;
        assert_eq!(pending["total"], 0);
    }
);

both_backends!(
    queue_search_filters_and_counts,
    |p: TestPlatform| async move {
        let t = &p.f.reviewers[0];
        // The real name is not searchable before submit: that would reveal it.
        let (_, by_name) = p.get("/v1/queue?q=hopper", t).await;
        assert_eq!(by_name["total"], 0, "{by_name}");
        let (_, q0) = p.get("/v1/queue", t).await;
        let pseudonym = q0["items"][0]["candidate"]["display_name"]
            .as_str()
            .expect("name")
            .to_string();
        let word = pseudonym
            .split(' ')
            .nth(2)
            .expect("pseudonym has words")
            .to_lowercase();
        let (_, by_pseudonym) = p.get(&format!("/v1/queue?q={word}"), t).await;
        assert!(
            by_pseudonym["total"].as_i64().unwrap_or(0) >= 1,
            "{by_pseudonym}"
        );
        let (_, by_dept) = p.get("/v1/queue?q=CUSTOMER%20success", t).await;
        assert_eq!(by_dept["total"], 2);
        let (_, wildcard) = p.get("/v1/queue?q=%25", t).await;
        assert_eq!(
            wildcard["total"], 0,
            "a literal % matches nothing here: {wildcard}"
        );
        let (_, by_role) = p.get("/v1/queue?role=Support%20Engineer", t).await;
        assert_eq!(by_role["total"], 2);
        let (_, other_role) = p.get("/v1/queue?role=Chef", t).await;
        assert_eq!(other_role["total"], 0);
        assert_eq!(
            other_role["counts"]["pending"], 2,
            "counts ignore the filter"
        );

        p.score_all_and_submit(t, &p.f.assignments[0], 3).await;
        let (_, after) = p
            .get("/v1/queue?q=hopper&since=2000-01-01T00:00:00Z", t)
            .await;
        assert_eq!(after["total"], 1, "revealed after submit: {after}");
        assert_eq!(after["counts"]["submitted"], 1);
        assert_eq!(after["counts"]["pending"], 1);
        assert_eq!(after["counts"]["submitted_since"], 1);
        let (_, future) = p.get("/v1/queue?since=2999-01-01T00:00:00Z", t).await;
        assert_eq!(future["counts"]["submitted_since"], 0);
        let (s, bad) = p.get("/v1/queue?since=yesterday", t).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad["field"], "since");
    }
);
