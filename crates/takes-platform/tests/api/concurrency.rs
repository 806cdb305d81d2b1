//! Many reviewers writing at once.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::clock::rfc3339;
use takes_platform::store::assignments;

use crate::both_backends;
use crate::support::TestPlatform;

both_backends!(
    fifty_concurrent_score_writes_are_all_stored,
    |p: TestPlatform| async move {
        let now = p.state.clock.now();
        let mut reviewers = Vec::new();
        for i in 0..50 {
            let (id, token) = takes_platform::auth::issue_token(
                &p.state.db,
                now,
                &format!("Load {i}"),
                UserRole::Reviewer,
                "t",
            )
            .await
            .expect("token");
            let mut w = p.state.db.begin_write().await.expect("begin");
            let a = assignments::assignment(&mut w.tx, &p.f.interview, &id, now, now + 1000, None)
                .await
                .expect("assign");
            w.commit().await.expect("commit");
            reviewers.push((token, a));
        }
        let mut tasks = Vec::new();
        for (i, (token, assignment)) in reviewers.into_iter().enumerate() {
            let http = p.http.clone();
            let url = p.url(&format!(
                "/v1/assignments/{assignment}/scores/{}",
                p.f.questions[i % 3]
            ));
            tasks.push(tokio::spawn(async move {
                let r = http
                    .put(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", format!("load-{i}"))
                    .json(&json!({"rating": (i % 5) as i64 + 1}))
                    .send()
                    .await
                    .expect("send");
                r.status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.expect("task"), StatusCode::OK);
        }
        assert_eq!(p.count("SELECT COUNT(*) FROM scores").await, 50);
        assert_eq!(p.count("SELECT COUNT(*) FROM idempotency_keys").await, 50);
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'score.written'")
                .await,
            50
        );
    }
);

/// `review.submitted` events about `assignment`, as their `data`.
async fn review_events(p: &TestPlatform, assignment: &str) -> Vec<Value> {
    sqlx::query("SELECT body FROM webhook_events WHERE event_type = 'review.submitted'")
        .fetch_all(&p.state.db.pool)
        .await
        .expect("events")
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.get::<String, _>("body")).expect("json");
            body["data"].clone()
        })
        .filter(|d| d["assignment_id"] == assignment)
        .collect()
}

async fn reviewed_events(p: &TestPlatform, interview: &str) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM webhook_events \
         WHERE event_type = 'interview.reviewed' AND interview_id = $1",
    )
    .bind(interview)
    .fetch_one(&p.state.db.pool)
    .await
    .expect("count")
    .get("n")
}

/// Sends `n` submits of `assignment` at once; their statuses.
async fn submit_at_once(p: &TestPlatform, token: &str, assignment: &str, n: usize) -> Vec<u16> {
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let rb = p.request(
            Method::POST,
            &format!("/v1/assignments/{assignment}/submit"),
            Some(token),
        );
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            rb.send().await.expect("send").status().as_u16()
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out.sort_unstable();
    out
}

both_backends!(
    two_racing_submits_one_wins_and_raises_its_events_once,
    |p: TestPlatform| async move {
        // Reviewers 1 and 2 are done, so reviewer 0's submit is the last
        // one and also raises `interview.reviewed`.
        for r in 1..3 {
            p.score_all_and_submit(&p.f.reviewers[r], &p.f.assignments[r], 3)
                .await;
        }
        let t0 = &p.f.reviewers[0];
        for (assignment, interview) in [
            (&p.f.assignments[0], p.f.interview.clone()),
            (&p.f.other_assignment, other_interview(&p).await),
        ] {
            for q in &p.f.questions {
                let (s, b) = p.put_score(t0, assignment, q, json!({"rating": 4})).await;
                assert_eq!(s, StatusCode::OK, "{b}");
            }
            let statuses = submit_at_once(&p, t0, assignment, 2).await;
            assert_eq!(statuses, vec![200, 409], "exactly one submit wins");
            assert_eq!(review_events(&p, assignment).await.len(), 1);
            assert_eq!(reviewed_events(&p, &interview).await, 1);
        }
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assignment.submitted'")
                .await,
            4
        );
    }
);

async fn other_interview(p: &TestPlatform) -> String {
    sqlx::query("SELECT interview_id FROM assignments WHERE id = $1")
        .bind(&p.f.other_assignment)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("assignment")
        .get("interview_id")
}

