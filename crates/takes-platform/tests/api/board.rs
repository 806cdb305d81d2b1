//! The recruiter's triage board (issue 13) over real HTTP on both
//! databases: listing by stage with aggregates from submitted scores only,
//! scoping to the roles a recruiter recruits for, bulk decisions (all or
//! nothing, idempotent), the ATS sync state and its retry, reminders and
//! reassignment.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_platform::clock::DAY;
use takes_platform::store::{assignments, board, roles};

use crate::both_backends;
use crate::support::{completed_interview, TestPlatform};

async fn me(p: &TestPlatform, token: &str) -> String {
    let (s, body) = p.get("/v1/me", token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["id"].as_str().expect("id").to_string()
}

/// The fixture's role, question set and second interview (Alan Turing,
/// one unsubmitted assignment of reviewer 0).
async fn role_set_other(p: &TestPlatform) -> (String, String, String) {
    let row = sqlx::query(
        "SELECT i.job_role_id, i.question_set_id, a.interview_id FROM assignments a \
         JOIN interviews i ON i.id = a.interview_id WHERE a.id = $1",
    )
    .bind(&p.f.other_assignment)
    .fetch_one(&p.state.db.pool)
    .await
    .expect("fixture rows");
    (row.get(0), row.get(1), row.get(2))
}

async fn recruit(p: &TestPlatform, role: &str, user: &str) {
    let mut conn = p.state.db.pool.acquire().await.expect("conn");
    board::writes::add_recruiter(&mut conn, p.state.clock.now(), role, user)
        .await
        .expect("recruiter");
}

async fn board(p: &TestPlatform, token: &str, query: &str) -> Value {
    let (s, body) = p.get(&format!("/v1/board{query}"), token).await;
    assert_eq!(s, StatusCode::OK, "{query}: {body}");
    body
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["candidate_name"].as_str().expect("name").to_string())
        .collect()
}

async fn bulk(
    p: &TestPlatform,
    token: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut rb = p
        .request(Method::POST, "/v1/board/decisions", Some(token))
        .json(&body);
    if let Some(k) = key {
        rb = rb.header("Idempotency-Key", k);
    }
    p.call(rb).await
}

