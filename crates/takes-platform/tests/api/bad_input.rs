//! Malformed requests: a 4xx problem naming what is wrong, nothing changed,
//! never a 5xx.

use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::support::TestPlatform;

async fn state_fingerprint(p: &TestPlatform) -> (i64, i64, i64, i64) {
    (
        p.count("SELECT COUNT(*) FROM scores").await,
        p.count("SELECT COUNT(*) FROM audit_log").await,
        p.count("SELECT COUNT(*) FROM decisions").await,
        p.count("SELECT COUNT(*) FROM assignments WHERE status <> 'pending'")
            .await,
    )
}

both_backends!(
    bad_score_writes_name_the_problem_and_change_nothing,
    |p: TestPlatform| async move {
        let a = &p.f.assignments[0];
        let q = &p.f.questions[0];
        let t = &p.f.reviewers[0];
        let path = format!("/v1/assignments/{a}/scores/{q}");
        let before = state_fingerprint(&p).await;

        let cases: Vec<(&str, reqwest::RequestBuilder, u16, Option<&str>)> = vec![
            (
                "rating above scale",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 6})),
                422,
                Some("rating"),
            ),
            (
                "rating below scale",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 0})),
                422,
                Some("rating"),
            ),
            (
                "muted above scale",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "muted_rating": 9})),
                422,
                Some("muted_rating"),
            ),
            (
                "rating not a number",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": "four"})),
                422,
                Some("rating"),
            ),
            (
                "missing rating",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"note": "x"})),
                422,
                None,
            ),
            (
                "unknown field",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "ratng": 4})),
                422,
                None,
            ),
            (
                "evidence backwards",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "evidence": [{"start_s": 3.0, "end_s": 1.0}]})),
                422,
                Some("evidence[0]"),
            ),
            (
                "evidence past the end",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "evidence": [{"start_s": 1.0, "end_s": 600.0}]})),
                422,
                Some("evidence[0].end_s"),
            ),
            (
                "NUL in note",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "note": "a\u{0}b"})),
                422,
                Some("note"),
            ),
            (
                "note too long",
                p.request(Method::PUT, &path, Some(t))
                    .json(&json!({"rating": 3, "note": "x".repeat(10_001)})),
                422,
                Some("note"),
            ),
            (
                "bad JSON",
                p.request(Method::PUT, &path, Some(t))
                    .header("content-type", "application/json")
                    .body("{\"rating\": 3"),
                400,
                None,
            ),
            (
                "not JSON",
                p.request(Method::PUT, &path, Some(t)).body("rating=3"),
                415,
                Some("Content-Type"),
            ),
            (
                "oversized body",
                p.request(Method::PUT, &path, Some(t))
                    .header("content-type", "application/json")
                    .body(format!(
                        "{{\"rating\":3,\"note\":\"{}\"}}",
                        "x".repeat(200_000)
                    )),
                413,
                None,
            ),
            (
                "unknown question",
                p.request(
                    Method::PUT,
                    &format!("/v1/assignments/{a}/scores/nope"),
                    Some(t),
                )
                .json(&json!({"rating": 3})),
                404,
                Some("question_id"),
            ),
            (
                "question of another set",
                p.request(
                    Method::PUT,
                    &format!("/v1/assignments/{a}/scores/{a}"),
                    Some(t),
                )
                .json(&json!({"rating": 3})),
                404,
                Some("question_id"),
            ),
            (
                "unknown assignment",
                p.request(
                    Method::PUT,
                    &format!("/v1/assignments/nope/scores/{q}"),
                    Some(t),
                )
                .json(&json!({"rating": 3})),
                404,
                Some("id"),
            ),
            (
                "bad idempotency key",
                p.request(Method::PUT, &path, Some(t))
                    .header("Idempotency-Key", "k".repeat(300))
                    .json(&json!({"rating": 3})),
                400,
                Some("Idempotency-Key"),
            ),
        ];
        for (what, rb, status, field) in cases {
            let (s, body) = p.call(rb).await;
            assert_eq!(s.as_u16(), status, "{what}: {body}");
            assert!(
                body["detail"].as_str().is_some_and(|d| !d.is_empty()),
                "{what}: {body}"
            );
            if let Some(field) = field {
                assert_eq!(body["field"], field, "{what}: {body}");
                if what.contains("scale") {
                    assert!(
                        body["detail"]
                            .as_str()
                            .unwrap_or_default()
                            .contains("1..=5"),
                        "{what}: {body}"
                    );
                }
            }
        }
        assert_eq!(
            state_fingerprint(&p).await,
            before,
            "a refused request changed data"
        );
    }
);

