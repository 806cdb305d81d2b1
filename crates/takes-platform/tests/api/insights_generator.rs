//! The insights benchmark's generator (`seed::insights_org`, used by
//! `cargo xtask bench insights` at 100,000 interviews) at a small scale:
//! the rows it says it wrote are in the database, they have the shape it
//! promises (several roles, departments and question-set versions, panels
//! with muted and final ratings, decisions, outcomes, invitations,
//! self-identification, calibration), and every insights request answers
//! over them with every common filter.

use serde_json::Value;
use sqlx::Row;
use takes_platform::clock::{rfc3339, DAY};
use takes_platform::seed::insights_org;
use takes_platform::{Clock, StorageOptions};

use crate::support::{fresh_database, Backend};

async fn check(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(backend, dir.path()).await;
    let state = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.path().join("media")),
    }
    .open(Clock::System)
    .await
    .expect("open");
    let org = insights_org::build(&state, 300, 7).await.expect("build");
    let c = org.counts.clone();

    let count = |sql: &'static str| {
        let pool = state.db.pool.clone();
        async move {
            let n: i64 = sqlx::query(sql).fetch_one(&pool).await.expect(sql).get(0);
            usize::try_from(n).expect("a count")
        }
    };
    // Twelve roles, one interview per role and week over 25 weeks.
    assert_eq!(org.weeks, 25);
    assert_eq!(c.interviews, 300);
    assert_eq!(count("SELECT COUNT(*) FROM interviews").await, c.interviews);
    assert_eq!(count("SELECT COUNT(*) FROM responses").await, c.responses);
    assert_eq!(
        count("SELECT COUNT(*) FROM assignments").await,
        c.assignments
    );
    assert_eq!(count("SELECT COUNT(*) FROM scores").await, c.scores);
    assert_eq!(count("SELECT COUNT(*) FROM decisions").await, c.decisions);
    assert_eq!(count("SELECT COUNT(*) FROM outcomes").await, c.outcomes);
    assert_eq!(
        count("SELECT COUNT(*) FROM invitations").await,
        c.invitations
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM self_identifications").await,
        c.self_identifications
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM calibration_sessions").await,
        c.calibration_sessions
    );
    // The promised shape: every interview invited; completed ones (about
    // two in three) answered all six questions and were reviewed by two to
    // six of the panel on every question, and decided.
    let completed = count("SELECT COUNT(*) FROM interviews WHERE completed_at IS NOT NULL").await;
    assert_eq!(c.invitations, c.interviews);
    assert!(
        (150..=250).contains(&completed),
        "{completed} of 300 completed"
    );
    assert!(c.responses >= completed * 6, "{c:?}");
    assert_eq!(c.decisions, completed);
    assert!(
        c.assignments >= completed * 2 && c.assignments <= completed * 6,
        "{c:?}"
    );
    assert_eq!(c.scores, c.assignments * 6);
    assert_eq!(
        count("SELECT COUNT(*) FROM scores WHERE muted_rating IS NULL").await,
        0
    );
    assert!(c.outcomes > 0 && c.self_identifications > 0, "{c:?}");
    assert_eq!(c.calibration_sessions, 24, "one per question set");
    assert_eq!(org.role_ids.len(), 12);
    assert_eq!(
        count("SELECT COUNT(DISTINCT department) FROM job_roles").await,
        4
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT question_set_id) FROM interviews").await,
        24,
        "two versions of every role's set in use"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM question_sets WHERE version = 2").await,
        12
    );

    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("start");
    let http = reqwest::Client::new();
    let now = state.clock.now();
    let filters = [
        String::new(),
        format!("role={}", org.role_ids[0]),
        format!("department={}", org.departments[0]),
        format!(
            "since={}&until={}",
            rfc3339(now - 90 * DAY),
            rfc3339(now - 30 * DAY)
        ),
    ];
    for path in [
        "funnel",
        "turnaround",
        "scores",
        "shift",
        "reliability",
        "validity",
        "adverse-impact",
        "alerts",
        "me",
    ] {
        let token = if path == "me" {
            &org.reviewer_token
        } else {
            &org.recruiter_token
        };
        for filter in &filters {
            if path == "alerts" && filter.starts_with("since") {
                continue;
            }
            let url = format!(
                "{}/v1/insights/{path}?{}",
                server.base_url(),
                filter.replace(':', "%3A")
            );
            let r = http.get(&url).bearer_auth(token).send().await.expect("get");
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let body: Value = r.json().await.expect("json");
            if path == "funnel" && filter.is_empty() {
                assert_eq!(
                    body["total"][0]["count"].as_u64(),
                    Some(c.interviews as u64),
                    "{}",
                    body["total"]
                );
            }
            if path == "funnel" && filter.starts_with("role") {
                assert_eq!(body["total"][0]["count"].as_u64(), Some(25), "one a week");
            }
        }
    }
    let _ = server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generator_writes_what_it_promises_and_insights_answer_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generator_writes_what_it_promises_and_insights_answer_postgres() {
    check(Backend::Postgres).await;
}
