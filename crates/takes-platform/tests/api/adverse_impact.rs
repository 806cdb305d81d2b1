//! Adverse impact over HTTP on a small hand-built data set, on both
//! databases. Every expected value is worked out in the comments, not by
//! the code under test.
//!
//! Role "Field Engineer" (Operations), one question (1..5), every
//! interview invited 10 days ago and completed; the latest decision and the
//! candidate's self-identified gender:
//!
//! | gender | completed | advance | reject | scored (one submitted review) |
//! |---|---|---|---|---|
//! | woman | 10 | 5 | 5 | all 10: 4 for the advanced, 2 for the rejected |
//! | man | 14 | 9 | 5 | none |
//! | non_binary | 3 | 3 | 0 | none |
//! | prefer_not_to_say | 4 | 0 | 4 | none |
//!
//! Review stage (completed -> advanced): woman 5/10 = 0.5, man 9/14 =
//! 0.642857 (the reference, highest); impact ratio 0.5 / (9/14) = 7/9 =
//! 0.7778 < 0.8: below four fifths. Decision stage (advance vs reject):
//! the same counts, as every interview was decided.
//!
//! Fisher's exact test on [[5, 5], [9, 5]] (rows woman/man, columns
//! advanced/not): n = 24, 14 advanced; P(a) = C(10,a) C(14,14−a) / C(24,14)
//! with C(24,14) = 1961256 and C(10,a) C(14,a) for a = 0..10:
//! 1, 140, 4095, 43680, 210210, 504504 (observed), 630630, 411840, 135135,
//! 20020, 1001. Every table but a = 6 is at most as likely as the observed
//! one, so p = (1961256 − 630630) / 1961256 = 1330626 / 1961256 = 0.678455.
//!
//! Non-binary (3 people) is below the minimum of 5: suppressed, never
//! named. "Prefer not to say" is no group. Scores: women's means are five
//! 4s and five 2s: mean 3, median (2 + 4) / 2 = 3, p90 = 4, max 4.

use reqwest::StatusCode;
use serde_json::Value;
use takes_api::UserRole;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::assignments::{score, NewScore};
use takes_platform::store::{assignments, decisions, interviews, roles, self_identification};

use crate::both_backends;
use crate::support::{loopback_config, Backend, TestPlatform};

async fn build(p: &TestPlatform) -> String {
    use sqlx::Row;
    let state = &p.state;
    let now = state.clock.now();
    let t0 = now - 10 * DAY;
    let admin: String = sqlx::query("SELECT id FROM users WHERE name = 'Ada Admin'")
        .fetch_one(&state.db.pool)
        .await
        .expect("admin")
        .get(0);
    let (rev, _) =
        takes_platform::auth::issue_token(&state.db, now, "Ira Impact", UserRole::Reviewer, "t")
            .await
            .expect("token");
    let mut w = state.db.begin_write().await.expect("begin");
    let tx = &mut *w.tx;
    let role = roles::role(tx, now, "Field Engineer", "Operations")
        .await
        .expect("role");
    let set = roles::question_set(tx, now, &role, "Field screen", 1)
        .await
        .expect("set");
    let rubric = crate::support::rubric();
    let q = roles::question(
        tx,
        &set,
        roles::NewQuestion {
            position: 1,
            prompt: "Fix a pump",
            competency: "Craft",
            time_limit_s: 60,
            rubric: &rubric,
        },
    )
    .await
    .expect("question");
    // (gender, completed, advanced, rejected, scored)
    let groups = [
        ("woman", 10, 5, 5, true),
        ("man", 14, 9, 5, false),
        ("non_binary", 3, 3, 0, false),
        ("prefer_not_to_say", 4, 0, 4, false),
    ];
    let mut k = 0;
    for (gender, n, advanced, rejected, scored) in groups {
        for i in 0..n {
            k += 1;
            let cand = interviews::candidate(tx, now, &format!("C{k}"), "c@example.com")
                .await
                .expect("candidate");
            let iv = interviews::interview(
                tx,
                interviews::NewInterview {
                    candidate_id: &cand,
                    role_id: &role,
                    question_set_id: &set,
                    status: "completed",
                    invited_at: t0,
                    expires_at: t0 + 100 * HOUR,
                    started_at: Some(t0 + HOUR),
                    completed_at: Some(t0 + 2 * HOUR),
                },
            )
            .await
            .expect("interview");
            self_identification::replace(tx, &iv, "v1", &[("gender".into(), gender.into())], now)
                .await
                .expect("self-identification");
            let action = if i < advanced {
                Some(takes_api::DecisionAction::Advance)
            } else if i < advanced + rejected {
                Some(takes_api::DecisionAction::Reject)
            } else {
                None
            };
            if let Some(a) = action {
                decisions::insert(tx, &iv, a, None, &admin, t0 + 5 * HOUR)
                    .await
                    .expect("decision");
            }
            if scored {
                let at = t0 + 3 * HOUR;
                let id = assignments::assignment(tx, &iv, &rev, at, at + DAY, Some(at + HOUR))
                    .await
                    .expect("assignment");
                let rating = if i < advanced { 4 } else { 2 };
                score(
                    tx,
                    NewScore {
                        assignment_id: &id,
                        question_id: &q,
                        rating,
                        muted_rating: None,
                        note: None,
                        at,
                    },
                )
                .await
                .expect("score");
            }
        }
    }
    w.commit().await.expect("commit");
    role
}

