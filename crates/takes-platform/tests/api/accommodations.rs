//! Accommodations for one candidate: who may grant them, that every grant
//! is audited, and that the server (not only the page) honours them: the
//! longer window, the longer time limit, the extra retakes, sound only.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_api::UserRole;

use crate::invitations::{no_tweak, Life, T0};
use crate::lifecycle_test;
use crate::uploads::clip;

fn read_clip(n: u32) -> Vec<u8> {
    std::fs::read(clip(n)).expect("demo clip")
}

/// A demo clip's sound alone, as a browser recording without a camera.
pub fn sound_only(n: u32) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(clip(n))
        .args(["-vn", "-c:a", "copy", "-f", "webm", "pipe:1"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl Life {
    async fn accommodate(&self, token: &str, interview: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            self.request(
                Method::PUT,
                &format!("/v1/invitations/{interview}/accommodations"),
            )
            .bearer_auth(token)
            .json(&body),
        )
        .await
    }

    async fn candidate_view(&self, secret: &str) -> Value {
        let (s, v) = self
            .call(
                self.request(Method::GET, "/v1/candidate/interview")
                    .bearer_auth(secret),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
}

lifecycle_test!(
    accommodations_are_granted_by_the_roles_recruiters_audited_and_enforced,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Alice Ball", "ab@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let (q1, q2) = (l.questions[0].clone(), l.questions[1].clone());
        // A short limit, so the extra time is what lets the 23.6 s clip in
        // (10 s + the 10 s margin < 23.6 s < 40 s + 10 s).
        sqlx::query("UPDATE questions SET time_limit_s = 10 WHERE id = $1")
            .bind(&q1)
            .execute(&l.state.db.pool)
            .await
            .expect("limit");
        let grant = json!({"extra_window_hours": 24, "extra_seconds_per_question": 30,
            "extra_retakes": 2, "audio_only": true, "note": "screen reader user"});
        let audited = format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'accommodation.granted' AND entity_id = '{id}'"
        );

        // Without the grant: over the time limit, no sound-only answers.
        let (s, p) = l.upload(&secret, &q1, read_clip(1), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, p) = l.upload(&secret, &q2, sound_only(2), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("sound only")),
            "{p}"
        );

        // Reviewers never; a recruiter only for the roles they recruit for.
        let (s, p) = l
            .accommodate(&l.reviewer_tokens[1], &id, grant.clone())
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, p) = l.accommodate(&l.recruiter, &id, grant.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, p) = l
            .call(
                l.request(Method::GET, &format!("/v1/invitations/{id}/accommodations"))
                    .bearer_auth(&l.reviewer_tokens[0]),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert_eq!(l.count(&audited).await, 0);
        let (_, me) = l
            .call(l.request(Method::GET, "/v1/me").bearer_auth(&l.recruiter))
            .await;
        sqlx::query(
            "INSERT INTO role_recruiters (job_role_id, user_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(&l.role)
        .bind(me["id"].as_str().expect("my id"))
        .bind(T0)
        .execute(&l.state.db.pool)
        .await
        .expect("recruiter of the role");

        // Bad figures are refused naming the field, changing nothing.
        for (body, field) in [
            (json!({"extra_retakes": -1}), "extra_retakes"),
            (json!({"extra_window_hours": 100000}), "extra_window_hours"),
            (
                json!({"extra_seconds_per_question": 601}),
                "extra_seconds_per_question",
            ),
            (json!({"note": "x".repeat(501)}), "note"),
        ] {
            let (s, p) = l.accommodate(&l.recruiter, &id, body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
            assert_eq!(p["field"], field, "{p}");
        }
        let (s, p) = l
            .accommodate(&l.recruiter, "no-such-interview", grant.clone())
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(l.count(&audited).await, 0);
        let before = l.candidate_view(&secret).await;

        let (s, a) = l.accommodate(&l.recruiter, &id, grant.clone()).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["extra_retakes"], 2);
        assert_eq!(a["granted_by"], "Rita Recruiter");
        assert_eq!(l.count(&audited).await, 1);
        let detail: String = sqlx::query_scalar(
            "SELECT detail_json FROM audit_log WHERE action = 'accommodation.granted' AND entity_id = $1",
        )
        .bind(&id)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("audit row");
        let detail: Value = serde_json::from_str(&detail).expect("json");
        assert_eq!(detail["before"]["extra_retakes"], 0, "{detail}");
        assert_eq!(detail["after"]["audio_only"], true, "{detail}");

        // The candidate sees (and the server applies) the new terms.
        let after = l.candidate_view(&secret).await;
        let moved = |v: &Value| {
            time::OffsetDateTime::parse(
                v["expires_at"].as_str().expect("expires_at"),
                &time::format_description::well_known::Rfc3339,
            )
            .expect("rfc3339")
        };
        assert_eq!(moved(&after) - moved(&before), time::Duration::hours(24));
        assert_eq!(after["retakes_allowed"], 3);
        assert_eq!(after["questions"][0]["time_limit_s"], 40);
        assert_eq!(after["options"]["audio_only"], true);
        assert_eq!(after["consented"], true);

        // Three retakes now, counted and enforced by the server.
        for (n, used) in [(1, 0), (2, 1), (3, 2), (4, 3)] {
            let (s, a) = l.upload(&secret, &q1, read_clip(n), None).await;
            assert_eq!(s, StatusCode::CREATED, "clip {n}: {a}");
            assert_eq!(a["retakes_used"], used);
            assert_eq!(a["retakes_left"], 3 - used);
        }
        let (s, p) = l.upload(&secret, &q1, read_clip(1), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("retake")),
            "{p}"
        );

        // Sound only is accepted now, and completes the interview.
        let (s, a) = l.upload(&secret, &q2, sound_only(2), None).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(a["interview_status"], "completed");
        let kind: String = sqlx::query_scalar(
            "SELECT m.content_type FROM media_objects m JOIN responses r ON r.media_object_id = m.id WHERE r.id = $1",
        )
        .bind(a["response_id"].as_str().expect("id"))
        .fetch_one(&l.state.db.pool)
        .await
        .expect("media");
        assert_eq!(kind, "audio/webm");

        // A completed interview takes no more accommodations.
        let (s, p) = l.accommodate(&l.recruiter, &id, grant).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(l.count(&audited).await, 1);

        // Admins may grant for any role (and read them back).
        let (_, admin) = takes_platform::auth::issue_token(
            &l.state.db,
            T0,
            "Ada Admin",
            UserRole::Admin,
            "test",
        )
        .await
        .expect("admin");
        let other = l
            .invite_agreed("Flossie Wong-Staal", "fws@example.org")
            .await;
        let other_id = other["id"].as_str().expect("id");
        let (s, a) = l
            .accommodate(&admin, other_id, json!({"extra_retakes": 1}))
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let (s, a) = l
            .call(
                l.request(
                    Method::GET,
                    &format!("/v1/invitations/{other_id}/accommodations"),
                )
                .bearer_auth(&l.recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["extra_retakes"], 1);
        assert_eq!(a["granted_by"], "Ada Admin");
    }
);
