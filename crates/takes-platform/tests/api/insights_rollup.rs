//! The submitted ratings rollup (`store/insights/rollup/`) follows every
//! write the figures depend on, on both databases: after it is warm, a new
//! submission, a withdrawal that deletes submitted scores, a renamed
//! reviewer or question and a role moved to another department all show in
//! the next request, and every rating figure equals what a fresh server
//! (its rollup cold) computes from the same database.
//!
//! Data: `insights_data` (Ann and Ben on I3, Ann on I4: six ratings of
//! role "Data Analyst", department Analytics) plus the fixture's interview.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;
use takes_platform::store::board::writes;
use takes_platform::store::insights::rollup::Rollup;
use takes_platform::AppState;

use crate::both_backends;
use crate::insights_data::{self, Data};
use crate::support::TestPlatform;

async fn admin_id(p: &TestPlatform) -> String {
    sqlx::query("SELECT id FROM users WHERE name = 'Ada Admin'")
        .fetch_one(&p.state.db.pool)
        .await
        .expect("admin")
        .get(0)
}

async fn ok(p: &TestPlatform, path: &str, token: &str) -> Value {
    let (s, v) = p.get(path, token).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// Ratings counted over `by_question`.
fn ratings(scores: &Value) -> i64 {
    scores["by_question"]
        .as_array()
        .map(|qs| qs.iter().filter_map(|q| q["n"].as_i64()).sum())
        .unwrap_or(-1)
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x["label"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every rating request, with every filter, as this server answers it
/// and as a new server on the same database (its rollup cold, no figures
/// kept) answers it.
async fn same_as_a_fresh_server(p: &TestPlatform, d: &Data, department: &str) {
    let state = AppState {
        ratings: Arc::new(Rollup::new()),
        kept_figures: Default::default(),
        ..p.state.clone()
    };
    let fresh = takes_platform::start(state, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start a fresh server");
    let http = reqwest::Client::new();
    let filters = [
        String::new(),
        format!("role={}", d.role),
        format!("department={department}"),
        "since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z".to_string(),
        "since=2100-01-01T00:00:00Z".to_string(),
    ];
    for path in ["scores", "shift", "reliability", "me"] {
        let token = if path == "me" { &d.a } else { &p.f.admin };
        for filter in &filters {
            let url = format!("/v1/insights/{path}?{filter}");
            let warm = ok(p, &url, token).await;
            let cold: Value = http
                .get(format!("{}{url}", fresh.base_url()))
                .bearer_auth(token)
                .send()
                .await
                .expect("fresh server answers")
                .json()
                .await
                .expect("json");
            assert_eq!(warm, cold, "{url}: the warm rollup differs from a cold one");
        }
    }
    let _ = fresh.stop().await;
}

both_backends!(
    rollup_follows_submissions_withdrawals_renames_and_departments,
    |p: TestPlatform| async move {
        let admin = admin_id(&p).await;
        let d = insights_data::build(&p.state, &admin).await;
        let token = p.f.admin.clone();
        // Warm: six ratings of the data set (the fixture has none submitted).
        let scores = ok(&p, "/v1/insights/scores", &token).await;
        assert_eq!(ratings(&scores), 6, "{scores}");
        same_as_a_fresh_server(&p, &d, "Analytics").await;
        let full_loads = p.state.ratings.full_loads();

        // (a) A submission through the API is in the next request, by an
        // append: the rollup is not read again.
        let questions = p.f.questions.len() as i64;
        p.score_all_and_submit(&p.f.reviewers[0], &p.f.assignments[0], 4)
            .await;
        let scores = ok(&p, "/v1/insights/scores", &token).await;
        assert_eq!(ratings(&scores), 6 + questions, "{scores}");
        assert_eq!(p.state.ratings.full_loads(), full_loads, "appended");
        same_as_a_fresh_server(&p, &d, "Analytics").await;

        // (b) Withdrawing Ben's submitted sheet deletes his two scores.
        let ben: String = sqlx::query(
            "SELECT a.id FROM assignments a JOIN users u ON u.id = a.reviewer_id \
             WHERE u.name = 'Ben Brown'",
        )
        .fetch_one(&p.state.db.pool)
        .await
        .expect("Ben's assignment")
        .get(0);
        {
            let mut w = p.state.db.begin_write().await.expect("begin");
            writes::withdraw(&mut w.tx, &ben, &admin, p.state.clock.now())
                .await
                .expect("withdraw");
            w.commit().await.expect("commit");
        }
        let scores = ok(&p, "/v1/insights/scores", &token).await;
        assert_eq!(ratings(&scores), 4 + questions, "{scores}");
        let shift = ok(&p, "/v1/insights/shift", &token).await;
        assert!(
            !labels(&shift["by_reviewer"]).contains(&"Ben Brown".to_string()),
            "{shift}"
        );
        assert!(p.state.ratings.full_loads() > full_loads, "read again");
        same_as_a_fresh_server(&p, &d, "Analytics").await;

        // (c) Renames show at once: labels are never held.
        for sql in [
            "UPDATE users SET name = 'Ann Archer' WHERE name = 'Ann Analyst'",
            "UPDATE questions SET prompt = 'Explain a model, again' WHERE prompt = 'Explain a model'",
        ] {
            sqlx::query(sql)
                .execute(&p.state.db.pool)
                .await
                .expect("rename");
        }
        let shift = ok(&p, "/v1/insights/shift", &token).await;
        assert!(
            labels(&shift["by_reviewer"]).contains(&"Ann Archer".to_string()),
            "{shift}"
        );
        assert!(
            !labels(&shift["by_reviewer"]).contains(&"Ann Analyst".to_string()),
            "{shift}"
        );
        let scores = ok(&p, "/v1/insights/scores", &token).await;
        assert!(
            labels(&scores["by_question"])
                .iter()
                .any(|l| l.ends_with("Q1: Explain a model, again")),
            "{scores}"
        );
        same_as_a_fresh_server(&p, &d, "Analytics").await;

        // (d) The role moves to Research: its four remaining ratings leave
        // the Analytics filter and join Research's.
        sqlx::query("UPDATE job_roles SET department = 'Research' WHERE id = $1")
            .bind(&d.role)
            .execute(&p.state.db.pool)
            .await
            .expect("move the role");
        let analytics = ok(&p, "/v1/insights/scores?department=Analytics", &token).await;
        assert_eq!(ratings(&analytics), 0, "{analytics}");
        let research = ok(&p, "/v1/insights/scores?department=Research", &token).await;
        assert_eq!(ratings(&research), 4, "{research}");
        same_as_a_fresh_server(&p, &d, "Research").await;
    }
);
