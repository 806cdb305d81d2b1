//! `POST /v1/outcomes/import` on both databases: items by interview id or
//! by candidate email, all or nothing, idempotent, scoped to the caller's
//! roles.
//!
//! Role "Import Role" (no recruiter): completed interviews of ivy@ and
//! jo@example.com, two of twin@example.com, and an invited (not
//! completed) one of kim@example.com.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_platform::clock::DAY;
use takes_platform::store::{interviews, roles};

use crate::both_backends;
use crate::support::TestPlatform;

async fn build(p: &TestPlatform) -> Vec<String> {
    let now = p.state.clock.now();
    let mut w = p.state.db.begin_write().await.expect("begin");
    let c = &mut *w.tx;
    let role = roles::role(c, now, "Import Role", "Ops")
        .await
        .expect("role");
    let set = roles::question_set(c, now, &role, "Import screen", 1)
        .await
        .expect("set");
    let mut ids = Vec::new();
    for (email, completed) in [
        ("ivy@example.com", true),
        ("jo@example.com", true),
        ("twin@example.com", true),
        ("twin@example.com", true),
        ("kim@example.com", false),
    ] {
        let cand = interviews::candidate(c, now, email, email)
            .await
            .expect("candidate");
        let i = interviews::NewInterview {
            candidate_id: &cand,
            role_id: &role,
            question_set_id: &set,
            status: if completed { "completed" } else { "invited" },
            invited_at: now - 3 * DAY,
            expires_at: now + DAY,
            started_at: completed.then_some(now - 2 * DAY),
            completed_at: completed.then_some(now - DAY),
        };
        ids.push(interviews::interview(c, i).await.expect("interview"));
    }
    w.commit().await.expect("commit");
    ids
}

async fn import(p: &TestPlatform, token: &str, items: Value) -> (StatusCode, Value) {
    p.call(
        p.request(Method::POST, "/v1/outcomes/import", Some(token))
            .json(&json!({ "items": items })),
    )
    .await
}

async fn outcomes(p: &TestPlatform) -> Vec<(String, i64, Option<f64>)> {
    use sqlx::Row;
    sqlx::query("SELECT interview_id, hired, performance_6m FROM outcomes ORDER BY interview_id")
        .fetch_all(&p.state.db.pool)
        .await
        .expect("outcomes")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

both_backends!(
    all_or_nothing_and_idempotent,
    |p: TestPlatform| async move {
        let ids = build(&p).await;
        let good = json!([
            {"candidate": "IVY@example.com", "hired": true, "performance_6m": 4.0},
            {"interview_id": ids[1], "hired": false},
        ]);
        let (s, r) = import(&p, &p.f.admin, good.clone()).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r, json!({"changed": 2, "unchanged": 0}));
        let recorded = outcomes(&p).await;
        assert_eq!(recorded.len(), 2);
        assert!(
            recorded.contains(&(ids[0].clone(), 1, Some(4.0))),
            "{recorded:?}"
        );
        // Again: nothing changes, nothing more is audited.
        let audited = p
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'outcome.recorded'")
            .await;
        let (s, r) = import(&p, &p.f.admin, good).await;
        assert_eq!(
            (s, r),
            (StatusCode::OK, json!({"changed": 0, "unchanged": 2}))
        );
        assert_eq!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'outcome.recorded'")
                .await,
            audited
        );
        // Each bad item refuses the whole request, naming it; the good first
        // item (ivy, now not hired) is not recorded either.
        for (bad, field, words) in [
            (
                json!({"candidate": "twin@example.com", "hired": true}),
                "items[1].candidate",
                "2 completed interviews",
            ),
            (
                json!({"candidate": "kim@example.com", "hired": true}),
                "items[1].candidate",
                "no completed interview",
            ),
            (
                json!({"interview_id": "nope", "hired": true}),
                "items[1].interview_id",
                "no interview",
            ),
            (
                json!({"interview_id": ids[1], "candidate": "jo@example.com", "hired": true}),
                "items[1]",
                "exactly one",
            ),
            (
                json!({"candidate": "ivy@example.com", "hired": true}),
                "items[1]",
                "same interview as items[0]",
            ),
        ] {
            let items = json!([{"interview_id": ids[0], "hired": false}, bad]);
            let (s, r) = import(&p, &p.f.admin, items).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
            let detail = r["detail"].as_str().unwrap_or_default();
            assert!(
                detail.starts_with(field) && detail.contains(words),
                "{field}: {r}"
            );
            assert_eq!(
                outcomes(&p).await,
                recorded,
                "nothing changed after {field}"
            );
        }
        // A recruiter of another role: refused by id (403), and by email the
        // candidate is not even found (its existence is not disclosed).
        let (s, r) = import(
            &p,
            &p.f.recruiter,
            json!([{"interview_id": ids[0], "hired": false}]),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
        let (s, r) = import(
            &p,
            &p.f.recruiter,
            json!([{"candidate": "jo@example.com", "hired": false}]),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        let (s, _) = import(
            &p,
            &p.f.reviewers[0],
            json!([{"interview_id": ids[0], "hired": false}]),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(outcomes(&p).await, recorded);
    }
);