fn close(v: &Value, expected: f64, tolerance: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < tolerance)
}

fn find<'a>(v: &'a Value, key: &str, name: &str) -> &'a Value {
    v.as_array()
        .and_then(|a| a.iter().find(|x| x[key] == name))
        .unwrap_or(&Value::Null)
}

both_backends!(
    rates_ratios_fisher_and_scores_by_hand,
    |p: TestPlatform| async move {
        let role = build(&p).await;
        let (s, r) = p
            .get(
                &format!("/v1/insights/adverse-impact?role={role}"),
                &p.f.admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["min_cell_size"], 5);
        let gender = find(&r["categories"], "category", "gender");
        for stage in ["review", "decision"] {
            let st = find(&gender["stages"], "stage", stage);
            assert_eq!(st["reference_group"], "man", "{stage}: {r}");
            assert_eq!(st["suppressed_groups"], 1, "{stage}: non-binary");
            let man = find(&st["groups"], "group", "man");
            assert_eq!(
                (man["total"].clone(), man["selected"].clone()),
                (14.into(), 9.into())
            );
            assert!(close(&man["selection_rate"], 9.0 / 14.0, 1e-12));
            assert!(close(&man["impact_ratio"], 1.0, 1e-12));
            assert!(man["fisher_p"].is_null());
            let woman = find(&st["groups"], "group", "woman");
            assert_eq!(
                (woman["total"].clone(), woman["selected"].clone()),
                (10.into(), 5.into())
            );
            assert!(close(&woman["selection_rate"], 0.5, 1e-12));
            assert!(close(&woman["impact_ratio"], 7.0 / 9.0, 1e-12), "{woman}");
            assert_eq!(woman["below_four_fifths"], true);
            assert!(
                close(&woman["fisher_p"], 1_330_626.0 / 1_961_256.0, 1e-9),
                "{woman}"
            );
            assert_eq!(st["groups"].as_array().map(Vec::len), Some(2));
        }
        let scores = &gender["scores"];
        assert_eq!(scores.as_array().map(Vec::len), Some(1), "{scores}");
        assert_eq!(scores[0]["group"], "woman");
        assert!(close(&scores[0]["mean"], 3.0, 1e-12));
        assert!(close(&scores[0]["percentiles"]["p50"], 3.0, 1e-12));
        assert!(close(&scores[0]["percentiles"]["max"], 4.0, 1e-12));
        assert_eq!(scores[0]["percentiles"]["n"], 10);
        // Suppressed and undisclosed groups are never named.
        let text = r.to_string();
        assert!(
            !text.contains("non_binary") && !text.contains("prefer_not_to_say"),
            "{text}"
        );
        assert!(
            r["notes"].as_array().is_some_and(|n| n.iter().any(|x| x
                .as_str()
                .unwrap_or("")
                .contains("gender, review stage: 1 group"))),
            "{r}"
        );

        // Reviewers never see it; a recruiter of none of the role's
        // candidates sees no group; a bad filter is named.
        let (s, e) = p
            .get("/v1/insights/adverse-impact", &p.f.reviewers[0])
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, r) = p.get("/v1/insights/adverse-impact", &p.f.recruiter).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert!(!r.to_string().contains("\"woman\""), "{r}");
        let (s, e) = p
            .get("/v1/insights/adverse-impact?since=yesterday", &p.f.admin)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "since");
    }
);

