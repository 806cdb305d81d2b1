//! Calibration sessions: the results lock, reveal, audit, flags and
//! figures, anonymised samples, history, live reliability, and the demo.

use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_platform::clock::DAY;
use takes_platform::store::{interviews, roles};

use crate::both_backends;
use crate::support::{rubric, Backend, TestPlatform};

/// A session created through the API.
struct Cal {
    id: String,
    items: Vec<String>,
}

async fn user_id(p: &TestPlatform, token: &str) -> String {
    let (s, me) = p.get("/v1/me", token).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    me["id"].as_str().expect("id").to_string()
}

/// Every response of the fixture: interview 0's three, then interview 1's.
async fn all_responses(p: &TestPlatform) -> Vec<String> {
    let mut out = p.f.responses.to_vec();
    let rows = sqlx::query("SELECT id FROM responses ORDER BY id")
        .fetch_all(&p.state.db.pool)
        .await
        .expect("responses");
    for r in rows {
        let id: String = r.get("id");
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Ends the fixture's live reviews: calibration refuses samples from an
/// interview still under review (`calibration_live.rs` tests that), and
/// these tests are about sessions, not about the reviews.
async fn end_live_reviews(p: &TestPlatform) {
    sqlx::query(
        "UPDATE assignments SET status = 'submitted', submitted_at = $1 \
         WHERE status <> 'submitted'",
    )
    .bind(p.state.clock.now())
    .execute(&p.state.db.pool)
    .await
    .expect("end live reviews");
}

async fn create(p: &TestPlatform, participants: &[String], responses: &[String]) -> Cal {
    end_live_reviews(p).await;
    let (s, body) = p
        .call(
            p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
                .json(&json!({
                    "title": "2026 Q3 calibration",
                    "deadline_at": "2999-01-01T00:00:00Z",
                    "participant_ids": participants,
                    "response_ids": responses,
                })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let items = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("item id").to_string())
        .collect();
    Cal {
        id: body["id"].as_str().expect("id").to_string(),
        items,
    }
}

async fn score(
    p: &TestPlatform,
    token: &str,
    cal: &Cal,
    item: usize,
    body: Value,
) -> (StatusCode, Value) {
    p.call(
        p.request(
            Method::PUT,
            &format!("/v1/calibration/{}/items/{}/score", cal.id, cal.items[item]),
            Some(token),
        )
        .json(&body),
    )
    .await
}

async fn submit(p: &TestPlatform, token: &str, cal: &Cal) -> (StatusCode, Value) {
    p.call(p.request(
        Method::POST,
        &format!("/v1/calibration/{}/submit", cal.id),
        Some(token),
    ))
    .await
}

async fn results(p: &TestPlatform, token: &str, cal: &Cal) -> (StatusCode, Value) {
    p.get(&format!("/v1/calibration/{}/results", cal.id), token)
        .await
}

async fn reveal(p: &TestPlatform, token: &str, cal: &Cal) -> (StatusCode, Value) {
    p.call(p.request(
        Method::POST,
        &format!("/v1/calibration/{}/reveal", cal.id),
        Some(token),
    ))
    .await
}

/// Scores item i with ratings[i] and submits.
async fn score_all_and_submit(p: &TestPlatform, token: &str, cal: &Cal, ratings: &[i64]) {
    assert_eq!(ratings.len(), cal.items.len());
    for (i, r) in ratings.iter().enumerate() {
        let (s, body) = score(p, token, cal, i, json!({"rating": r})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let (s, body) = submit(p, token, cal).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

/// Moves the session's deadline into the past (the fixture's clock is the
/// system clock, so time cannot be advanced).
async fn pass_deadline(p: &TestPlatform, cal: &Cal) {
    let now = p.state.clock.now();
    sqlx::query("UPDATE calibration_sessions SET created_at = $1, deadline_at = $2 WHERE id = $3")
        .bind(now - 2 * DAY)
        .bind(now - 1)
        .bind(&cal.id)
        .execute(&p.state.db.pool)
        .await
        .expect("move deadline");
}

async fn audit_actors(p: &TestPlatform, action: &str, cal: &Cal) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT actor_id, detail_json FROM audit_log WHERE action = $1 AND entity_id = $2 \
         ORDER BY at, id",
    )
    .bind(action)
    .bind(&cal.id)
    .fetch_all(&p.state.db.pool)
    .await
    .expect("audit")
    .iter()
    .map(|r| {
        (
            r.get::<Option<String>, _>("actor_id").unwrap_or_default(),
            r.get::<String, _>("detail_json"),
        )
    })
    .collect()
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or(f64::NAN);
    assert!((got - want).abs() < 1e-6, "{v} vs {want}");
}

both_backends!(
    results_are_locked_until_each_participant_submits,
    |p: TestPlatform| async move {
        // Every role takes part: two reviewers, the recruiter and the admin.
        let recruiter_id = user_id(&p, &p.f.recruiter).await;
        let admin_id = user_id(&p, &p.f.admin).await;
        let people = [
            (p.f.reviewers[0].clone(), p.f.reviewer_ids[0].clone()),
            (p.f.reviewers[1].clone(), p.f.reviewer_ids[1].clone()),
            (p.f.recruiter.clone(), recruiter_id),
            (p.f.admin.clone(), admin_id),
        ];
        let ids: Vec<String> = people.iter().map(|(_, id)| id.clone()).collect();
        let cal = create(&p, &ids, &p.f.responses).await;
        for (token, _) in &people {
            for i in 0..3 {
                let (s, b) = score(&p, token, &cal, i, json!({"rating": 3})).await;
                assert_eq!(s, StatusCode::OK, "{b}");
            }
            let (s, b) = results(&p, token, &cal).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
            assert!(b["detail"].as_str().unwrap_or_default().contains("submit"));
        }
        // One by one: each sees results right after their own submit, and
        // the others stay locked out whatever their role.
        for (n, (token, _)) in people.iter().enumerate() {
            let (s, b) = submit(&p, token, &cal).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            assert_eq!(b["status"], "submitted");
            let (s, r) = results(&p, token, &cal).await;
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["reliability"]["raters"], n as i64 + 1, "{r}");
            for item in r["items"].as_array().expect("items") {
                assert_eq!(
                    item["scores"].as_array().map(Vec::len),
                    Some(n + 1),
                    "drafts of those who have not submitted leaked: {item}"
                );
            }
            for (later, _) in people.iter().skip(n + 1) {
                let (s, b) = results(&p, later, &cal).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
            }
            let (_, view) = p.get(&format!("/v1/calibration/{}", cal.id), token).await;
            assert_eq!(view["results_visible"], true);
            assert_eq!(view["my_status"], "submitted");
        }
        // The lock is recorded: one view per submitted participant so far.
        assert_eq!(
            audit_actors(&p, "calibration.results_viewed", &cal)
                .await
                .len(),
            4
        );
    }
);

both_backends!(
    scores_lock_after_submit_and_after_the_deadline,
    |p: TestPlatform| async move {
        let cal = create(
            &p,
            &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
            &p.f.responses,
        )
        .await;
        let t0 = &p.f.reviewers[0];
        // Submitting with an item unscored is refused and locks nothing.
        let (s, _) = score(&p, t0, &cal, 0, json!({"rating": 4})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = submit(&p, t0, &cal).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert!(
            b["detail"].as_str().unwrap_or_default().contains("2, 3"),
            "{b}"
        );
        let (_, view) = p.get(&format!("/v1/calibration/{}", cal.id), t0).await;
        assert_eq!(view["my_status"], "in_progress");
        assert_eq!(view["my_scores"].as_array().map(Vec::len), Some(1));

        for i in 1..3 {
            let (s, _) = score(&p, t0, &cal, i, json!({"rating": 2, "note": "thin"})).await;
            assert_eq!(s, StatusCode::OK);
        }
        let (s, _) = submit(&p, t0, &cal).await;
        assert_eq!(s, StatusCode::OK);
        let before = (
            p.count("SELECT COUNT(*) FROM calibration_scores").await,
            p.count("SELECT COUNT(*) FROM audit_log").await,
        );
        let (s, b) = score(&p, t0, &cal, 0, json!({"rating": 1})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert!(b["detail"].as_str().unwrap_or_default().contains("locked"));
        let (s, _) = submit(&p, t0, &cal).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let rating: i64 = sqlx::query(
            "SELECT rating FROM calibration_scores WHERE item_id = $1 AND user_id = $2",
        )
        .bind(&cal.items[0])
        .bind(&p.f.reviewer_ids[0])
        .fetch_one(&p.state.db.pool)
        .await
        .expect("score")
        .get("rating");
        assert_eq!(rating, 4);
        assert_eq!(
            (
                p.count("SELECT COUNT(*) FROM calibration_scores").await,
                p.count("SELECT COUNT(*) FROM audit_log").await,
            ),
            before
        );

        // After the deadline nobody can score or submit any more.
        let t1 = &p.f.reviewers[1];
        let (s, _) = score(&p, t1, &cal, 0, json!({"rating": 3})).await;
        assert_eq!(s, StatusCode::OK);
        pass_deadline(&p, &cal).await;
        let (s, b) = score(&p, t1, &cal, 1, json!({"rating": 3})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert!(b["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("deadline"));
        let (s, _) = submit(&p, t1, &cal).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
);

both_backends!(
    flags_deviation_and_reliability,
    |p: TestPlatform| async move {
        let responses = all_responses(&p).await;
        let cal = create(&p, &p.f.reviewer_ids, &responses[..5]).await;
        // Items × reviewers 0, 1, 2. Item 2 crosses the pass line (3) with a
        // spread of 2; item 3 too; item 5 crosses it by one point; items 1
        // and 4 stay on one side within a point. Reviewer 1 is the strict
        // one, reviewer 2 the lenient one.
        let table = [[4, 4, 5], [3, 2, 4], [2, 1, 3], [5, 4, 5], [3, 2, 3]];
        for r in 0..3 {
            let ratings: Vec<i64> = table.iter().map(|row| row[r]).collect();
            score_all_and_submit(&p, &p.f.reviewers[r], &cal, &ratings).await;
        }
        let (s, res) = results(&p, &p.f.reviewers[0], &cal).await;
        assert_eq!(s, StatusCode::OK, "{res}");
        let items = res["items"].as_array().expect("items");
        assert_eq!(items.len(), 5);
        let flags: Vec<(bool, Value)> = items
            .iter()
            .map(|i| {
                (
                    i["flagged"].as_bool().expect("flagged"),
                    i["flag_reasons"].clone(),
                )
            })
            .collect();
        assert_eq!(
            flags,
            vec![
                (false, json!([])),
                (true, json!(["spread", "pass_line"])),
                (true, json!(["spread", "pass_line"])),
                (false, json!([])),
                (true, json!(["pass_line"])),
            ]
        );
        close(&items[1]["mean"], 3.0);
        close(&items[1]["median"], 3.0);
        assert_eq!(items[1]["spread"], 2);
        close(&items[0]["mean"], 13.0 / 3.0);
        close(&items[0]["median"], 4.0);
        assert_eq!(items[4]["spread"], 1);
        assert_eq!(items[0]["scores"].as_array().map(Vec::len), Some(3));
        assert_eq!(items[0]["rubric"]["pass_score"], 3);
        let mine: Vec<&Value> = items[0]["scores"]
            .as_array()
            .expect("scores")
            .iter()
            .filter(|s| s["is_me"] == true)
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["reviewer_id"], p.f.reviewer_ids[0].as_str());

        let by_id = |id: &str| {
            res["reviewers"]
                .as_array()
                .expect("reviewers")
                .iter()
                .find(|r| r["reviewer_id"] == id)
                .cloned()
                .expect("reviewer")
        };
        let r0 = by_id(&p.f.reviewer_ids[0]);
        let r1 = by_id(&p.f.reviewer_ids[1]);
        let r2 = by_id(&p.f.reviewer_ids[2]);
        close(&r0["mean_deviation"], 1.0 / 15.0);
        close(&r1["mean_deviation"], -11.0 / 15.0);
        close(&r2["mean_deviation"], 10.0 / 15.0);
        assert_eq!(r0["tendency"], "in_line");
        assert_eq!(r1["tendency"], "severe");
        assert_eq!(r2["tendency"], "lenient");
        assert_eq!(r1["items_scored"], 5);

        // Expected figures from an independent computation (numpy: the
        // coincidence-matrix alpha, Shrout–Fleiss mean squares).
        let rel = &res["reliability"];
        assert_eq!(
            (rel["units"].clone(), rel["raters"].clone()),
            (json!(5), json!(3))
        );
        assert_eq!(rel["ratings"], 15);
        assert_eq!(rel["icc_units"], 5);
        close(&rel["alpha_interval"], 0.60625);
        close(&rel["alpha_ordinal"], 0.641_228_070_175_438_6);
        close(&rel["icc2_1"], 0.672_727_272_727_272_7);
        close(&rel["icc2_k"], 0.860_465_116_279_069_7);
        for key in ["alpha_ordinal", "alpha_interval", "icc2_1", "icc2_k"] {
            assert!(rel[format!("{key}_reason")].is_null(), "{rel}");
        }
        let ci = &rel["alpha_ordinal_ci"];
        let (lo, hi) = (
            ci["lower"].as_f64().expect("lower"),
            ci["upper"].as_f64().expect("upper"),
        );
        assert!(lo <= hi && hi <= 1.0, "{ci}");
        assert_eq!(ci["iterations"], 1000);
        close(&ci["level"], 0.95);
        // The interval is seeded by the session: the same on every read.
        let (_, again) = results(&p, &p.f.reviewers[1], &cal).await;
        assert_eq!(again["reliability"], res["reliability"]);
    }
);

both_backends!(
    admin_reveals_after_the_deadline_and_every_view_is_audited,
    |p: TestPlatform| async move {
        let admin_id = user_id(&p, &p.f.admin).await;
        let cal = create(&p, &p.f.reviewer_ids, &p.f.responses).await;
        score_all_and_submit(&p, &p.f.reviewers[0], &cal, &[4, 3, 2]).await;
        score_all_and_submit(&p, &p.f.reviewers[1], &cal, &[4, 2, 2]).await;
        // Reviewer 2 never submits; their draft must stay private.
        let (s, _) = score(&p, &p.f.reviewers[2], &cal, 0, json!({"rating": 1})).await;
        assert_eq!(s, StatusCode::OK);

        let (s, b) = results(&p, &p.f.admin, &cal).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "before the deadline: {b}");
        let (s, b) = reveal(&p, &p.f.admin, &cal).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        let (s, _) = results(&p, &p.f.reviewers[0], &cal).await;
        assert_eq!(s, StatusCode::OK);

        pass_deadline(&p, &cal).await;
        let (s, b) = results(&p, &p.f.reviewers[2], &cal).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        assert!(b["detail"].as_str().unwrap_or_default().contains("reveal"));
        let (s, _) = reveal(&p, &p.f.reviewers[0], &cal).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = reveal(&p, &p.f.recruiter, &cal).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, b) = results(&p, &p.f.admin, &cal).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "an admin may read after the deadline: {b}"
        );

        let (s, b) = reveal(&p, &p.f.admin, &cal).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["revealed_by"], "Ada Admin");
        let (s, _) = reveal(&p, &p.f.admin, &cal).await;
        assert_eq!(s, StatusCode::CONFLICT);

        let (s, r) = results(&p, &p.f.reviewers[2], &cal).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert!(r["revealed_at"].is_string());
        assert_eq!(r["reliability"]["raters"], 2);
        assert_eq!(r["items"][0]["scores"].as_array().map(Vec::len), Some(2));
        let (s, _) = score(&p, &p.f.reviewers[2], &cal, 1, json!({"rating": 3})).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "no scoring after seeing the results"
        );
        let (_, list) = p.get("/v1/calibration", &p.f.reviewers[2]).await;
        assert_eq!(list["items"][0]["results_visible"], true);
        assert_eq!(list["items"][0]["my_status"], "in_progress");

        // Discussion, after the reveal.
        let notes = format!("/v1/calibration/{}/items/{}/notes", cal.id, cal.items[1]);
        let (s, note) = p
            .call(
                p.request(Method::POST, &notes, Some(&p.f.reviewers[2]))
                    .json(&json!({"text": "Borderline: the example had no outcome."})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{note}");
        let (s, _) = p
            .call(
                p.request(Method::POST, &notes, Some(&p.f.outsider))
                    .json(&json!({"text": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, r) = results(&p, &p.f.reviewers[0], &cal).await;
        let listed = &r["items"][1]["notes"];
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{r}");
        assert_eq!(listed[0]["author_name"], "Rev Two");
        assert_eq!(listed[0]["id"], note["id"]);
        assert_eq!(r["items"][0]["notes"].as_array().map(Vec::len), Some(0));

        // Who saw the results, when, and how: in order.
        let views = audit_actors(&p, "calibration.results_viewed", &cal).await;
        let who: Vec<&str> = views.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            who,
            vec![
                p.f.reviewer_ids[0].as_str(),
                admin_id.as_str(),
                p.f.reviewer_ids[2].as_str(),
                p.f.reviewer_ids[0].as_str(),
            ]
        );
        assert!(views[1].1.contains("admin_after_deadline"), "{views:?}");
        assert!(views[2].1.contains("revealed"), "{views:?}");
        let reveals = audit_actors(&p, "calibration.revealed", &cal).await;
        assert_eq!(reveals.len(), 1);
        assert_eq!(reveals[0].0, admin_id);
        assert_eq!(
            audit_actors(&p, "calibration.note_added", &cal).await.len(),
            1
        );
    }
);

async fn fingerprint(p: &TestPlatform) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM calibration_sessions",
        "SELECT COUNT(*) FROM calibration_items",
        "SELECT COUNT(*) FROM calibration_participants",
        "SELECT COUNT(*) FROM calibration_participants WHERE submitted_at IS NOT NULL",
        "SELECT COUNT(*) FROM calibration_scores",
        "SELECT COUNT(*) FROM calibration_notes",
        "SELECT COUNT(*) FROM calibration_sessions WHERE revealed_at IS NOT NULL",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COUNT(*) FROM idempotency_keys",
    ] {
        out.push(p.count(sql).await);
    }
    out
}

both_backends!(
    bad_calibration_requests_name_the_field_and_change_nothing,
    |p: TestPlatform| async move {
        // A response on a 1..=7 scale, to mix with the fixture's 1..=5 ones.
        let now = p.state.clock.now();
        let wide = {
            let mut w = p.state.db.begin_write().await.expect("begin");
            let c = &mut *w.tx;
            let role = roles::role(c, now, "Analyst", "Data").await.expect("role");
            let set = roles::question_set(c, now, &role, "Analyst screen", 1)
                .await
                .expect("set");
            let mut r7 = rubric();
            r7.scale_max = 7;
            let q = roles::question(
                c,
                &set,
                roles::NewQuestion {
                    position: 1,
                    prompt: "Describe a model you shipped",
                    competency: "Judgement",
                    time_limit_s: 120,
                    rubric: &r7,
                },
            )
            .await
            .expect("question");
            let cand = interviews::candidate(c, now, "Ida Lovelace", "i@example.com")
                .await
                .expect("candidate");
            let interview = interviews::interview(
                c,
                interviews::NewInterview {
                    candidate_id: &cand,
                    role_id: &role,
                    question_set_id: &set,
                    status: "completed",
                    invited_at: now - 3 * DAY,
                    expires_at: now,
                    started_at: Some(now - 2 * DAY),
                    completed_at: Some(now - DAY),
                },
            )
            .await
            .expect("interview");
            let m = interviews::media_object(c, now, "wide.webm", "video/webm", b"x")
                .await
                .expect("media");
            let r = interviews::response(
                c,
                interviews::NewResponse {
                    interview_id: &interview,
                    question_id: &q,
                    media_object_id: &m,
                    duration_ms: 1000,
                    cues: &[],
                    retakes_used: 0,
                    recorded_at: now - DAY,
                },
            )
            .await
            .expect("response");
            w.commit().await.expect("commit");
            r
        };
        let cal = create(
            &p,
            &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
            &p.f.responses[..2],
        )
        .await;
        let other = create(
            &p,
            &[p.f.reviewer_ids[1].clone(), p.f.reviewer_ids[2].clone()],
            &p.f.responses[2..],
        )
        .await;
        let before = fingerprint(&p).await;

        let r = &p.f.responses;
        let u = &p.f.reviewer_ids;
        let good = json!({"title": "Q3", "deadline_at": "2999-01-01T00:00:00Z",
                          "participant_ids": [u[0], u[1]], "response_ids": [r[0]]});
        let with = |key: &str, value: Value| {
            let mut b = good.clone();
            b[key] = value;
            b
        };
        let create_cases: Vec<(&str, Value, u16, Option<&str>)> = vec![
            (
                "empty title",
                with("title", json!("  ")),
                422,
                Some("title"),
            ),
            (
                "long title",
                with("title", json!("t".repeat(201))),
                422,
                Some("title"),
            ),
            (
                "NUL title",
                with("title", json!("a\u{0}b")),
                422,
                Some("title"),
            ),
            (
                "deadline not a time",
                with("deadline_at", json!("next Friday")),
                422,
                Some("deadline_at"),
            ),
            (
                "deadline passed",
                with("deadline_at", json!("2001-01-01T00:00:00Z")),
                422,
                Some("deadline_at"),
            ),
            (
                "one participant",
                with("participant_ids", json!([u[0]])),
                422,
                Some("participant_ids"),
            ),
            (
                "unknown participant",
                with("participant_ids", json!([u[0], "nobody"])),
                422,
                Some("participant_ids[1]"),
            ),
            (
                "repeated participant",
                with("participant_ids", json!([u[0], u[0]])),
                422,
                Some("participant_ids[1]"),
            ),
            (
                "NUL participant",
                with("participant_ids", json!(["a\u{0}", u[0]])),
                422,
                Some("participant_ids[0]"),
            ),
            (
                "no items",
                with("response_ids", json!([])),
                422,
                Some("response_ids"),
            ),
            (
                "unknown response",
                with("response_ids", json!(["nope"])),
                422,
                Some("response_ids[0]"),
            ),
            (
                "repeated response",
                with("response_ids", json!([r[0], r[0]])),
                422,
                Some("response_ids[1]"),
            ),
            (
                "mixed scales",
                with("response_ids", json!([r[0], wide])),
                422,
                Some("response_ids[1]"),
            ),
            (
                "participants not a list",
                with("participant_ids", json!("x")),
                422,
                Some("participant_ids"),
            ),
            ("unknown field", with("colour", json!("red")), 422, None),
            (
                "missing title",
                json!({"deadline_at": "2999-01-01T00:00:00Z", "participant_ids": [u[0], u[1]], "response_ids": [r[0]]}),
                422,
                None,
            ),
        ];
        for (what, body, status, field) in create_cases {
            let (s, b) = p
                .call(
                    p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
                        .json(&body),
                )
                .await;
            assert_eq!(s.as_u16(), status, "{what}: {b}");
            if let Some(f) = field {
                assert_eq!(b["field"], f, "{what}: {b}");
            }
        }
        let (s, _) = p
            .call(
                p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
                    .header("content-type", "application/json")
                    .body("{\"title\":"),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        let t0 = &p.f.reviewers[0];
        let path = |item: &str| format!("/v1/calibration/{}/items/{item}/score", cal.id);
        let item0 = path(&cal.items[0]);
        let score_cases: Vec<(&str, reqwest::RequestBuilder, u16, Option<&str>)> = vec![
            (
                "rating above scale",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": 6})),
                422,
                Some("rating"),
            ),
            (
                "rating below scale",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": 0})),
                422,
                Some("rating"),
            ),
            (
                "rating not a number",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": "four"})),
                422,
                Some("rating"),
            ),
            (
                "rating huge",
                p.request(Method::PUT, &item0, Some(t0))
                    .header("content-type", "application/json")
                    .body("{\"rating\":1e999}"),
                400,
                None,
            ),
            (
                "NUL note",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": 3, "note": "a\u{0}"})),
                422,
                Some("note"),
            ),
            (
                "long note",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": 3, "note": "x".repeat(10_001)})),
                422,
                Some("note"),
            ),
            (
                "unknown field",
                p.request(Method::PUT, &item0, Some(t0))
                    .json(&json!({"rating": 3, "muted_rating": 2})),
                422,
                None,
            ),
            (
                "unknown item",
                p.request(Method::PUT, &path("nope"), Some(t0))
                    .json(&json!({"rating": 3})),
                404,
                Some("item_id"),
            ),
            (
                "item of another session",
                p.request(Method::PUT, &path(&other.items[0]), Some(t0))
                    .json(&json!({"rating": 3})),
                404,
                Some("item_id"),
            ),
            (
                "unknown session",
                p.request(
                    Method::PUT,
                    &format!("/v1/calibration/nope/items/{}/score", cal.items[0]),
                    Some(t0),
                )
                .json(&json!({"rating": 3})),
                404,
                Some("id"),
            ),
            (
                "someone else's session",
                p.request(
                    Method::PUT,
                    &format!(
                        "/v1/calibration/{}/items/{}/score",
                        other.id, other.items[0]
                    ),
                    Some(t0),
                )
                .json(&json!({"rating": 3})),
                404,
                Some("id"),
            ),
            (
                "outsider",
                p.request(Method::PUT, &item0, Some(&p.f.outsider))
                    .json(&json!({"rating": 3})),
                404,
                Some("id"),
            ),
            (
                "bad idempotency key",
                p.request(Method::PUT, &item0, Some(t0))
                    .header("Idempotency-Key", "k".repeat(300))
                    .json(&json!({"rating": 3})),
                400,
                Some("Idempotency-Key"),
            ),
            (
                "not JSON",
                p.request(Method::PUT, &item0, Some(t0)).body("rating=3"),
                415,
                Some("Content-Type"),
            ),
            (
                "submit with nothing scored",
                p.request(
                    Method::POST,
                    &format!("/v1/calibration/{}/submit", cal.id),
                    Some(t0),
                ),
                409,
                None,
            ),
            (
                "results before submit",
                p.request(
                    Method::GET,
                    &format!("/v1/calibration/{}/results", cal.id),
                    Some(t0),
                ),
                403,
                None,
            ),
            (
                "someone else's results",
                p.request(
                    Method::GET,
                    &format!("/v1/calibration/{}/results", other.id),
                    Some(t0),
                ),
                404,
                Some("id"),
            ),
            (
                "someone else's session detail",
                p.request(
                    Method::GET,
                    &format!("/v1/calibration/{}", other.id),
                    Some(t0),
                ),
                404,
                Some("id"),
            ),
            (
                "note before results",
                p.request(
                    Method::POST,
                    &format!("/v1/calibration/{}/items/{}/notes", cal.id, cal.items[0]),
                    Some(t0),
                )
                .json(&json!({"text": "early"})),
                403,
                None,
            ),
            (
                "reveal by a participant",
                p.request(
                    Method::POST,
                    &format!("/v1/calibration/{}/reveal", cal.id),
                    Some(t0),
                ),
                403,
                None,
            ),
            (
                "reveal before the deadline",
                p.request(
                    Method::POST,
                    &format!("/v1/calibration/{}/reveal", cal.id),
                    Some(&p.f.admin),
                ),
                409,
                None,
            ),
            (
                "list include junk",
                p.request(Method::GET, "/v1/calibration?include=everything", Some(t0)),
                422,
                Some("include"),
            ),
            (
                "list include all, not admin",
                p.request(Method::GET, "/v1/calibration?include=all", Some(t0)),
                403,
                None,
            ),
            (
                "list limit 0",
                p.request(Method::GET, "/v1/calibration?limit=0", Some(t0)),
                422,
                Some("limit"),
            ),
            (
                "list bad cursor",
                p.request(Method::GET, "/v1/calibration?cursor=%%%", Some(t0)),
                400,
                Some("cursor"),
            ),
            (
                "reliability since",
                p.request(
                    Method::GET,
                    "/v1/reliability?since=yesterday",
                    Some(&p.f.recruiter),
                ),
                422,
                Some("since"),
            ),
            (
                "reliability window backwards",
                p.request(
                    Method::GET,
                    "/v1/reliability?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
                    Some(&p.f.recruiter),
                ),
                422,
                Some("until"),
            ),
            (
                "reliability unknown set",
                p.request(
                    Method::GET,
                    "/v1/reliability?question_set=nope",
                    Some(&p.f.recruiter),
                ),
                404,
                Some("question_set"),
            ),
        ];
        for (what, rb, status, field) in score_cases {
            let (s, b) = p.call(rb).await;
            assert_eq!(s.as_u16(), status, "{what}: {b}");
            assert!(
                b["detail"].as_str().is_some_and(|d| !d.is_empty()),
                "{what}: {b}"
            );
            if let Some(f) = field {
                assert_eq!(b["field"], f, "{what}: {b}");
            }
            if what.contains("scale") {
                assert!(
                    b["detail"].as_str().unwrap_or_default().contains("1..=5"),
                    "{what}: {b}"
                );
            }
        }
        // A note needs text, even once results are open.
        score_all_and_submit(&p, t0, &cal, &[3, 3]).await;
        let mid = fingerprint(&p).await;
        for (body, field) in [
            (json!({"text": "   "}), "text"),
            (json!({"text": "a\u{0}"}), "text"),
            (json!({"text": "x".repeat(10_001)}), "text"),
        ] {
            let (s, b) = p
                .call(
                    p.request(
                        Method::POST,
                        &format!("/v1/calibration/{}/items/{}/notes", cal.id, cal.items[0]),
                        Some(t0),
                    )
                    .json(&body),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
            assert_eq!(b["field"], field);
        }
        assert_eq!(fingerprint(&p).await, mid, "a refused note changed data");
        assert_ne!(before, mid);
        // Before the successful submit, nothing had changed.
        let mut expected = before.clone();
        expected[3] += 1; // one participant submitted
        expected[4] += 2; // two scores
        expected[7] += 3; // two score writes and the submit
        assert_eq!(mid, expected, "a refused request changed data");
    }
);

both_backends!(
    samples_are_anonymous_and_open_their_media_to_participants,
    |p: TestPlatform| async move {
        let outsider_id = user_id(&p, &p.f.outsider).await;
        let media0 = format!("/v1/media/{}", p.f.responses[0]);
        let (s, _) = p.get(&media0, &p.f.outsider).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "not a participant yet");

        let cal = create(
            &p,
            &[outsider_id, p.f.reviewer_ids[1].clone()],
            &p.f.responses[..2],
        )
        .await;
        let resp = p
            .request(Method::GET, &media0, Some(&p.f.outsider))
            .header("Range", "bytes=0-99")
            .send()
            .await
            .expect("media");
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            resp.bytes().await.expect("bytes").as_ref(),
            &p.f.media[..100]
        );
        let t = p
            .request(
                Method::GET,
                &format!("/v1/responses/{}/transcript", p.f.responses[1]),
                Some(&p.f.outsider),
            )
            .send()
            .await
            .expect("transcript");
        assert_eq!(t.status(), StatusCode::OK);
        // A response of the same interview that is not a sample stays closed.
        let (s, _) = p
            .get(&format!("/v1/media/{}", p.f.responses[2]), &p.f.outsider)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, view) = p
            .get(&format!("/v1/calibration/{}", cal.id), &p.f.outsider)
            .await;
        assert_eq!(s, StatusCode::OK, "{view}");
        let item = &view["items"][0];
        assert_eq!(
            item["response"]["media_url"],
            format!("/v1/media/{}", p.f.responses[0])
        );
        assert_eq!(item["question"]["prompt"], "Describe a time A");
        assert_eq!(item["question"]["rubric"]["scale_max"], 5);
        assert_eq!(item["role"]["title"], "Support Engineer");
        let cand_pseudonym = takes_platform::pseudonym::for_candidate(
            &sqlx::query("SELECT candidate_id FROM interviews WHERE id = $1")
                .bind(&p.f.interview)
                .fetch_one(&p.state.db.pool)
                .await
                .expect("interview")
                .get::<String, _>("candidate_id"),
        );
        let leaks = |v: &Value| {
            let text = v.to_string();
            [
                p.f.candidate_name.as_str(),
                p.f.interview.as_str(),
                cand_pseudonym.as_str(),
                "x@example.com",
            ]
            .into_iter()
            .filter(|needle| text.contains(needle))
            .map(str::to_string)
            .collect::<Vec<_>>()
        };
        assert_eq!(leaks(&view), Vec::<String>::new(), "{view}");
        let (_, list) = p.get("/v1/calibration", &p.f.outsider).await;
        assert_eq!(leaks(&list), Vec::<String>::new());
        score_all_and_submit(&p, &p.f.outsider, &cal, &[2, 4]).await;
        let (s, res) = results(&p, &p.f.outsider, &cal).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(leaks(&res), Vec::<String>::new(), "{res}");
    }
);

both_backends!(
    history_lists_sessions_newest_first_with_alpha,
    |p: TestPlatform| async move {
        let old = create(
            &p,
            &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
            &p.f.responses,
        )
        .await;
        score_all_and_submit(&p, &p.f.reviewers[0], &old, &[4, 3, 1]).await;
        score_all_and_submit(&p, &p.f.reviewers[1], &old, &[5, 3, 2]).await;
        pass_deadline(&p, &old).await;
        let new = create(
            &p,
            &[p.f.reviewer_ids[1].clone(), p.f.reviewer_ids[2].clone()],
            &p.f.responses,
        )
        .await;

        let (s, all) = p.get("/v1/calibration?include=all", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        let items = all["items"].as_array().expect("items");
        let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
        assert_eq!(ids, vec![new.id.as_str(), old.id.as_str()]);
        assert_eq!(items[0]["results_visible"], false);
        assert!(
            items[0]["alpha_ordinal"].is_null(),
            "hidden before the deadline"
        );
        assert!(items[0]["my_status"].is_null());
        assert_eq!(items[1]["results_visible"], true);
        assert_eq!(items[1]["closed"], true);
        assert_eq!(items[1]["submitted_count"], 2);
        assert_eq!(items[1]["item_count"], 3);
        let alpha = items[1]["alpha_ordinal"].as_f64().expect("alpha");
        let (_, res) = results(&p, &p.f.admin, &old).await;
        assert_eq!(res["reliability"]["alpha_ordinal"].as_f64(), Some(alpha));

        let (_, mine) = p.get("/v1/calibration", &p.f.admin).await;
        assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
        let (_, r0) = p.get("/v1/calibration", &p.f.reviewers[0]).await;
        assert_eq!(r0["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(r0["items"][0]["id"], old.id.as_str());
        assert_eq!(r0["items"][0]["my_status"], "submitted");
        assert_eq!(r0["items"][0]["my_scored_count"], 3);
        let (_, r2) = p.get("/v1/calibration", &p.f.reviewers[2]).await;
        assert_eq!(r2["items"][0]["id"], new.id.as_str());
        assert_eq!(r2["items"][0]["my_status"], "pending");
        assert!(r2["items"][0]["alpha_ordinal"].is_null());

        let (_, page1) = p
            .get("/v1/calibration?include=all&limit=1", &p.f.admin)
            .await;
        assert_eq!(page1["items"][0]["id"], new.id.as_str());
        let cursor = page1["next_cursor"].as_str().expect("cursor");
        let (_, page2) = p
            .get(
                &format!("/v1/calibration?include=all&limit=1&cursor={cursor}"),
                &p.f.admin,
            )
            .await;
        assert_eq!(page2["items"][0]["id"], old.id.as_str());
        assert!(page2["next_cursor"].is_null());
    }
);

both_backends!(
    live_reliability_per_question_set,
    |p: TestPlatform| async move {
        let (s, empty) = p.get("/v1/reliability", &p.f.recruiter).await;
        assert_eq!(s, StatusCode::OK, "{empty}");
        let sets = empty["question_sets"].as_array().expect("sets");
        assert_eq!(sets.len(), 1);
        let set_id = sets[0]["question_set_id"].as_str().expect("id").to_string();
        assert_eq!(sets[0]["interviews"], 0);
        assert!(sets[0]["reliability"]["alpha_ordinal"].is_null());
        assert!(sets[0]["reliability"]["alpha_ordinal_reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()));

        // Questions × reviewers 0, 1, 2 on the shared interview.
        let table = [[4, 4, 5], [3, 2, 3], [2, 2, 1]];
        for r in 0..3 {
            for (q, row) in table.iter().enumerate() {
                let (s, _) = p
                    .put_score(
                        &p.f.reviewers[r],
                        &p.f.assignments[r],
                        &p.f.questions[q],
                        json!({"rating": row[r]}),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK);
            }
            let (s, _) = p.submit(&p.f.reviewers[r], &p.f.assignments[r]).await;
            assert_eq!(s, StatusCode::OK);
        }
        // An interview only one reviewer scored has no panel: left out.
        p.score_all_and_submit(&p.f.reviewers[0], &p.f.other_assignment, 1)
            .await;

        let (s, rep) = p
            .get(
                &format!("/v1/reliability?question_set={set_id}"),
                &p.f.admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{rep}");
        let one = &rep["question_sets"][0];
        assert_eq!(one["interviews"], 1);
        assert_eq!(one["name"], "Support screen");
        let rel = &one["reliability"];
        assert_eq!(
            (rel["units"].clone(), rel["raters"].clone()),
            (json!(3), json!(3))
        );
        assert_eq!(rel["ratings"], 9);
        close(&rel["alpha_interval"], 0.793_103_448_275_862_1);
        close(&rel["alpha_ordinal"], 0.805_068_226_120_857_7);
        close(&rel["icc2_1"], 0.833_333_333_333_333_1);
        close(&rel["icc2_k"], 0.937_5);

        // A window before any submission holds nothing.
        let (s, past) = p
            .get("/v1/reliability?until=2001-01-01T00:00:00Z", &p.f.recruiter)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(past["question_sets"][0]["reliability"]["units"], 0);
        assert_eq!(past["until"], "2001-01-01T00:00:00.000Z");
        let (s, _) = p.get("/v1/reliability", &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both_backends!(
    idempotent_calibration_score_writes,
    |p: TestPlatform| async move {
        let cal = create(
            &p,
            &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
            &p.f.responses,
        )
        .await;
        let path = format!("/v1/calibration/{}/items/{}/score", cal.id, cal.items[0]);
        let send = |key: &'static str, body: Value| {
            let rb = p
                .request(Method::PUT, &path, Some(&p.f.reviewers[0]))
                .header("Idempotency-Key", key)
                .json(&body);
            async move {
                let r = rb.send().await.expect("send");
                (r.status(), r.text().await.expect("text"))
            }
        };
        let (s1, b1) = send("cal-1", json!({"rating": 4, "note": "clear"})).await;
        let (s2, b2) = send("cal-1", json!({"rating": 4, "note": "clear"})).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert_eq!(b1, b2);
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calibration.score_written'")
                .await,
            1
        );
        let (s3, b3) = send("cal-1", json!({"rating": 2})).await;
        assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY, "{b3}");
    }
);

both_backends!(
    garbage_on_calibration_routes_never_gets_a_5xx,
    |p: TestPlatform| async move {
        let cal = create(
            &p,
            &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
            &p.f.responses,
        )
        .await;
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let paths = [
            "/v1/calibration",
            "/v1/calibration/{c}",
            "/v1/calibration/{c}/items/{i}/score",
            "/v1/calibration/{c}/submit",
            "/v1/calibration/{c}/results",
            "/v1/calibration/{c}/reveal",
            "/v1/calibration/{c}/items/{i}/notes",
            "/v1/calibration?include={c}&limit=2&cursor={i}",
            "/v1/reliability?question_set={c}&since={i}",
        ];
        let junk = [
            "",
            "%00",
            "..%2f..%2fetc",
            "'; DROP TABLE calibration_scores;--",
            "😀",
            "a/b",
            "%ff%fe",
            "all",
        ];
        let bodies = [
            "",
            "{",
            "null",
            "[]",
            "{\"rating\":1e999}",
            "{\"rating\":-9223372036854775808}",
            "{\"rating\":3,\"note\":\"\\u0000\"}",
            "{\"text\":\"\\u0000\"}",
            "{\"title\":\"t\",\"deadline_at\":\"9999-12-31T23:59:59Z\",\"participant_ids\":[\"\\u0000\",\"b\"],\"response_ids\":[\"x\"]}",
            "{\"title\":\"t\",\"deadline_at\":\"+99999-01-01T00:00:00Z\",\"participant_ids\":[],\"response_ids\":[]}",
        ];
        let methods = [Method::GET, Method::PUT, Method::POST, Method::DELETE];
        let tokens = [
            p.f.reviewers[0].as_str(),
            p.f.admin.as_str(),
            p.f.recruiter.as_str(),
            "garbage",
        ];
        for _ in 0..300 {
            let template = paths[rng.gen_range(0..paths.len())];
            let mut pick = |real: &str| {
                if rng.gen_bool(0.5) {
                    real.to_string()
                } else {
                    junk[rng.gen_range(0..junk.len())].to_string()
                }
            };
            let path = template
                .replace("{c}", &pick(&cal.id))
                .replace("{i}", &pick(&cal.items[0]));
            let method = methods[rng.gen_range(0..methods.len())].clone();
            let resp = p
                .request(
                    method.clone(),
                    &path,
                    Some(tokens[rng.gen_range(0..tokens.len())]),
                )
                .header("content-type", "application/json")
                .body(bodies[rng.gen_range(0..bodies.len())])
                .send()
                .await
                .expect("send");
            assert!(
                resp.status().as_u16() < 500,
                "{method} {path} answered {}",
                resp.status()
            );
        }
    }
);

/// The demo's session: Riley (the first reviewer) meets the lock, scores,
/// submits and sees everyone's scores.
async fn demo_session(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, report) = crate::demo_fixture::demo(backend, dir.path()).await;
    let state = storage
        .open(takes_platform::Clock::System)
        .await
        .expect("open");
    let token = |name: &str| {
        report
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.token.clone())
            .expect("demo user")
    };
    let riley = token("Riley Chen");
    let sam = token("Sam Okoro");
    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("start");
    let base = server.base_url();
    let http = reqwest::Client::new();
    let call = |method: Method, path: String, token: String, body: Option<Value>| {
        let mut rb = http
            .request(method, format!("{base}{path}"))
            .bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        async move {
            let r = rb.send().await.expect("send");
            let status = r.status();
            let text = r.text().await.expect("text");
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };

    let (s, list) = call(Method::GET, "/v1/calibration".into(), riley.clone(), None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let sessions = list["items"].as_array().expect("items");
    assert_eq!(sessions.len(), 1, "{list}");
    let summary = &sessions[0];
    assert!(
        summary["item_count"].as_i64().unwrap_or(0) >= 3,
        "{summary}"
    );
    assert_eq!(summary["participant_count"], 3);
    assert_eq!(summary["submitted_count"], 2);
    assert_eq!(summary["my_status"], "pending");
    assert_eq!(summary["results_visible"], false);
    assert_eq!(summary["closed"], false);
    let id = summary["id"].as_str().expect("id").to_string();

    let (s, session) = call(
        Method::GET,
        format!("/v1/calibration/{id}"),
        riley.clone(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(session["my_scores"].as_array().map(Vec::len), Some(0));
    let names: Vec<String> = sqlx::query("SELECT name FROM candidates")
        .fetch_all(&state.db.pool)
        .await
        .expect("names")
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    let text = session.to_string();
    for n in &names {
        assert!(!text.contains(n.as_str()), "candidate {n} named in {text}");
    }
    let items: Vec<String> = session["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("item").to_string())
        .collect();
    let media = session["items"][0]["response"]["media_url"]
        .as_str()
        .expect("media")
        .to_string();
    let m = http
        .get(format!("{base}{media}"))
        .bearer_auth(&riley)
        .send()
        .await
        .expect("media");
    assert_eq!(m.status(), StatusCode::OK);

    let results = format!("/v1/calibration/{id}/results");
    let (s, _) = call(Method::GET, results.clone(), riley.clone(), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the lock");
    let (s, two) = call(Method::GET, results.clone(), sam, None).await;
    assert_eq!(s, StatusCode::OK, "{two}");
    assert_eq!(two["reliability"]["raters"], 2);
    assert!(
        two["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["flagged"] == true),
        "the demo shows a flagged item: {two}"
    );

    for item in &items {
        let (s, b) = call(
            Method::PUT,
            format!("/v1/calibration/{id}/items/{item}/score"),
            riley.clone(),
            Some(json!({"rating": 3})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = call(
        Method::POST,
        format!("/v1/calibration/{id}/submit"),
        riley.clone(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, all) = call(Method::GET, results, riley, None).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(all["reliability"]["raters"], 3);
    assert_eq!(all["reliability"]["units"], items.len() as i64);
    assert!(all["reliability"]["alpha_interval"].is_number(), "{all}");
    server.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_session_locks_riley_until_riley_submits_sqlite() {
    demo_session(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_session_locks_riley_until_riley_submits_postgres() {
    demo_session(Backend::Postgres).await;
}

/// PostgreSQL runs score writes and submits of one participant in parallel;
/// a write that read "not submitted" just before a submit committed must
/// still be refused. A transaction of the test's own plays the submit and
/// holds the participant row while the write arrives. (SQLite serialises
/// all writers, so there is nothing to race there.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_write_racing_a_submit_is_refused_postgres() {
    let p = TestPlatform::start(Backend::Postgres).await;
    let cal = create(
        &p,
        &[p.f.reviewer_ids[0].clone(), p.f.reviewer_ids[1].clone()],
        &p.f.responses,
    )
    .await;
    for i in 0..3 {
        let (s, _) = score(&p, &p.f.reviewers[0], &cal, i, json!({"rating": 3})).await;
        assert_eq!(s, StatusCode::OK);
    }
    let mut submit_tx = p.state.db.pool.begin().await.expect("begin");
    let now = p.state.clock.now();
    sqlx::query(
        "UPDATE calibration_participants SET submitted_at = $1, updated_at = $1 \
         WHERE session_id = $2 AND user_id = $3",
    )
    .bind(now)
    .bind(&cal.id)
    .bind(&p.f.reviewer_ids[0])
    .execute(&mut *submit_tx)
    .await
    .expect("submit");
    let write = p
        .request(
            Method::PUT,
            &format!("/v1/calibration/{}/items/{}/score", cal.id, cal.items[0]),
            Some(&p.f.reviewers[0]),
        )
        .json(&json!({"rating": 5}))
        .send();
    let write = tokio::spawn(write);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !write.is_finished(),
        "the write must wait for the participant row the submit holds"
    );
    submit_tx.commit().await.expect("commit");
    let resp = write.await.expect("task").expect("response");
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let rating: i64 =
        sqlx::query("SELECT rating FROM calibration_scores WHERE item_id = $1 AND user_id = $2")
            .bind(&cal.items[0])
            .bind(&p.f.reviewer_ids[0])
            .fetch_one(&p.state.db.pool)
            .await
            .expect("score")
            .get("rating");
    assert_eq!(rating, 3, "a score changed after the lock");
}
