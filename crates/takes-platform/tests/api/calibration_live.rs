//! Calibration samples come only from interviews whose review is over: a
//! participant still reviewing the interview could otherwise submit the
//! calibration, read the others' ratings and notes on that very response,
//! and then change their live score.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::both_backends;
use crate::support::TestPlatform;

async fn create(p: &TestPlatform, responses: &[&str]) -> (StatusCode, Value) {
    p.call(
        p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
            .json(&json!({
                "title": "Live samples",
                "deadline_at": "2999-01-01T00:00:00Z",
                "participant_ids": [p.f.reviewer_ids[0], p.f.reviewer_ids[1]],
                "response_ids": responses,
            })),
    )
    .await
}

/// A response of the fixture's second interview (reviewer 0's
/// `other_assignment`, still pending).
async fn other_response(p: &TestPlatform) -> String {
    sqlx::query(
        "SELECT r.id FROM responses r JOIN assignments a ON a.interview_id = r.interview_id \
         WHERE a.id = $1 ORDER BY r.id",
    )
    .bind(&p.f.other_assignment)
    .fetch_all(&p.state.db.pool)
    .await
    .expect("responses")
    .first()
    .map(|r| r.get::<String, _>("id"))
    .expect("a response of the other interview")
}

both_backends!(
    calibration_refuses_responses_of_interviews_under_review,
    |p: TestPlatform| async move {
        let r = &p.f.responses;
        let detail = |b: &Value| b["detail"].as_str().unwrap_or_default().to_string();

        // All three reviewers, two of them participants, still review it.
        let (s, b) = create(&p, &[&r[0], &r[1]]).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert_eq!(b["field"], "response_ids[0]", "{b}");
        let d = detail(&b);
        assert!(d.contains(r[0].as_str()), "names the response: {d}");
        assert!(d.contains("under review"), "says why: {d}");
        for name in ["Rev Zero", "Rev One", "Rev Two"] {
            assert!(d.contains(name), "names {name}: {d}");
        }
        assert_eq!(
            p.count("SELECT COUNT(*) FROM calibration_sessions").await,
            0
        );
        assert_eq!(p.count("SELECT COUNT(*) FROM calibration_items").await, 0);

        // Two have submitted; one open assignment is still one too many,
        // even of a reviewer who does not take part.
        p.score_all_and_submit(&p.f.reviewers[0], &p.f.assignments[0], 3)
            .await;
        p.score_all_and_submit(&p.f.reviewers[1], &p.f.assignments[1], 4)
            .await;
        let (s, b) = create(&p, &[&r[0]]).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        let d = detail(&b);
        assert!(d.contains("Rev Two has not submitted"), "{d}");
        assert!(!d.contains("Rev Zero"), "{d}");

        // Once every review is in, the interview may be a sample; a live
        // one later in the list is still refused, by its own index.
        p.score_all_and_submit(&p.f.reviewers[2], &p.f.assignments[2], 2)
            .await;
        let live = other_response(&p).await;
        let (s, b) = create(&p, &[&r[0], &live]).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert_eq!(b["field"], "response_ids[1]", "{b}");
        assert!(detail(&b).contains(live.as_str()), "{b}");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM calibration_sessions").await,
            0
        );

        let (s, b) = create(&p, &[&r[0], &r[1], &r[2]]).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["items"].as_array().map(Vec::len), Some(3), "{b}");
    }
);