both_backends!(
    score_writes_racing_a_submit_never_land_after_it,
    |p: TestPlatform| async move {
        // Several rounds, each a fresh reviewer: one submit amid 20 score
        // writes of the same assignment.
        let now = p.state.clock.now();
        for round in 0..5 {
            let (id, token) = takes_platform::auth::issue_token(
                &p.state.db,
                now,
                &format!("Racer {round}"),
                UserRole::Reviewer,
                "t",
            )
            .await
            .expect("token");
            let mut w = p.state.db.begin_write().await.expect("begin");
            let a = assignments::assignment(&mut w.tx, &p.f.interview, &id, now, now + 1000, None)
                .await
                .expect("assign");
            w.commit().await.expect("commit");
            for q in &p.f.questions {
                let (s, b) = p
                    .put_score(&token, &a, q, json!({"rating": 1, "note": "first"}))
                    .await;
                assert_eq!(s, StatusCode::OK, "{b}");
            }
            let start = std::sync::Arc::new(tokio::sync::Barrier::new(21));
            let mut writes = Vec::new();
            for i in 0..20usize {
                let rb = p
                    .request(
                        Method::PUT,
                        &format!("/v1/assignments/{a}/scores/{}", p.f.questions[i % 3]),
                        Some(&token),
                    )
                    .json(&json!({"rating": (i % 5) as i64 + 1, "note": format!("write {i}")}));
                let start = start.clone();
                writes.push(tokio::spawn(async move {
                    start.wait().await;
                    rb.send().await.expect("send").status().as_u16()
                }));
            }
            let rb = p.request(
                Method::POST,
                &format!("/v1/assignments/{a}/submit"),
                Some(&token),
            );
            let submit = tokio::spawn(async move {
                start.wait().await;
                rb.send().await.expect("send").status().as_u16()
            });
            assert_eq!(submit.await.expect("task"), 200);
            for w in writes {
                let s = w.await.expect("task");
                assert!(s == 200 || s == 409, "a score write answered {s}");
            }

            let events = review_events(&p, &a).await;
            assert_eq!(events.len(), 1);
            let event = &events[0];
            let submitted_at: i64 =
                sqlx::query("SELECT submitted_at FROM assignments WHERE id = $1")
                    .bind(&a)
                    .fetch_one(&p.state.db.pool)
                    .await
                    .expect("assignment")
                    .get("submitted_at");
            assert_eq!(event["submitted_at"], rfc3339(submitted_at));
            let stored = sqlx::query(
                "SELECT question_id, rating, muted_rating, note, updated_at FROM scores \
                 WHERE assignment_id = $1",
            )
            .bind(&a)
            .fetch_all(&p.state.db.pool)
            .await
            .expect("scores");
            assert_eq!(stored.len(), 3);
            for s in &stored {
                let question: String = s.get("question_id");
                let updated_at: i64 = s.get("updated_at");
                assert!(
                    updated_at <= submitted_at,
                    "round {round}: question {question} updated at {updated_at}, after the submit at {submitted_at}"
                );
                let sent = event["scores"]
                    .as_array()
                    .expect("scores")
                    .iter()
                    .find(|e| e["question_id"] == question.as_str())
                    .expect("question in the event");
                assert_eq!(
                    (
                        sent["rating"].as_i64(),
                        sent["muted_rating"].as_i64(),
                        sent["note"].as_str()
                    ),
                    (
                        Some(s.get::<i64, _>("rating")),
                        s.get::<Option<i64>, _>("muted_rating"),
                        s.get::<Option<String>, _>("note").as_deref()
                    ),
                    "round {round}: the stored score differs from the one the event reported"
                );
            }
        }
    }
);

/// A calibration session of reviewers 0 and 1 on responses nobody reviews;
/// its id and item ids.
async fn calibration(p: &TestPlatform) -> (String, Vec<String>) {
    let samples = p.unreviewed_responses().await;
    let (s, b) = p
        .call(
            p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
                .json(&json!({
                    "title": "Races",
                    "deadline_at": "2999-01-01T00:00:00Z",
                    "participant_ids": [p.f.reviewer_ids[0], p.f.reviewer_ids[1]],
                    "response_ids": samples,
                })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let items = b["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("item").to_string())
        .collect();
    (b["id"].as_str().expect("id").to_string(), items)
}

both_backends!(
    calibration_submits_and_score_writes_race_like_assignments,
    |p: TestPlatform| async move {
        let (id, items) = calibration(&p).await;
        let t0 = &p.f.reviewers[0];
        let put = |item: &str, body: Value| {
            p.request(
                Method::PUT,
                &format!("/v1/calibration/{id}/items/{item}/score"),
                Some(t0),
            )
            .json(&body)
        };
        for item in &items {
            let (s, b) = p.call(put(item, json!({"rating": 1}))).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        // Two submits amid 20 score writes: one submit wins, and a write
        // lands before it (and before its time) or is refused.
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(22));
        let mut writes = Vec::new();
        for i in 0..20usize {
            let rb = put(
                &items[i % items.len()],
                json!({"rating": (i % 5) as i64 + 1}),
            );
            let start = start.clone();
            writes.push(tokio::spawn(async move {
                start.wait().await;
                rb.send().await.expect("send").status().as_u16()
            }));
        }
        let mut submits = Vec::new();
        for _ in 0..2 {
            let rb = p.request(
                Method::POST,
                &format!("/v1/calibration/{id}/submit"),
                Some(t0),
            );
            let start = start.clone();
            submits.push(tokio::spawn(async move {
                start.wait().await;
                rb.send().await.expect("send").status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for s in submits {
            statuses.push(s.await.expect("task"));
        }
        statuses.sort_unstable();
        assert_eq!(statuses, vec![200, 409], "exactly one submit wins");
        for w in writes {
            let s = w.await.expect("task");
            assert!(s == 200 || s == 409, "a score write answered {s}");
        }
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calibration.submitted'")
                .await,
            1
        );
        let submitted_at: i64 = sqlx::query(
            "SELECT submitted_at FROM calibration_participants WHERE session_id = $1 AND user_id = $2",
        )
        .bind(&id)
        .bind(&p.f.reviewer_ids[0])
        .fetch_one(&p.state.db.pool)
        .await
        .expect("participant")
        .get("submitted_at");
        let stored = sqlx::query(
            "SELECT item_id, updated_at FROM calibration_scores WHERE session_id = $1 AND user_id = $2",
        )
        .bind(&id)
        .bind(&p.f.reviewer_ids[0])
        .fetch_all(&p.state.db.pool)
        .await
        .expect("scores");
        assert_eq!(stored.len(), items.len());
        for s in &stored {
            let updated_at: i64 = s.get("updated_at");
            assert!(
                updated_at <= submitted_at,
                "item {} updated at {updated_at}, after the submit at {submitted_at}",
                s.get::<String, _>("item_id")
            );
        }
    }
);
