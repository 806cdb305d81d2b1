//! Process insights over HTTP on a small hand-built data set, on both
//! databases. Every expected value is worked out in the comments from the
//! data below, not from the code under test.
//!
//! Role "Data Analyst" (Analytics), question set of two questions (1..5),
//! all times relative to T0 = now − 30 days, window 100 h:
//!
//! | interview | started | answered | completed | reviews | decided |
//! |---|---|---|---|---|---|
//! | I1 | no | – | – | – | – |
//! | I2 | T0+1h | q1 | – | – | – |
//! | I3 | T0+2h | q1, q2 | T0+95h | A (submitted T0+99h, first score T0+97h), B (T0+105h, first T0+101h) | T0+120h |
//! | I4 | T0+3h | q1, q2 | T0+10h | A (T0+12h, first T0+11h), C pending, due T0+20h | – |
//!
//! Ratings (final / muted): I3 A q1 4/3, q2 5/4; I3 B q1 2/2, q2 3/3;
//! I4 A q1 3/3, q2 3/–.

use reqwest::StatusCode;
use serde_json::Value;
use takes_platform::store::board::writes;

use crate::both_backends;
use crate::insights_data::{self, Data};
use crate::support::TestPlatform;

async fn build(p: &TestPlatform) -> Data {
    use sqlx::Row;
    let admin: String = sqlx::query("SELECT id FROM users WHERE name = 'Ada Admin'")
        .fetch_one(&p.state.db.pool)
        .await
        .expect("admin")
        .get(0);
    insights_data::build(&p.state, &admin).await
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

fn stage<'a>(stages: &'a Value, name: &str) -> &'a Value {
    stages
        .as_array()
        .and_then(|s| s.iter().find(|x| x["stage"] == name))
        .unwrap_or(&Value::Null)
}

