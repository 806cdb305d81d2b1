//! Outcomes after hire and downstream validity over HTTP, on both
//! databases.
//!
//! 40 completed interviews of "Validity Role", one reviewer each, two
//! questions. Interview k: q1 = 1 + k mod 5, q2 = 1 + (k mod 8) / 2, and
//! the 12-month performance = 2 · (1 + k mod 5). By construction q1 and the
//! performance have the same order (rho = 1, every bootstrap resample with
//! variation gives 1: interval [1, 1], "predicts"); q2 depends only on
//! k mod 8 and the performance only on k mod 5, and over k = 0..39 = lcm
//! every pair of residues occurs once, so rho(q2, performance) = 0 and the
//! interval straddles 0: "does not predict". No 6-month figures: n = 0,
//! "too few". Everyone was hired: no variation, no rho.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::{assignments, interviews, roles};

use crate::both_backends;
use crate::support::{rubric, TestPlatform};

async fn build(p: &TestPlatform) -> (String, Vec<String>) {
    let now = p.state.clock.now();
    let db = &p.state.db;
    let (rev, _) =
        takes_platform::auth::issue_token(db, now, "Val Reviewer", UserRole::Reviewer, "t")
            .await
            .expect("token");
    let mut w = db.begin_write().await.expect("begin");
    let c = &mut *w.tx;
    let role = roles::role(c, now, "Validity Role", "Research")
        .await
        .expect("role");
    let set = roles::question_set(c, now, &role, "Validity screen", 1)
        .await
        .expect("set");
    let rubric = rubric();
    let mut qs = Vec::new();
    for (i, prompt) in ["Predictive question", "Noise question"].iter().enumerate() {
        let q = roles::NewQuestion {
            position: i as i64 + 1,
            prompt,
            competency: "Judgement",
            time_limit_s: 60,
            rubric: &rubric,
        };
        qs.push(roles::question(c, &set, q).await.expect("question"));
    }
    let mut ids = Vec::new();
    for k in 0..40i64 {
        let cand = interviews::candidate(c, now, &format!("V{k}"), "v@example.com")
            .await
            .expect("cand");
        let i = interviews::NewInterview {
            candidate_id: &cand,
            role_id: &role,
            question_set_id: &set,
            status: "completed",
            invited_at: now - 10 * DAY,
            expires_at: now - 7 * DAY,
            started_at: Some(now - 9 * DAY),
            completed_at: Some(now - 9 * DAY + HOUR),
        };
        let interview = interviews::interview(c, i).await.expect("interview");
        let a =
            assignments::assignment(c, &interview, &rev, now - 9 * DAY, now, Some(now - 8 * DAY))
                .await
                .expect("assignment");
        for (q, rating) in qs.iter().zip([1 + k % 5, 1 + (k % 8) / 2]) {
            let s = assignments::NewScore {
                assignment_id: &a,
                question_id: q,
                rating,
                muted_rating: None,
                note: None,
                at: now - 8 * DAY,
            };
            assignments::score(c, s).await.expect("score");
        }
        ids.push(interview);
    }
    w.commit().await.expect("commit");
    (role, ids)
}

fn figure<'a>(r: &'a Value, label_part: &str, outcome: &str) -> &'a Value {
    r["figures"]
        .as_array()
        .and_then(|f| {
            f.iter().find(|x| {
                x["outcome"] == outcome
                    && x["label"].as_str().is_some_and(|l| l.contains(label_part))
            })
        })
        .unwrap_or(&Value::Null)
}

