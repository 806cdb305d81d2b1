//! Every take a candidate starts counts against the retake allowance
//! (issue 12): the page asks the server before recording, so re-recording
//! locally and uploading only the last take no longer escapes the count. A
//! resumable upload needs a started take; a whole-body `PUT` starts its
//! own, so scripts that send whole answers keep working.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;
use crate::uploads::clip;

impl Life {
    /// `POST /v1/candidate/responses/{question}/takes`.
    pub(crate) async fn start_take(&self, secret: &str, question: &str) -> (StatusCode, Value) {
        self.call(
            self.request(
                Method::POST,
                &format!("/v1/candidate/responses/{question}/takes"),
            )
            .bearer_auth(secret),
        )
        .await
    }
}

fn read(n: u32) -> Vec<u8> {
    std::fs::read(clip(n)).expect("clip")
}

lifecycle_test!(
    every_take_started_counts_even_if_never_uploaded,
    no_tweak,
    |l: Life| async move {
        let (q1, q2) = (l.questions[0].clone(), l.questions[1].clone());
        // No take before consent, none for a stranger or an unknown question.
        let unconsented = l.invite("Grace Hopper", "gh@example.org").await;
        let (s, p) = l
            .start_take(unconsented["access_secret"].as_str().expect("secret"), &q1)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "consent");
        let (s, _) = l.start_take("ci_not-a-secret", &q1).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        let inv = l.invite_agreed("Annie Easley", "ae@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let (s, p) = l.start_take(&secret, "no-such-question").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(p["field"], "question_id");

        // Two takes recorded on the page, neither uploaded yet: the one
        // retake is spent, and the server says so.
        let (s, first) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        assert_eq!(
            (
                &first["takes_started"],
                &first["retakes_used"],
                &first["retakes_left"]
            ),
            (&1.into(), &0.into(), &1.into()),
            "{first}"
        );
        let (s, second) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CREATED, "{second}");
        assert_eq!(second["retakes_left"], 0, "{second}");
        let (_, view) = l
            .call(
                l.request(Method::GET, "/v1/candidate/interview")
                    .bearer_auth(&secret),
            )
            .await;
        assert_eq!(view["questions"][0]["answered"], false, "{view}");
        assert_eq!(view["questions"][0]["retakes_used"], 1, "{view}");
        assert_eq!(view["questions"][0]["retakes_left"], 0, "{view}");
        let (s, p) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "question_id");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("no retakes left")),
            "{p}"
        );
        let started = format!(
            "SELECT CAST(COALESCE(SUM(started), 0) AS BIGINT) FROM question_takes WHERE interview_id = '{id}'"
        );
        assert_eq!(l.count(&started).await, 2, "a refused take was counted");
        // Each start is in the audit log: by the invitation, for the
        // question, its number and what was left; the refused one is not.
        let audited: Vec<String> = sqlx::query_scalar(
            "SELECT detail_json FROM audit_log WHERE action = 'candidate.take_started' \
             AND entity_type = 'interview' AND entity_id = $1 ORDER BY seq",
        )
        .bind(&id)
        .fetch_all(&l.state.db.pool)
        .await
        .expect("audit log");
        let audited: Vec<Value> = audited
            .iter()
            .map(|d| serde_json::from_str(d).expect("detail json"))
            .collect();
        assert_eq!(
            audited,
            vec![
                serde_json::json!({"by": "candidate invitation", "invitation": id,
                    "question_id": q1, "take": 1, "retakes_left": 1}),
                serde_json::json!({"by": "candidate invitation", "invitation": id,
                    "question_id": q1, "take": 2, "retakes_left": 0}),
            ]
        );
        let chain = takes_platform::store::audit::verify(&l.state.db.pool).await;
        assert!(
            matches!(
                chain,
                Ok(takes_platform::store::audit::Verdict::Intact { .. })
            ),
            "{chain:?}"
        );

        // A whole-body upload would be a third take: refused, nothing kept.
        let stored = format!("SELECT COUNT(*) FROM responses WHERE interview_id = '{id}'");
        let (s, p) = l.upload(&secret, &q1, read(2), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("no retakes left")),
            "{p}"
        );
        assert_eq!(l.count(&stored).await, 0);
        assert_eq!(l.count(&started).await, 2);

        // A whole-body PUT starts its own take: scripts keep working, and
        // their retakes are counted the same way.
        for (n, used) in [(1, 0), (2, 1)] {
            let (s, a) = l.upload(&secret, &q2, read(n), None).await;
            assert_eq!(s, StatusCode::CREATED, "{a}");
            assert_eq!(a["retakes_used"], used, "{a}");
        }
        let (s, p) = l.upload(&secret, &q2, read(3), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        // Repeating the stored upload is a replay, not a take.
        let (s, a) = l.upload(&secret, &q2, read(2), None).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(l.count(&started).await, 4);
        // A resumable upload needs a started take not stored yet.
        let (s, p, _) = l.create_upload(&secret, &q2, 1000).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "question_id");

        // The started take is uploaded (tus), counted as the retake it was;
        // it completes the interview, after which nothing starts.
        let bytes = read(1);
        let (s, created, location) = l.create_upload(&secret, &q1, bytes.len()).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let (s, done, _) = l.patch(&secret, &location, 0, bytes).await;
        assert_eq!(s, StatusCode::CREATED, "{done}");
        assert_eq!(done["retakes_used"], 1, "{done}");
        assert_eq!(done["retakes_left"], 0, "{done}");
        assert_eq!(done["interview_status"], "completed", "{done}");
        let (s, p) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        assert_eq!(l.count(&started).await, 4);
    }
);
