//! Shared by the Insights screen's and `takes report`'s tests: a real
//! `takes-platform` on a loopback socket, on a new SQLite or PostgreSQL
//! database, with the insights tests' hand-built data set
//! (`crates/takes-platform/tests/api/insights_data.rs`), and the extra
//! data some tests plant on top: a calibration session, voluntary
//! self-identification with adverse impact, and a planted completion drop.
//!
//! Included with `#[path = "common/insights.rs"] mod insights_env;` by a
//! test that also has `mod cli_support;` (for `fresh_database`).

#![allow(dead_code)]

#[path = "../../crates/takes-platform/tests/api/insights_data.rs"]
pub mod data;

use std::net::SocketAddr;

use sqlx::Row;
use takes_api::{Anchor, DecisionAction, Rubric, UserRole};
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::assignments::{score, NewScore};
use takes_platform::store::{assignments, decisions, interviews, roles, self_identification};
use takes_platform::{AppState, Clock, RunningServer, StorageOptions};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub base: String,
    /// Ada Admin's token and user id.
    pub admin: String,
    pub admin_id: String,
    /// The data set: its role, Ann's token (a reviewer), its interviews.
    pub data: data::Data,
    /// The server's state, for planting more data while it runs.
    pub state: AppState,
    pub server: RunningServer,
}

/// The server with the data set, on `clock`, its database `file` in a new
/// temporary directory (or a new PostgreSQL database).
pub async fn start(postgres: bool, clock: Clock, file: &str) -> Env {
    let dir = tempfile::tempdir().expect("dir");
    let url = crate::cli_support::fresh_database(postgres, dir.path(), file).await;
    let state = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.path().join("media")),
    }
    .open(clock)
    .await
    .expect("open storage");
    let now = state.clock.now();
    let (admin_id, admin) =
        takes_platform::auth::issue_token(&state.db, now, "Ada Admin", UserRole::Admin, "test")
            .await
            .expect("admin token");
    let data = data::build(&state, &admin_id).await;
    let server = takes_platform::start(state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start");
    Env {
        base: server.base_url(),
        admin,
        admin_id,
        data,
        state,
        server,
        dir,
    }
}

async fn user_id(state: &AppState, name: &str) -> String {
    sqlx::query("SELECT id FROM users WHERE name = $1")
        .bind(name)
        .fetch_one(&state.db.pool)
        .await
        .expect("user")
        .get(0)
}