both_backends!(
    the_board_shows_the_recruiters_roles_by_stage_from_submitted_scores,
    |p: TestPlatform| async move {
        let (role, _, _) = role_set_other(&p).await;
        // Reviewers never see the board.
        let (s, body) = p.get("/v1/board", &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        // A recruiter sees only the roles they recruit for.
        let empty = board(&p, &p.f.recruiter, "").await;
        assert_eq!(empty["total"], 0, "{empty}");
        let (s, _) = p
            .get(&format!("/v1/board/{}", p.f.interview), &p.f.recruiter)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let admin = board(&p, &p.f.admin, "").await;
        assert_eq!(admin["total"], 2, "{admin}");
        let rita = me(&p, &p.f.recruiter).await;
        recruit(&p, &role, &rita).await;

        let page = board(&p, &p.f.recruiter, "").await;
        assert_eq!(page["counts"]["awaiting_reviews"], 2, "{page}");
        let grace = &page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == p.f.interview.as_str())
            .expect("grace")
            .clone();
        assert_eq!(grace["candidate_name"], "Grace Hopper");
        assert_eq!(grace["reviewers_assigned"], 3);
        assert_eq!(grace["reviewers_submitted"], 0);
        assert_eq!(grace["mean_score"], Value::Null);

        p.score_all_and_submit(&p.f.reviewers[0], &p.f.assignments[0], 4)
            .await;
        p.score_all_and_submit(&p.f.reviewers[1], &p.f.assignments[1], 2)
            .await;
        // A draft of 5 must not move the mean.
        let (s, body) = p
            .put_score(
                &p.f.reviewers[2],
                &p.f.assignments[2],
                &p.f.questions[0],
                json!({"rating": 5}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (_, one) = p
            .get(&format!("/v1/board/{}", p.f.interview), &p.f.recruiter)
            .await;
        let item = &one["item"];
        assert_eq!(item["stage"], "awaiting_reviews", "{one}");
        assert_eq!(item["reviewers_submitted"], 2);
        assert_eq!(item["mean_score"], 3.0);
        assert_eq!(item["question_means"], json!([3.0, 3.0, 3.0]));
        assert_eq!(item["disagreement"], true, "4 and 2 are two apart");
        assert_eq!(item["shift"], false);
        // The panel shows submitted reviewers' scores only; transcripts too.
        let reviewers = one["panel"]["reviewers"].as_array().expect("reviewers");
        let draft = reviewers
            .iter()
            .find(|r| r["name"] == "Rev Two")
            .expect("rev two");
        assert_eq!(draft["scores"], json!([]), "{one}");
        assert_eq!(one["answers"].as_array().expect("answers").len(), 3);
        assert_eq!(
            one["answers"][0]["transcript"][0]["text"],
            "I led the migration."
        );

        p.score_all_and_submit(&p.f.reviewers[2], &p.f.assignments[2], 3)
            .await;
        let ready = board(&p, &p.f.recruiter, "?stage=ready_to_decide").await;
        assert_eq!(names(&ready), ["Grace Hopper"], "{ready}");
        assert_eq!(ready["counts"]["ready_to_decide"], 1);
        assert_eq!(ready["counts"]["awaiting_reviews"], 1);
        assert_eq!(ready["items"][0]["mean_score"], 3.0);

        // Filters, search, sort and pages.
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?q=TURING").await),
            ["Alan Turing"]
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?q=%25").await),
            Vec::<String>::new()
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?min_score=3.5").await),
            Vec::<String>::new()
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?disagreement=true").await),
            ["Grace Hopper"]
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?disagreement=false").await),
            ["Alan Turing"]
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?sort=candidate").await),
            ["Alan Turing", "Grace Hopper"]
        );
        assert_eq!(
            names(&board(&p, &p.f.recruiter, "?from=2999-01-01").await).len(),
            0
        );
        assert_eq!(
            board(&p, &p.f.recruiter, &format!("?role={role}")).await["total"],
            2
        );
        let first = board(&p, &p.f.recruiter, "?sort=-candidate&limit=1").await;
        assert_eq!(names(&first), ["Grace Hopper"]);
        let cursor = first["next_cursor"].as_str().expect("another page");
        let second = board(
            &p,
            &p.f.recruiter,
            &format!("?sort=-candidate&limit=1&cursor={cursor}"),
        )
        .await;
        assert_eq!(names(&second), ["Alan Turing"]);
        assert_eq!(second["next_cursor"], Value::Null);

        // Bad input names the field.
        for (query, field) in [
            ("?stage=bogus", "stage"),
            ("?sort=height", "sort"),
            ("?from=yesterday", "from"),
            ("?limit=0", "limit"),
            ("?cursor=%21%21", "cursor"),
        ] {
            let (s, body) = p.get(&format!("/v1/board{query}"), &p.f.recruiter).await;
            assert!(s.is_client_error(), "{query}: {s}");
            assert_eq!(body["field"], field, "{query}: {body}");
        }
    }
);

both_backends!(
    bulk_decisions_are_all_or_nothing_and_recorded_once,
    |p: TestPlatform| async move {
        let (role, _, other) = role_set_other(&p).await;
        let rita = me(&p, &p.f.recruiter).await;
        recruit(&p, &role, &rita).await;
        // An interview of a role Rita does not recruit for.
        let foreign = {
            let now = p.state.clock.now();
            let mut w = p.state.db.begin_write().await.expect("begin");
            let r = roles::role(&mut w.tx, now, "Data Engineer", "Data")
                .await
                .expect("role");
            let set = roles::question_set(&mut w.tx, now, &r, "Data screen", 1)
                .await
                .expect("set");
            let i = completed_interview(&mut w.tx, now, &r, &set, "Ada Lovelace").await;
            w.commit().await.expect("commit");
            i
        };
        let (s, body) = bulk(
            &p,
            &p.f.reviewers[0],
            None,
            json!({"interview_ids": [p.f.interview], "action": "reject"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = bulk(
            &p,
            &p.f.recruiter,
            None,
            json!({"interview_ids": [p.f.interview, foreign], "action": "reject"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert!(
            body["detail"].as_str().expect("detail").contains(&foreign),
            "{body}"
        );
        assert!(
            !body["detail"]
                .as_str()
                .expect("detail")
                .contains(&p.f.interview),
            "{body}"
        );
        assert_eq!(p.count("SELECT COUNT(*) FROM decisions").await, 0);
        let (s, body) = bulk(
            &p,
            &p.f.recruiter,
            None,
            json!({"interview_ids": [p.f.interview, "no-such"], "action": "reject"}),
        )
        .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::NOT_FOUND, json!("interview_ids")),
            "{body}"
        );
        for bad in [
            json!({"interview_ids": [], "action": "reject"}),
            json!({"interview_ids": [other, other], "action": "reject"}),
            json!({"interview_ids": [other], "action": "reject", "reason": "x".repeat(2001)}),
        ] {
            let (s, body) = bulk(&p, &p.f.recruiter, None, bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        assert_eq!(p.count("SELECT COUNT(*) FROM decisions").await, 0);

        let request = json!({"interview_ids": [p.f.interview, other], "action": "reject",
                             "reason": "Role filled"});
        let (s, first) = bulk(&p, &p.f.recruiter, Some("bulk-1"), request.clone()).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["decisions"].as_array().expect("decisions").len(), 2);
        let (s, again) = bulk(&p, &p.f.recruiter, Some("bulk-1"), request.clone()).await;
        assert_eq!((s, &again), (StatusCode::OK, &first));
        assert_eq!(p.count("SELECT COUNT(*) FROM decisions").await, 2);
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.recorded'")
                .await,
            2
        );
        let (s, body) = bulk(&p, &p.f.recruiter, None, request).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        let existing = first["decisions"][0]["id"].as_str().expect("id");
        assert!(
            body["detail"].as_str().expect("detail").contains(existing),
            "{body}"
        );
        assert_eq!(p.count("SELECT COUNT(*) FROM decisions").await, 2);

        let decided = board(&p, &p.f.recruiter, "?stage=decided").await;
        assert_eq!(decided["total"], 2, "{decided}");
        assert_eq!(decided["items"][0]["decision"]["action"], "reject");
        assert_eq!(
            decided["items"][0]["decision"]["decided_by"],
            "Rita Recruiter"
        );
        assert_eq!(decided["items"][0]["sync"]["status"], "not_configured");
    }
);

both_backends!(
    a_failed_sync_shows_its_reason_and_is_retried_from_the_board,
    |p: TestPlatform| async move {
        let (role, _, _) = role_set_other(&p).await;
        let rita = me(&p, &p.f.recruiter).await;
        recruit(&p, &role, &rita).await;
        let (s, body) = p
            .call(
                p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                    .json(&json!({"url": "http://127.0.0.1:1/ats"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let retry = format!("/v1/board/{}/retry-sync", p.f.interview);
        let (s, body) = p
            .call(p.request(Method::POST, &retry, Some(&p.f.recruiter)))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing decided yet: {body}");
        let (s, body) = bulk(
            &p,
            &p.f.recruiter,
            None,
            json!({"interview_ids": [p.f.interview], "action": "advance"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // Dead-lettered directly: a real dead letter takes a day of retries.
        sqlx::query("UPDATE webhook_deliveries SET state = 'dead', last_error = 'HTTP 503 from the ATS', finished_at = 1")
            .execute(&p.state.db.pool)
            .await
            .expect("dead-letter");
        let (_, one) = p
            .get(&format!("/v1/board/{}", p.f.interview), &p.f.recruiter)
            .await;
        assert_eq!(
            one["item"]["sync"],
            json!({"status": "failed", "reason": "HTTP 503 from the ATS"})
        );
        let (s, body) = p
            .call(p.request(Method::POST, &retry, Some(&p.f.reviewers[0])))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = p
            .call(p.request(Method::POST, &retry, Some(&p.f.recruiter)))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["deliveries_queued"], 1, "{body}");
        assert_ne!(body["sync"]["status"], "failed", "{body}");
        assert_eq!(p.count("SELECT COUNT(*) FROM webhook_deliveries").await, 2);
    }
);

both_backends!(
    overdue_reviewers_are_reminded_and_assignments_move_within_the_pool,
    |p: TestPlatform| async move {
        let (role, set, _) = role_set_other(&p).await;
        let rita = me(&p, &p.f.recruiter).await;
        recruit(&p, &role, &rita).await;
        let otto = me(&p, &p.f.outsider).await;
        let now = p.state.clock.now();
        // An interview whose review by reviewer 0 was due yesterday.
        let (late, late_assignment) = {
            let mut w = p.state.db.begin_write().await.expect("begin");
            let i = completed_interview(&mut w.tx, now, &role, &set, "Edsger Dijkstra").await;
            let a = assignments::assignment(
                &mut w.tx,
                &i,
                &p.f.reviewer_ids[0],
                now - 3 * DAY,
                now - DAY,
                None,
            )
            .await
            .expect("assignment");
            roles::role_reviewer(&mut w.tx, now, &role, &otto)
                .await
                .expect("pool");
            roles::role_reviewer(&mut w.tx, now, &role, &p.f.reviewer_ids[1])
                .await
                .expect("pool");
            w.commit().await.expect("commit");
            (i, a)
        };
        sqlx::query("UPDATE users SET email = 'rev0@example.org' WHERE id = $1")
            .bind(&p.f.reviewer_ids[0])
            .execute(&p.state.db.pool)
            .await
            .expect("email");
        let (_, opened) = p.get(&format!("/v1/board/{late}"), &p.f.recruiter).await;
        assert_eq!(
            opened["pool"],
            json!([{"id": otto, "name": "Otto Outsider"}, {"id": p.f.reviewer_ids[1], "name": "Rev One"}]),
            "the pool, without the reviewer already on it"
        );
        let page = board(&p, &p.f.recruiter, "?q=dijkstra").await;
        assert_eq!(page["items"][0]["reviewers"][0]["overdue"], true, "{page}");

        let remind = |id: &str| format!("/v1/board/{id}/remind");
        let (s, body) = p
            .call(p.request(Method::POST, &remind(&late), Some(&p.f.reviewers[1])))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = p
            .call(p.request(Method::POST, &remind(&p.f.interview), Some(&p.f.recruiter)))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing overdue: {body}");
        assert_eq!(p.count("SELECT COUNT(*) FROM email_outbox").await, 0);
        let (s, body) = p
            .call(p.request(Method::POST, &remind(&late), Some(&p.f.recruiter)))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"reminded": ["Rev Zero"], "emails_queued": 1}));
        assert_eq!(
            p.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'reviewer_reminder' AND to_address = 'rev0@example.org'").await,
            1
        );
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reviewers.reminded'")
                .await,
            1
        );

        // Reviewer 0 had drafted a score; reassignment withdraws it.
        let (s, body) = p
            .put_score(
                &p.f.reviewers[0],
                &late_assignment,
                &p.f.questions[0],
                json!({"rating": 1, "note": "draft"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let reassign = format!("/v1/board/{late}/reassign");
        let send = |token: &str, body: Value| {
            p.call(p.request(Method::POST, &reassign, Some(token)).json(&body))
        };
        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": late_assignment, "reviewer_id": p.f.reviewer_ids[2]}),
        )
        .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("reviewer_id")),
            "outside the pool: {body}"
        );
        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": late_assignment, "reviewer_id": p.f.reviewer_ids[0]}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not in the pool either: {body}"
        );
        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": p.f.assignments[0], "reviewer_id": otto}),
        )
        .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("assignment_id")),
            "{body}"
        );
        let (s, body) = send(
            &p.f.reviewers[1],
            json!({"assignment_id": late_assignment, "reviewer_id": otto}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM scores WHERE note = 'draft'")
                .await,
            1
        );

        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": late_assignment, "reviewer_id": otto}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["reviewer"], "Otto Outsider");
        assert_eq!(body["scores_withdrawn"], 1);
        let new_assignment = body["assignment_id"].as_str().expect("id").to_string();
        assert_eq!(
            p.count("SELECT COUNT(*) FROM scores WHERE note = 'draft'")
                .await,
            0
        );
        let audit: String =
            sqlx::query("SELECT detail_json FROM audit_log WHERE action = 'assignment.withdrawn'")
                .fetch_one(&p.state.db.pool)
                .await
                .expect("audit")
                .get(0);
        assert!(
            audit.contains("\"draft\"") && audit.contains("Rev Zero"),
            "{audit}"
        );
        // Withdrawn, not deleted: the row stays, stamped with who withdrew it.
        let withdrawn_by: Option<String> = sqlx::query(
            "SELECT withdrawn_by FROM assignments WHERE id = $1 AND withdrawn_at IS NOT NULL",
        )
        .bind(&late_assignment)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("the withdrawn assignment is kept")
        .get(0);
        assert_eq!(withdrawn_by.as_deref(), Some(rita.as_str()));
        // The new reviewer has it in their queue; the old one lost it.
        let (_, q) = p.get("/v1/queue", &p.f.outsider).await;
        assert!(q.to_string().contains(&new_assignment), "{q}");
        let (_, q) = p.get("/v1/queue", &p.f.reviewers[0]).await;
        assert!(!q.to_string().contains(&late_assignment), "{q}");
        // Nor does it count on the board: one reviewer, Otto, not yet in.
        let page = board(&p, &p.f.recruiter, "?q=dijkstra").await;
        let reviewers = &page["items"][0]["reviewers"];
        assert_eq!(reviewers.as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(reviewers[0]["name"], "Otto Outsider", "{page}");
        // Withdrawing it twice is refused, naming the assignment.
        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": late_assignment, "reviewer_id": p.f.reviewer_ids[1]}),
        )
        .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::CONFLICT, json!("assignment_id")),
            "{body}"
        );
        let (s, _) = p
            .get(
                &format!("/v1/assignments/{late_assignment}"),
                &p.f.reviewers[0],
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Reviewer 1 is in the pool but already on it once Otto is: the
        // same reviewer twice on one interview is refused.
        let (s, body) = send(
            &p.f.recruiter,
            json!({"assignment_id": new_assignment, "reviewer_id": otto}),
        )
        .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("reviewer_id")),
            "{body}"
        );
    }
);

/// Which board rows a filter keeps.
type Predicate = Box<dyn Fn(&Value) -> bool>;

/// The ids of a board page, in order.
fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

both_backends!(
    filters_sorts_and_pages_done_in_sql_agree_with_the_rows_shown,
    |p: TestPlatform| async move {
        let (role, set, _) = role_set_other(&p).await;
        let now = p.state.clock.now();
        // (ratings of reviewer 0, of reviewer 1 or None while pending,
        // decided): agreement, a spread of two, the pass line straddled,
        // a pending review, a decision.
        let plans: [(i64, Option<i64>, bool); 8] = [
            (4, Some(4), false),
            (5, Some(3), false),
            (1, Some(5), false),
            (3, None, false),
            (2, Some(2), true),
            (3, Some(4), false),
            (1, Some(1), false),
            (5, Some(5), true),
        ];
        {
            let mut w = p.state.db.begin_write().await.expect("begin");
            for (n, (r0, r1, decided)) in plans.iter().enumerate() {
                let i = completed_interview(
                    &mut w.tx,
                    now - n as i64,
                    &role,
                    &set,
                    &format!("Cand {n}"),
                )
                .await;
                for (reviewer, rating) in [(0, Some(*r0)), (1, *r1)] {
                    let submitted = rating.map(|_| now - DAY);
                    let a = assignments::assignment(
                        &mut w.tx,
                        &i,
                        &p.f.reviewer_ids[reviewer],
                        now - 2 * DAY,
                        now + DAY,
                        submitted,
                    )
                    .await
                    .expect("assignment");
                    for q in &p.f.questions {
                        let Some(rating) = rating else { continue };
                        assignments::score(
                            &mut w.tx,
                            assignments::NewScore {
                                assignment_id: &a,
                                question_id: q,
                                rating,
                                muted_rating: None,
                                note: None,
                                at: now - DAY,
                            },
                        )
                        .await
                        .expect("score");
                    }
                }
                if *decided {
                    takes_platform::store::decisions::insert(
                        &mut w.tx,
                        &i,
                        takes_api::DecisionAction::Hold,
                        None,
                        &p.f.reviewer_ids[0],
                        now,
                    )
                    .await
                    .expect("decision");
                }
            }
            w.commit().await.expect("commit");
        }
        let all = board(&p, &p.f.admin, "?limit=500").await;
        let items: Vec<Value> = all["items"].as_array().expect("items").clone();
        assert_eq!(items.len() as i64, all["total"].as_i64().expect("total"));
        let expect = |pred: &dyn Fn(&Value) -> bool| {
            let mut v: Vec<String> = items
                .iter()
                .filter(|i| pred(i))
                .map(|i| i["id"].as_str().expect("id").to_string())
                .collect();
            v.sort();
            v
        };
        let mean = |i: &Value| i["mean_score"].as_f64();
        let checks: Vec<(&str, Predicate)> = vec![
            ("stage=invited", Box::new(|i| i["stage"] == "invited")),
            (
                "stage=awaiting_reviews",
                Box::new(|i| i["stage"] == "awaiting_reviews"),
            ),
            (
                "stage=ready_to_decide",
                Box::new(|i| i["stage"] == "ready_to_decide"),
            ),
            ("stage=decided", Box::new(|i| i["stage"] == "decided")),
            ("disagreement=true", Box::new(|i| i["disagreement"] == true)),
            (
                "disagreement=false",
                Box::new(|i| i["disagreement"] == false),
            ),
            (
                "min_score=3",
                Box::new(move |i| mean(i).is_some_and(|m| m >= 3.0)),
            ),
            (
                "max_score=2.5",
                Box::new(move |i| mean(i).is_some_and(|m| m <= 2.5)),
            ),
        ];
        for (query, pred) in &checks {
            let page = board(&p, &p.f.admin, &format!("?limit=500&{query}")).await;
            let mut got = ids(&page);
            got.sort();
            assert_eq!(got, expect(pred.as_ref()), "{query}: {page}");
            assert_eq!(page["total"].as_i64(), Some(got.len() as i64), "{query}");
        }
        // Counts per stage are those of the rows.
        for stage in ["invited", "awaiting_reviews", "ready_to_decide", "decided"] {
            let n = items.iter().filter(|i| i["stage"] == stage).count();
            assert_eq!(all["counts"][stage].as_u64(), Some(n as u64), "{stage}");
        }
        assert!(all["counts"]["decided"].as_i64() >= Some(2));
        assert!(all["counts"]["ready_to_decide"].as_i64() >= Some(4));
        // Sorted by the rows' own figures, whatever the page size.
        let key = |i: &Value, k: &str| -> f64 {
            match k {
                "score" => mean(i).unwrap_or(f64::NEG_INFINITY),
                "stage" => ["invited", "awaiting_reviews", "ready_to_decide", "decided"]
                    .iter()
                    .position(|s| i["stage"] == *s)
                    .expect("a known stage") as f64,
                "disagreement" => {
                    let flag = if i["disagreement"] == true {
                        1000.0
                    } else {
                        0.0
                    };
                    flag + mean(i).unwrap_or(-100.0)
                }
                _ => {
                    i["reviewers_submitted"].as_f64().expect("n") * 100.0
                        + i["reviewers_assigned"].as_f64().expect("n")
                }
            }
        };
        for (sort, k, desc) in [
            ("score", "score", false),
            ("-score", "score", true),
            ("reviews", "reviews", false),
            ("-reviews", "reviews", true),
            ("stage", "stage", false),
            ("-stage", "stage", true),
            ("disagreement", "disagreement", false),
            ("-disagreement", "disagreement", true),
        ] {
            let whole = board(&p, &p.f.admin, &format!("?limit=500&sort={sort}")).await;
            let rows = whole["items"].as_array().expect("items");
            for w in rows.windows(2) {
                let (a, b) = (key(&w[0], k), key(&w[1], k));
                assert!(if desc { a >= b } else { a <= b }, "{sort}: {a} then {b}");
            }
            let mut paged = Vec::new();
            let mut cursor = String::new();
            loop {
                let page = board(&p, &p.f.admin, &format!("?limit=3&sort={sort}{cursor}")).await;
                paged.extend(ids(&page));
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = format!("&cursor={c}"),
                    None => break,
                }
            }
            assert_eq!(paged, ids(&whole), "{sort}: pages of 3 are the whole list");
        }
    }
);
