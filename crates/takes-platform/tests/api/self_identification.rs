//! `PUT /v1/candidate/self-identification` on both databases: what is
//! stored, what bad input is told, and when the secret no longer opens it.

use reqwest::{Method, StatusCode};
use serde_json::json;
use takes_platform::clock::{DAY, HOUR};

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;

lifecycle_test!(
    self_identification_is_stored_apart_and_checked,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Katherine Johnson", "kj@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let put = |body: serde_json::Value| {
            l.call(
                l.request(Method::PUT, "/v1/candidate/self-identification")
                    .bearer_auth(&secret)
                    .json(&body),
            )
        };
        let stored =
            format!("SELECT COUNT(*) FROM self_identifications WHERE interview_id = '{id}'");

        // Bad input names the field and the value, and stores nothing.
        for (body, field, needle) in [
            (
                json!({"text_version": "si-1", "answers": [{"category": "religion", "answer": "x"}]}),
                "answers[0].category",
                "religion",
            ),
            (
                json!({"text_version": "si-1", "answers": [{"category": "gender", "answer": "yes"}]}),
                "answers[0].answer",
                "\"yes\"",
            ),
            (
                json!({"text_version": "si-1", "answers": [
                    {"category": "veteran", "answer": "no"},
                    {"category": "veteran", "answer": "yes"}]}),
                "answers[1].category",
                "twice",
            ),
            (
                json!({"text_version": "", "answers": []}),
                "text_version",
                "text_version",
            ),
        ] {
            let (s, p) = put(body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
            assert_eq!(p["field"], field, "{p}");
            assert!(p["detail"].as_str().unwrap_or("").contains(needle), "{p}");
        }
        assert_eq!(l.count(&stored).await, 0);

        // Any subset, "prefer not to say" included; a second answer replaces
        // the first as a whole.
        let (s, p) = put(json!({"text_version": "si-1", "answers": [
            {"category": "gender", "answer": "woman"},
            {"category": "age_40_or_over", "answer": "prefer_not_to_say"},
            {"category": "ethnicity", "answer": "black_or_african_american"}]}))
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert!(p["answered_at"].is_string());
        assert_eq!(l.count(&stored).await, 3);
        let (s, p) = put(json!({"text_version": "si-1", "answers": [
            {"category": "disability", "answer": "no"}]}))
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(l.count(&stored).await, 1);
        assert_eq!(
            l.count(&format!(
                "SELECT COUNT(*) FROM self_identifications WHERE interview_id = '{id}' \
                 AND category = 'disability' AND answer = 'no' AND text_version = 'si-1'"
            ))
            .await,
            1
        );
        // Skipping it all is a valid answer too.
        let (s, _) = put(json!({"text_version": "si-1", "answers": []})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.count(&stored).await, 0);

        // A reviewer's or recruiter's token is no candidate secret.
        let (s, _) = l
            .call(
                l.request(Method::PUT, "/v1/candidate/self-identification")
                    .bearer_auth(&l.recruiter)
                    .json(&json!({"text_version": "si-1", "answers": []})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // Completed: still accepted for a day (the page offers the step on
        // the done page), then refused.
        {
            let mut conn = l.state.db.pool.acquire().await.expect("conn");
            let done = takes_platform::store::invitations::complete(&mut conn, &id, l.clock.now())
                .await
                .expect("complete");
            assert!(done);
        }
        l.clock.advance(HOUR);
        let (s, p) = put(json!({"text_version": "si-1", "answers": [
            {"category": "veteran", "answer": "yes"}]}))
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(l.count(&stored).await, 1);
        l.clock.advance(DAY);
        let (s, p) = put(json!({"text_version": "si-1", "answers": []})).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        assert_eq!(l.count(&stored).await, 1);
    }
);