/// A calibration session `title`, closed at `deadline`, on three of the
/// data set's responses, rated (1..5) by Ann Analyst and Ben Brown, both
/// submitted. Ann 1, 2, 3 and Ben 2, 3, 4 agree in order but Ben sits one
/// higher: ICC(2,1) = 2/3 (worked out in
/// `crates/takes-platform/tests/api/insights_calibration.rs`).
pub async fn plant_calibration(state: &AppState, title: &str, deadline: i64) {
    let pool = &state.db.pool;
    let admin = user_id(state, "Ada Admin").await;
    let id = format!("session-{}", title.replace(' ', "-"));
    sqlx::query(
        "INSERT INTO calibration_sessions (id, title, created_by, created_at, deadline_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(title)
    .bind(&admin)
    .bind(deadline - 7 * DAY)
    .bind(deadline)
    .execute(pool)
    .await
    .expect("session");
    let responses = sqlx::query("SELECT id, question_id FROM responses ORDER BY id LIMIT 3")
        .fetch_all(pool)
        .await
        .expect("responses");
    assert_eq!(responses.len(), 3, "the data set has at least 3 responses");
    let mut items = Vec::new();
    for (k, r) in responses.iter().enumerate() {
        let item = format!("{id}-item{k}");
        sqlx::query(
            "INSERT INTO calibration_items (id, session_id, position, response_id, question_id, \
             prompt, competency, time_limit_s, scale_min, scale_max, pass_score, anchors_json) \
             VALUES ($1, $2, $3, $4, $5, 'Tell us', 'Craft', 60, 1, 5, 3, '[]')",
        )
        .bind(&item)
        .bind(&id)
        .bind(k as i64 + 1)
        .bind(r.get::<String, _>(0))
        .bind(r.get::<String, _>(1))
        .execute(pool)
        .await
        .expect("item");
        items.push(item);
    }
    for (name, ratings) in [("Ann Analyst", [1, 2, 3]), ("Ben Brown", [2, 3, 4])] {
        let user = user_id(state, name).await;
        sqlx::query(
            "INSERT INTO calibration_participants (session_id, user_id, updated_at, submitted_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(&user)
        .bind(deadline - DAY)
        .bind(deadline - DAY)
        .execute(pool)
        .await
        .expect("participant");
        for (item, rating) in items.iter().zip(ratings) {
            sqlx::query(
                "INSERT INTO calibration_scores (session_id, item_id, user_id, rating, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&id)
            .bind(item)
            .bind(&user)
            .bind(rating as i64)
            .bind(deadline - DAY)
            .execute(pool)
            .await
            .expect("calibration score");
        }
    }
}

fn rubric() -> Rubric {
    Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: 3,
        anchors: vec![Anchor {
            score: 3,
            label: "Acceptable".into(),
            description: "Acceptable answer".into(),
        }],
    }
}

/// One planted interview: invited at `invited`, its window `window_h`,
/// completed (two hours in) or not.
struct Planted<'a> {
    role: &'a str,
    set: &'a str,
    invited: i64,
    window_h: i64,
    completed: bool,
}

async fn interview(tx: &mut sqlx::AnyConnection, now: i64, k: usize, p: Planted<'_>) -> String {
    let cand = interviews::candidate(tx, now, &format!("P{k}"), "p@example.com")
        .await
        .expect("candidate");
    interviews::interview(
        tx,
        interviews::NewInterview {
            candidate_id: &cand,
            role_id: p.role,
            question_set_id: p.set,
            status: if p.completed {
                "completed"
            } else if p.invited + p.window_h * HOUR <= now {
                "expired"
            } else {
                "invited"
            },
            invited_at: p.invited,
            expires_at: p.invited + p.window_h * HOUR,
            started_at: p.completed.then_some(p.invited + HOUR),
            completed_at: p.completed.then_some(p.invited + 2 * HOUR),
        },
    )
    .await
    .expect("interview")
}

/// Adverse impact, exactly the data set of
/// `crates/takes-platform/tests/api/adverse_impact.rs` (where every
/// figure is worked out by hand): role "Field Engineer", invited 10 days
/// ago, every interview completed and self-identified by gender.
///
/// | gender | completed | advance | reject | scored |
/// |---|---|---|---|---|
/// | woman | 10 | 5 | 5 | all 10: 4 if advanced, 2 if rejected |
/// | man | 14 | 9 | 5 | none |
/// | non_binary | 3 | 3 | 0 | none |
/// | prefer_not_to_say | 4 | 0 | 4 | none |
///
/// Man is the reference (9/14 = 64%); woman 5/10 = 50%, impact ratio 7/9
/// = 0.78, below four fifths, Fisher p 0.678; non-binary (3) is
/// suppressed; women's total scores: mean 3, median 3, p90 4.
pub async fn plant_adverse_impact(state: &AppState) {
    let now = state.clock.now();
    let t0 = now - 10 * DAY;
    let admin = user_id(state, "Ada Admin").await;
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
    let q = roles::question(
        tx,
        &set,
        roles::NewQuestion {
            position: 1,
            prompt: "Fix a pump",
            competency: "Craft",
            time_limit_s: 60,
            rubric: &rubric(),
        },
    )
    .await
    .expect("question");
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
            let p = Planted {
                role: &role,
                set: &set,
                invited: t0,
                window_h: 100,
                completed: true,
            };
            let iv = interview(tx, now, k, p).await;
            self_identification::replace(tx, &iv, "v1", &[("gender".into(), gender.into())], now)
                .await
                .expect("self-identification");
            let action = if i < advanced {
                Some(DecisionAction::Advance)
            } else if i < advanced + rejected {
                Some(DecisionAction::Reject)
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
                let new = NewScore {
                    assignment_id: &id,
                    question_id: &q,
                    rating: if i < advanced { 4 } else { 2 },
                    muted_rating: None,
                    note: None,
                    at,
                };
                score(tx, new).await.expect("score");
            }
        }
    }
    w.commit().await.expect("commit");
}

/// A planted completion drop and a steady role, for the alerts (recent
/// period: windows closed in the last 14 days; baseline: the 56 before).
///
/// "Support Agent": baseline 40 invitations on question set v1 with a
/// 100 h window, 30 completed (75%); recent 40 on v2 with a 48 h window,
/// 10 completed (25%): a drop, and both changes named. One more
/// invitation an hour ago, its window still open: the current week,
/// with no completion yet. "Steady Role": 40 and 40, 30 and 29
/// completed: quiet.
pub async fn plant_drop(state: &AppState) {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await.expect("begin");
    let tx = &mut *w.tx;
    let support = roles::role(tx, now, "Support Agent", "Customer Success")
        .await
        .expect("role");
    let v1 = roles::question_set(tx, now, &support, "Support screen", 1)
        .await
        .expect("v1");
    let v2 = roles::question_set(tx, now, &support, "Support screen", 1)
        .await
        .expect("v2");
    let steady = roles::role(tx, now, "Steady Role", "Operations")
        .await
        .expect("role");
    let sv = roles::question_set(tx, now, &steady, "Steady screen", 1)
        .await
        .expect("set");
    // Baseline windows close 30 days ago; recent ones 5 days ago.
    let plan = [
        (&support, &v1, now - 30 * DAY - 100 * HOUR, 100, 40, 30),
        (&support, &v2, now - 5 * DAY - 48 * HOUR, 48, 40, 10),
        (&support, &v2, now - HOUR, 48, 1, 0),
        (&steady, &sv, now - 30 * DAY - 100 * HOUR, 100, 40, 30),
        (&steady, &sv, now - 5 * DAY - 100 * HOUR, 100, 40, 29),
    ];
    let mut k = 1000;
    for (role, set, invited, window_h, n, completed) in plan {
        for i in 0..n {
            k += 1;
            let p = Planted {
                role,
                set,
                invited,
                window_h,
                completed: i < completed,
            };
            interview(tx, now, k, p).await;
        }
    }
    w.commit().await.expect("commit");
}
