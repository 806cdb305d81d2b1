//! Many reviewers writing at once.

use reqwest::StatusCode;
use serde_json::json;
use takes_api::UserRole;
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