async fn suppressed_below_a_configured_minimum(backend: Backend) {
    let mut config = loopback_config();
    config.adverse_impact.min_cell_size = 15;
    let p = TestPlatform::start_with(backend, config).await;
    let role = build(&p).await;
    let (s, r) = p
        .get(
            &format!("/v1/insights/adverse-impact?role={role}"),
            &p.f.admin,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["min_cell_size"], 15);
    // With 15 as the minimum every group (10, 14 and 3 people) is hidden:
    // three suppressed at each stage, no score distribution, no name.
    let gender = find(&r["categories"], "category", "gender");
    for st in gender["stages"].as_array().expect("stages") {
        assert_eq!(st["groups"].as_array().map(Vec::len), Some(0), "{st}");
        assert_eq!(st["suppressed_groups"], 3);
        assert!(st["reference_group"].is_null());
    }
    assert_eq!(gender["scores"].as_array().map(Vec::len), Some(0));
    assert_eq!(gender["suppressed_score_groups"], 1);
    let text = r.to_string();
    for name in ["\"woman\"", "\"man\"", "non_binary"] {
        assert!(!text.contains(name), "{name} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppression_sqlite() {
    suppressed_below_a_configured_minimum(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppression_postgres() {
    suppressed_below_a_configured_minimum(Backend::Postgres).await;
}

/// The demo gives some candidates self-identification, and the figure
/// shows at least one group with all its cells large enough.
async fn demo_has_self_identification(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, _report) = crate::demo_fixture::demo(backend, dir.path()).await;
    let state = storage
        .open(takes_platform::Clock::System)
        .await
        .expect("open");
    let mut conn = state.db.pool.acquire().await.expect("conn");
    use sqlx::Row;
    let answered: i64 =
        sqlx::query("SELECT COUNT(DISTINCT interview_id) FROM self_identifications")
            .fetch_one(&mut *conn)
            .await
            .expect("count")
            .get(0);
    let completed: i64 =
        sqlx::query("SELECT COUNT(*) FROM interviews WHERE completed_at IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .expect("count")
            .get(0);
    // Five of every six completed interviews answered (one in six skipped).
    assert!(
        answered > 0 && answered < completed,
        "{answered} of {completed}"
    );
    let scope = takes_platform::store::insights::Scope {
        all_roles: true,
        user_id: String::new(),
        role_id: String::new(),
        department: String::new(),
        reviewer_id: String::new(),
        from: i64::MIN,
        to: i64::MAX,
    };
    let period = takes_platform::api::insights::Period {
        since: None,
        until: None,
    };
    let r = takes_platform::api::insights::adverse_impact::adverse_impact_report(
        &mut conn, &scope, period, 5,
    )
    .await
    .expect("report");
    let shown = r
        .categories
        .iter()
        .any(|c| !c.scores.is_empty() || c.stages.iter().any(|s| !s.groups.is_empty()));
    assert!(shown, "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_sqlite() {
    demo_has_self_identification(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_postgres() {
    demo_has_self_identification(Backend::Postgres).await;
}