both_backends!(
    funnel_counts_rates_drop_off_and_window,
    |p: TestPlatform| async move {
        let d = build(&p).await;
        let (s, f) = p
            .get(&format!("/v1/insights/funnel?role={}", d.role), &p.f.admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        // invited 4, started 3 (I2-I4), completed 2 (I3, I4), reviewed 2 (a
        // submitted review on I3 and on I4), decided 1 (I3).
        let t = &f["total"];
        for (name, n) in [
            ("invited", 4),
            ("started", 3),
            ("completed", 2),
            ("reviewed", 2),
            ("decided", 1),
        ] {
            assert_eq!(stage(t, name)["count"], n, "{name}: {f}");
        }
        // started/invited 3/4; completed/started 2/3; decided/invited 1/4.
        assert!(close(&stage(t, "started")["rate_from_previous"], 0.75));
        assert!(close(
            &stage(t, "completed")["rate_from_previous"],
            2.0 / 3.0
        ));
        assert!(close(&stage(t, "decided")["rate_from_invited"], 0.25));
        assert_eq!(f["by_role"][0]["label"], "Data Analyst");
        assert_eq!(f["by_department"][0]["key"], "Analytics");
        assert_eq!(
            f["by_week"].as_array().map(Vec::len),
            Some(1),
            "one invitation week"
        );
        // Drop-off: 3 started; q1 answered by I2, I3, I4 = 3 (abandoned 0);
        // q2 by I3, I4 = 2 (abandoned 1, 1/3 of starters).
        let q = &f["drop_off"][0]["questions"];
        assert_eq!(f["drop_off"][0]["started"], 3);
        assert_eq!(
            (q[0]["answered"].clone(), q[0]["abandoned"].clone()),
            (3.into(), 0.into())
        );
        assert_eq!(
            (q[1]["answered"].clone(), q[1]["abandoned"].clone()),
            (2.into(), 1.into())
        );
        assert!(close(&q[1]["share_of_starters"], 1.0 / 3.0));
        // Window 100 h: I3 used 0.95, I4 0.10 -> last tenth 1/2; hours 95
        // and 10 -> median 52.5.
        assert!(close(&f["window"]["last_tenth_share"], 0.5));
        assert!(close(&f["window"]["hours_to_complete"]["p50"], 52.5));
    }
);

both_backends!(
    turnaround_percentiles_and_overdue,
    |p: TestPlatform| async move {
        let d = build(&p).await;
        let (s, t) = p
            .get(
                &format!("/v1/insights/turnaround?role={}", d.role),
                &p.f.admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let who = |name: &str| {
            t["by_reviewer"]
                .as_array()
                .and_then(|r| r.iter().find(|x| x["label"] == name))
                .cloned()
                .unwrap_or(Value::Null)
        };
        // Ann: first score 97-95 = 2 h and 11-10 = 1 h -> median 1.5;
        // submitted 99-95 = 4 h and 12-10 = 2 h -> median 3.
        let ann = who("Ann Analyst");
        assert_eq!(ann["assignments"], 2);
        assert!(close(&ann["to_first_score_h"]["p50"], 1.5));
        assert!(close(&ann["to_submitted_h"]["p50"], 3.0));
        // Ben: 101-95 = 6 h, 105-95 = 10 h.
        assert!(close(&who("Ben Brown")["to_submitted_h"]["max"], 10.0));
        // Cy: pending since T0+10h, due T0+20h, now is T0+30d: overdue.
        let cy = who("Cy Clark");
        assert_eq!(
            (cy["overdue"].clone(), cy["to_submitted_h"]["n"].clone()),
            (1.into(), 0.into())
        );
        // The role: first scores 2, 6, 1 -> median 2; submitted 4, 10, 2 ->
        // median 4; 4 assignments, 1 overdue.
        let role = &t["by_role"][0];
        assert_eq!(
            (role["assignments"].clone(), role["overdue"].clone()),
            (4.into(), 1.into())
        );
        assert!(close(&role["to_first_score_h"]["p50"], 2.0));
        assert!(close(&role["to_submitted_h"]["p50"], 4.0));
        // Decision on I3 at T0+120h, completed T0+95h: 25 h.
        assert!(close(&t["to_decision_h"]["p50"], 25.0));
    }
);

both_backends!(scores_leniency_and_shift, |p: TestPlatform| async move {
    let d = build(&p).await;
    let (s, sc) = p
        .get(&format!("/v1/insights/scores?role={}", d.role), &p.f.admin)
        .await;
    assert_eq!(s, StatusCode::OK, "{sc}");
    // Submitted ratings of q1 ("Analysis"): 4, 2, 3 -> mean 3, counts on
    // 1..5 = 0 1 1 1 0.
    let analysis = sc["by_competency"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["key"] == "Analysis"))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(close(&analysis["mean"], 3.0), "{sc}");
    let counts: Vec<i64> = analysis["counts"]
        .as_array()
        .map(|c| c.iter().filter_map(|x| x["count"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(counts, [0, 1, 1, 1, 0]);
    // Leniency: the answers both Ann and Ben rated are I3 q1 (4 vs 2) and
    // q2 (5 vs 3): Ann +2, +2 -> mean 2 (interval [2, 2], no spread);
    // Ben -2.
    let len = |name: &str| {
        sc["leniency"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["reviewer"] == name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert!(close(&len("Ann Analyst")["mean_deviation"], 2.0));
    assert!(close(&len("Ann Analyst")["lower"], 2.0));
    assert!(close(&len("Ben Brown")["mean_deviation"], -2.0));
    let (s, sh) = p
        .get(&format!("/v1/insights/shift?role={}", d.role), &p.f.admin)
        .await;
    assert_eq!(s, StatusCode::OK, "{sh}");
    // Ann's muted pairs: 3->4, 4->5, 3->3 (q2 of I4 had no muted rating):
    // n 3, mean 2/3, changed 2/3, 2 up. Ben: 2->2, 3->3: no change.
    let ann = sh["by_reviewer"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["key"] == "Ann Analyst"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        (ann["n"].clone(), ann["up"].clone(), ann["down"].clone()),
        (3.into(), 2.into(), 0.into())
    );
    assert!(close(&ann["mean_shift"], 2.0 / 3.0));
    // Fewer than five pairs never stand out.
    assert_eq!(ann["stands_out"], false);
    let (s, r) = p
        .get(
            &format!("/v1/insights/reliability?role={}", d.role),
            &p.f.admin,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // One question set; I3 and I4 counted once each, in the quarter of
    // their last review (one quarter unless a boundary falls in between).
    assert_eq!(r["question_sets"].as_array().map(Vec::len), Some(1), "{r}");
    let quarters = r["question_sets"][0]["quarters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        quarters
            .iter()
            .filter_map(|q| q["interviews"].as_i64())
            .sum::<i64>(),
        2,
        "{r}"
    );
});

both_backends!(
    recruiters_see_their_roles_and_reviewers_only_themselves,
    |p: TestPlatform| async move {
        let d = build(&p).await;
        let path = format!("/v1/insights/funnel?role={}", d.role);
        // Rita does not recruit for Data Analyst: nothing of it.
        let (s, f) = p.get(&path, &p.f.recruiter).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(stage(&f["total"], "invited")["count"], 0);
        let rita: String = {
            use sqlx::Row;
            sqlx::query("SELECT id FROM users WHERE name = 'Rita Recruiter'")
                .fetch_one(&p.state.db.pool)
                .await
                .expect("rita")
                .get(0)
        };
        let mut c = p.state.db.pool.acquire().await.expect("conn");
        writes::add_recruiter(&mut c, p.state.clock.now(), &d.role, &rita)
            .await
            .expect("add");
        drop(c);
        let (_, f) = p.get(&path, &p.f.recruiter).await;
        assert_eq!(stage(&f["total"], "invited")["count"], 4);
        for what in ["funnel", "turnaround", "scores", "shift", "reliability"] {
            let (s, body) = p.get(&format!("/v1/insights/{what}"), &d.a).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{what}: {body}");
        }
        // Ann's own figures: leniency +2 and shift 2/3 as above; turnaround
        // median to submission 3 h.
        let (s, me) = p.get("/v1/insights/me", &d.a).await;
        assert_eq!(s, StatusCode::OK, "{me}");
        assert!(close(&me["leniency"]["mean_deviation"], 2.0), "{me}");
        assert!(close(&me["shift"]["mean_shift"], 2.0 / 3.0));
        assert!(close(&me["turnaround"]["to_submitted_h"]["p50"], 3.0));
        assert_eq!(me["turnaround"]["label"], "Ann Analyst");
        // Cy has one pending assignment and no ratings: overdue 1, no figures.
        let (_, me) = p.get("/v1/insights/me", &d.c).await;
        assert_eq!(me["turnaround"]["overdue"], 1);
        assert_eq!(
            (me["leniency"].clone(), me["shift"].clone()),
            (Value::Null, Value::Null)
        );
    }
);

both_backends!(bad_filters_name_the_field, |p: TestPlatform| async move {
    for (query, field) in [
        ("since=yesterday", "since"),
        (
            "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
            "until",
        ),
        ("role=a%00b", "role"),
    ] {
        let (s, body) = p
            .get(&format!("/v1/insights/funnel?{query}"), &p.f.admin)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body.to_string().contains(field), "{query}: {body}");
    }
});
