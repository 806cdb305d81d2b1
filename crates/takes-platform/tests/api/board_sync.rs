//! `GET /v1/board/sync` on both databases: the decision and ATS sync
//! state of just the interviews asked for (what the board polls while a
//! delivery is under way), all or nothing, reviewers refused.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_platform::store::board;

use crate::both_backends;
use crate::support::TestPlatform;

async fn sync(p: &TestPlatform, token: &str, ids: &[&str]) -> (StatusCode, Value) {
    p.get(&format!("/v1/board/sync?ids={}", ids.join(",")), token)
        .await
}

both_backends!(
    the_board_reads_just_the_sync_states_it_asks_for,
    |p: TestPlatform| async move {
        let row = sqlx::query(
            "SELECT i.job_role_id, a.interview_id FROM assignments a \
             JOIN interviews i ON i.id = a.interview_id WHERE a.id = $1",
        )
        .bind(&p.f.other_assignment)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("fixture rows");
        let (role, other): (String, String) = (row.get(0), row.get(1));
        let decided = p.f.interview.clone();

        // Reviewers never; a recruiter only for the roles they recruit for.
        let (s, body) = sync(&p, &p.f.reviewers[0], &[&decided]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = sync(&p, &p.f.recruiter, &[&decided, &other]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let detail = body["detail"].as_str().expect("detail");
        assert!(
            detail.contains(&decided) && detail.contains(&other),
            "{body}"
        );
        let (_, me) = p.get("/v1/me", &p.f.recruiter).await;
        let rita = me["id"].as_str().expect("id").to_string();
        let mut conn = p.state.db.pool.acquire().await.expect("conn");
        board::writes::add_recruiter(&mut conn, p.state.clock.now(), &role, &rita)
            .await
            .expect("recruiter");
        drop(conn);

        // Bad input names the field and changes nothing.
        for (query, status) in [
            ("", StatusCode::UNPROCESSABLE_ENTITY),
            ("?ids=", StatusCode::UNPROCESSABLE_ENTITY),
            ("?ids=,,", StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let (s, body) = p
                .get(&format!("/v1/board/sync{query}"), &p.f.recruiter)
                .await;
            assert_eq!(s, status, "{query}: {body}");
            assert_eq!(body["field"], "ids", "{query}: {body}");
        }
        let twice = format!("?ids={decided},{decided}");
        let (s, body) = p
            .get(&format!("/v1/board/sync{twice}"), &p.f.recruiter)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["detail"].as_str().expect("detail").contains("twice"));
        let many: Vec<String> = (0..101).map(|n| format!("i{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (s, body) = sync(&p, &p.f.recruiter, &many).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "ids", "{body}");
        let (s, body) = sync(&p, &p.f.recruiter, &[&decided, "no-such-interview"]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        assert!(body["detail"]
            .as_str()
            .expect("detail")
            .contains("no-such-interview"));

        // Nothing decided: no decision, no sync state.
        let (s, body) = sync(&p, &p.f.recruiter, &[&other, &decided]).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["items"].as_array().expect("items").len(), 2);
        assert_eq!(body["items"][0]["id"], other.as_str());
        assert_eq!(body["items"][1]["decision"], Value::Null);
        assert_eq!(body["items"][1]["sync"], Value::Null);

        // Decided with an ATS endpoint: queued, then delivered once the
        // delivery is (the worker's part, done here directly).
        let (s, body) = p
            .call(
                p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                    .json(&json!({"url": "http://127.0.0.1:1/ats"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, body) = p
            .call(
                p.request(Method::POST, "/v1/board/decisions", Some(&p.f.recruiter))
                    .json(&json!({"interview_ids": [decided], "action": "reject"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        sqlx::query("UPDATE webhook_deliveries SET state = 'pending', last_error = NULL")
            .execute(&p.state.db.pool)
            .await
            .expect("pending");
        let (s, body) = sync(&p, &p.f.recruiter, &[&decided, &other]).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["items"][0]["id"], decided.as_str());
        assert_eq!(body["items"][0]["decision"]["action"], "reject", "{body}");
        assert_eq!(body["items"][0]["sync"]["status"], "queued", "{body}");
        assert_eq!(body["items"][1]["sync"], Value::Null, "{body}");
        sqlx::query("UPDATE webhook_deliveries SET state = 'delivered'")
            .execute(&p.state.db.pool)
            .await
            .expect("delivered");
        let (s, body) = sync(&p, &p.f.admin, &[&decided]).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["items"][0]["sync"]["status"], "delivered", "{body}");
    }
);
