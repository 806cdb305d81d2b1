//! Issue 15's "done when" for the data: in `takes demo` every insights
//! figure has something to show, and the planted completion drop has its
//! alert, listed by the API and sent when the demo starts.

use serde_json::Value;
use takes_platform::{Clock, StorageOptions};

use crate::support::{fresh_database, Backend};

fn non_empty(v: &Value, field: &str) -> usize {
    v[field].as_array().map_or(0, Vec::len)
}

async fn check(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(backend, dir.path()).await;
    let storage = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.path().join("media")),
    };
    let state = storage.open(Clock::System).await.expect("open");
    let report = takes_platform::seed::demo::load(&state)
        .await
        .expect("seed");
    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("start");
    let token = |role: &str| {
        report
            .users
            .iter()
            .find(|u| u.role == role)
            .map(|u| u.token.clone())
            .expect("a demo user")
    };
    let http = reqwest::Client::new();
    let get = |path: &str, token: String| {
        let req = http
            .get(format!("{}{path}", server.base_url()))
            .bearer_auth(token);
        let path = path.to_string();
        async move {
            let r = req.send().await.expect("get");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.expect("json")
        }
    };
    let recruiter = token("recruiter");

    let funnel = get("/v1/insights/funnel", recruiter.clone()).await;
    assert!(
        funnel["total"][0]["count"].as_i64() > Some(1000),
        "{}",
        funnel["total"]
    );
    for field in ["by_role", "by_department", "by_week", "drop_off"] {
        assert!(non_empty(&funnel, field) > 0, "funnel {field}");
    }
    assert!(non_empty(&funnel, "by_week") >= 52, "a year of weeks");

    let turnaround = get("/v1/insights/turnaround", recruiter.clone()).await;
    let panel = turnaround["by_reviewer"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(panel.len() >= 4, "{turnaround}");
    assert!(
        panel
            .iter()
            .any(|r| r["label"] == "Morgan Lee" && r["assignments"].as_i64() > Some(100)),
        "{turnaround}"
    );
    assert!(
        turnaround["to_decision_h"]["n"].as_i64() > Some(100),
        "{}",
        turnaround["to_decision_h"]
    );

    let scores = get("/v1/insights/scores", recruiter.clone()).await;
    for field in [
        "by_question",
        "by_competency",
        "by_role",
        "by_version",
        "leniency",
        "halo",
    ] {
        assert!(non_empty(&scores, field) > 0, "scores {field}");
    }

    // Ada Mensah's ratings move when the sound comes on: of the history's
    // panel (hundreds of ratings each) she alone stands out upwards, and
    // her shift is the panel's largest.
    let shift = get("/v1/insights/shift", recruiter.clone()).await;
    let panel: Vec<&Value> = shift["by_reviewer"]
        .as_array()
        .expect("by_reviewer")
        .iter()
        .filter(|s| s["n"].as_i64() > Some(500))
        .collect();
    assert_eq!(panel.len(), 4, "{}", shift["by_reviewer"]);
    let up: Vec<&str> = panel
        .iter()
        .filter(|s| s["stands_out"] == true && s["z"].as_f64() > Some(0.0))
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(up, vec!["Ada Mensah"], "{}", shift["by_reviewer"]);
    assert!(non_empty(&shift, "by_question") > 0);

    let reliability = get("/v1/insights/reliability", recruiter.clone()).await;
    let sets = reliability["question_sets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(sets.len(), 4, "{reliability}");
    for s in &sets {
        let quarters = s["quarters"].as_array().cloned().unwrap_or_default();
        assert!(quarters.len() >= 4, "{s}");
        assert!(
            quarters
                .iter()
                .all(|q| q["reliability"]["alpha_ordinal"].as_f64() > Some(0.4)),
            "{s}"
        );
        // The current quarter mixes in the demo reviewers, so not every
        // unit there has all raters; the history's quarters do.
        assert!(
            quarters
                .iter()
                .filter(|q| q["reliability"]["icc2_1"].is_number())
                .count()
                >= 3,
            "{s}"
        );
    }

    // The history's candidates answered the voluntary questions too (the
    // demo's pattern asks no veteran status), so each answered category
    // shows groups at the review stage, with scores.
    let impact = get("/v1/insights/adverse-impact", recruiter.clone()).await;
    let categories = impact["categories"].as_array().cloned().unwrap_or_default();
    for name in ["gender", "ethnicity", "age_40_or_over", "disability"] {
        let c = categories
            .iter()
            .find(|c| c["category"] == name)
            .unwrap_or_else(|| panic!("no {name}: {impact}"));
        let review = c["stages"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["stage"] == "review"))
            .unwrap_or_else(|| panic!("no review stage: {c}"));
        assert!(review["groups"].as_array().map_or(0, Vec::len) >= 2, "{c}");
        assert!(c["scores"].as_array().map_or(0, Vec::len) >= 2, "{c}");
    }

    let validity = get("/v1/insights/validity", recruiter.clone()).await;
    let figures = validity["figures"].as_array().cloned().unwrap_or_default();
    for outcome in ["hired", "performance_6m", "performance_12m"] {
        assert!(
            figures.iter().any(|f| f["outcome"] == outcome
                && f["key"] == "total"
                && f["n"].as_i64() >= Some(10)),
            "{outcome}: {validity}"
        );
    }

    let alerts = get("/v1/insights/alerts", recruiter.clone()).await;
    let fired = alerts["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(fired.len(), 1, "{alerts}");
    assert_eq!(fired[0]["title"], "Customer Success Engineer");
    assert!(
        fired[0]["changes"]
            .to_string()
            .contains("completion window 72 h became 48 h"),
        "{}",
        fired[0]
    );
    // Sent when the demo started: one episode, one email to the recruiter.
    {
        use sqlx::Row;
        let n = |sql: &'static str| {
            let pool = state.db.pool.clone();
            async move {
                sqlx::query(sql)
                    .fetch_one(&pool)
                    .await
                    .expect(sql)
                    .get::<i64, _>(0)
            }
        };
        assert_eq!(
            n("SELECT COUNT(*) FROM insight_alerts WHERE resolved_at IS NULL").await,
            1
        );
        assert_eq!(
            n("SELECT COUNT(*) FROM email_outbox WHERE kind = 'completion_dropped' AND to_address = 'dana.brooks@example.com'").await,
            1
        );
        // The history is decided work of the panel: the demo reviewers'
        // queues hold only the demo's own (undecided) interviews.
        assert_eq!(
            n("SELECT COUNT(*) FROM assignments a JOIN users u ON u.id = a.reviewer_id \
               WHERE u.role = 'reviewer' AND a.interview_id IN (SELECT interview_id FROM decisions)").await,
            0
        );
    }

    let me = get("/v1/insights/me", token("reviewer")).await;
    assert!(me["turnaround"]["assignments"].as_i64() > Some(0), "{me}");
    let _ = server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_insight_has_demo_data_and_the_drop_alert_is_listed_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_insight_has_demo_data_and_the_drop_alert_is_listed_postgres() {
    check(Backend::Postgres).await;
}