both_backends!(
    bad_queries_and_decisions_are_refused,
    |p: TestPlatform| async move {
        let before = state_fingerprint(&p).await;
        let t = &p.f.reviewers[0];
        for (path, status, field) in [
            ("/v1/queue?limit=0", 422, Some("limit")),
            ("/v1/queue?limit=abc", 400, None),
            ("/v1/queue?cursor=%%%", 400, Some("cursor")),
            ("/v1/queue?cursor=bm9jb2xvbg", 400, Some("cursor")),
            ("/v1/queue?status=done", 422, Some("status")),
            ("/v1/nowhere", 404, None),
        ] {
            let (s, body) = p.get(path, t).await;
            assert_eq!(s.as_u16(), status, "{path}: {body}");
            if let Some(f) = field {
                assert_eq!(body["field"], f, "{path}: {body}");
            }
        }
        let decide = format!("/v1/interviews/{}/decision", p.f.interview);
        for (body, status, field) in [
            (json!({"action": "promote"}), 422, Some("action")),
            (
                json!({"action": "reject", "reason": "x".repeat(2_001)}),
                422,
                Some("reason"),
            ),
            (json!({}), 422, None),
        ] {
            let (s, b) = p
                .call(
                    p.request(Method::POST, &decide, Some(&p.f.recruiter))
                        .json(&body),
                )
                .await;
            assert_eq!(s.as_u16(), status, "{b}");
            if let Some(f) = field {
                assert_eq!(b["field"], f, "{b}");
            }
        }
        let (s, _) = p
            .call(
                p.request(
                    Method::POST,
                    "/v1/interviews/nope/decision",
                    Some(&p.f.recruiter),
                )
                .json(&json!({"action": "hold"})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(state_fingerprint(&p).await, before);
    }
);

both_backends!(garbage_never_gets_a_5xx, |p: TestPlatform| async move {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let paths = [
        "/v1/queue",
        "/v1/me",
        "/v1/assignments/{a}",
        "/v1/assignments/{a}/scores/{q}",
        "/v1/assignments/{a}/submit",
        "/v1/assignments/{a}/panel",
        "/v1/interviews/{i}/decision",
        "/v1/media/{r}",
        "/v1/responses/{r}/transcript",
        "/v1/interviews",
    ];
    let junk = [
        "",
        "%00",
        "..%2f..%2fetc%2fpasswd",
        "'; DROP TABLE scores;--",
        "😀",
        "a/b",
        "%ff%fe",
    ];
    let bodies = [
        "",
        "{",
        "null",
        "[]",
        "{\"rating\":1e999}",
        "{\"rating\":-9223372036854775808}",
        "{\"rating\":3,\"evidence\":[{\"start_s\":\"NaN\",\"end_s\":1}]}",
        "{\"action\":null}",
        "{\"rating\":3,\"note\":\"\\u0000\"}",
        "{\"action\":\"hold\",\"reason\":\"\\u0000\"}",
    ];
    let methods = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
    ];
    let tokens = [p.f.reviewers[0].as_str(), p.f.recruiter.as_str(), "garbage"];
    for _ in 0..300 {
        let template = paths[rng.gen_range(0..paths.len())];
        let pick = |rng: &mut rand::rngs::StdRng, real: &str| {
            if rng.gen_bool(0.5) {
                real.to_string()
            } else {
                junk[rng.gen_range(0..junk.len())].to_string()
            }
        };
        let path = template
            .replace("{a}", &pick(&mut rng, &p.f.assignments[0]))
            .replace("{q}", &pick(&mut rng, &p.f.questions[0]))
            .replace("{i}", &pick(&mut rng, &p.f.interview))
            .replace("{r}", &pick(&mut rng, &p.f.responses[0]));
        let method = methods[rng.gen_range(0..methods.len())].clone();
        let mut rb = p
            .request(
                method.clone(),
                &path,
                Some(tokens[rng.gen_range(0..tokens.len())]),
            )
            .header("content-type", "application/json")
            .body(bodies[rng.gen_range(0..bodies.len())]);
        if rng.gen_bool(0.3) {
            rb = rb.header(
                "Range",
                [
                    "bytes=0-",
                    "bytes=-0",
                    "bytes=99999999999999999999-",
                    "bytes=,",
                ][rng.gen_range(0..4)],
            );
        }
        let resp = rb.send().await.expect("send");
        assert!(
            resp.status().as_u16() < 500,
            "{method} {path} answered {}",
            resp.status()
        );
    }
});