both_backends!(
    outcomes_feed_validity_per_question,
    |p: TestPlatform| async move {
        let (role, ids) = build(&p).await;
        for (k, id) in ids.iter().enumerate() {
            let body = json!({"hired": true, "performance_12m": 2.0 * (1 + k % 5) as f64});
            let (s, b) = p
                .call(
                    p.request(Method::PUT, &format!("/v1/outcomes/{id}"), Some(&p.f.admin))
                        .json(&body),
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        }
        // Writing again replaces (still one row per interview).
        let again = json!({"hired": true, "performance_12m": 2.0});
        let (s, _) = p
            .call(
                p.request(
                    Method::PUT,
                    &format!("/v1/outcomes/{}", ids[0]),
                    Some(&p.f.admin),
                )
                .json(&again),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(p.count("SELECT COUNT(*) FROM outcomes").await, 40);
        // Bad bodies and unknown interviews change nothing.
        for (path, body, status) in [
            (
                format!("/v1/outcomes/{}", ids[1]),
                json!({"hired": "yes"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                format!("/v1/outcomes/{}", ids[1]),
                json!({"hired": true, "bonus": 1}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "/v1/outcomes/no-such-interview".to_string(),
                json!({"hired": true}),
                StatusCode::NOT_FOUND,
            ),
        ] {
            let (s, b) = p
                .call(p.request(Method::PUT, &path, Some(&p.f.admin)).json(&body))
                .await;
            assert_eq!(s, status, "{path} {body}: {b}");
        }
        let (s, r) = p
            .get(&format!("/v1/insights/validity?role={role}"), &p.f.admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let q1 = figure(&r, "Predictive question", "performance_12m");
        assert_eq!(q1["n"], 40, "{r}");
        assert_eq!(q1["rho"], 1.0);
        assert_eq!(
            (q1["lower"].clone(), q1["upper"].clone()),
            (json!(1.0), json!(1.0))
        );
        assert_eq!(q1["verdict"], "predicts");
        let q2 = figure(&r, "Noise question", "performance_12m");
        assert!(q2["rho"].as_f64().is_some_and(|x| x.abs() < 1e-12), "{q2}");
        assert_eq!(q2["verdict"], "does_not_predict");
        assert_eq!(
            figure(&r, "Predictive question", "performance_6m")["verdict"],
            "too_few"
        );
        assert_eq!(
            figure(&r, "Predictive question", "hired")["rho"],
            Value::Null
        );
        assert_eq!(figure(&r, "Total score", "performance_12m")["n"], 40);
        let flagged = r["not_predicting"].to_string();
        assert!(
            flagged.contains("Noise question") && !flagged.contains("Predictive question"),
            "{flagged}"
        );
    }
);

/// The validity report `url` asks for, from a new server on the same
/// database: nothing kept from earlier requests.
async fn from_a_fresh_server(p: &TestPlatform, url: &str) -> Value {
    let state = takes_platform::AppState {
        kept_figures: Default::default(),
        ..p.state.clone()
    };
    let fresh = takes_platform::start(state, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start a fresh server");
    let body: Value = reqwest::Client::new()
        .get(format!("{}{url}", fresh.base_url()))
        .bearer_auth(&p.f.admin)
        .send()
        .await
        .expect("the fresh server answers")
        .json()
        .await
        .expect("json");
    let _ = fresh.stop().await;
    body
}

both_backends!(
    kept_intervals_are_reused_and_never_outlive_a_change,
    |p: TestPlatform| async move {
        let (role, ids) = build(&p).await;
        let put = |id: &str, perf: f64| {
            p.request(Method::PUT, &format!("/v1/outcomes/{id}"), Some(&p.f.admin))
                .json(&json!({"hired": true, "performance_12m": perf}))
        };
        // Performance rises with k mod 3, whatever the scores: intervals
        // that are neither [1, 1] nor empty.
        for (k, id) in ids.iter().enumerate() {
            let (s, b) = p.call(put(id, 1.0 + (k % 3) as f64)).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        }
        let url = format!("/v1/insights/validity?role={role}");
        let (s, first) = p.get(&url, &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        let kept = p.state.kept_figures.validity.len();
        assert!(kept > 0, "the intervals drawn are kept");
        // Asked again: the same figures, from what was kept.
        let (_, again) = p.get(&url, &p.f.admin).await;
        assert_eq!(again, first);
        assert_eq!(p.state.kept_figures.validity.len(), kept);
        assert_eq!(from_a_fresh_server(&p, &url).await, first);
        // One outcome changes: the figures are drawn again, and equal what
        // a server that kept nothing computes.
        let (s, b) = p.call(put(&ids[0], 5.0)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let (_, changed) = p.get(&url, &p.f.admin).await;
        assert_ne!(changed, first, "the new outcome shows");
        assert!(p.state.kept_figures.validity.len() > kept);
        assert_eq!(from_a_fresh_server(&p, &url).await, changed);
    }
);
