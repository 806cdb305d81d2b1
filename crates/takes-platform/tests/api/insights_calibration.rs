//! Calibration figures next to reliability drift (docs/INSIGHTS.md §6), on
//! both databases, with values worked out by hand.
//!
//! Three sessions on the fixture's three sample responses (scale 1..5):
//!
//! | session | deadline | raters (submitted) | ratings per item | expected |
//! |---|---|---|---|---|
//! | Agree | now − 40 d | R0, R1 | both 1, 3, 5 | alpha 1, ICC(2,1) 1 (no disagreement at all) |
//! | Offset | now − 10 d | R0, R1 (R2 scored 5, 5, 5 but did not submit) | R0 1, 2, 3; R1 2, 3, 4 | ICC(2,1) 2/3, below |
//! | Open | now + 5 d, not revealed | R0, R1 | 1, 1, 1 / 5, 5, 5 | not shown: results not out |
//!
//! ICC(2,1) of Offset: n = 3 items, k = 2 raters, grand mean 2.5; item
//! means 1.5, 2.5, 3.5 give SSR = 2 · (1 + 0 + 1) = 4, MSR = 4/2 = 2;
//! rater means 2 and 3 give SSC = 3 · (0.25 + 0.25) = 1.5, MSC = 1.5;
//! SST = (2.25 + 0.25 + 0.25) + (0.25 + 0.25 + 2.25) = 5.5, so SSE = 0.
//! ICC(2,1) = (MSR − MSE) / (MSR + (k − 1) MSE + k (MSC − MSE) / n)
//!          = 2 / (2 + 0 + 2 · 1.5 / 3) = 2/3.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;
use takes_platform::clock::DAY;

use crate::both_backends;
use crate::support::TestPlatform;

async fn session(
    p: &TestPlatform,
    title: &str,
    deadline: i64,
    ratings: &[(usize, bool, [i64; 3])],
) -> String {
    let pool = &p.state.db.pool;
    let admin: String = sqlx::query("SELECT id FROM users WHERE name = 'Ada Admin'")
        .fetch_one(pool)
        .await
        .expect("admin")
        .get(0);
    let now = p.state.clock.now();
    let id = format!("session-{title}");
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
    let mut items = Vec::new();
    for (k, response) in p.f.responses.iter().enumerate() {
        let question: String = sqlx::query("SELECT question_id FROM responses WHERE id = $1")
            .bind(response)
            .fetch_one(pool)
            .await
            .expect("response")
            .get(0);
        let item = format!("{id}-item{k}");
        sqlx::query(
            "INSERT INTO calibration_items (id, session_id, position, response_id, question_id, prompt, \
             competency, time_limit_s, scale_min, scale_max, pass_score, anchors_json) \
             VALUES ($1, $2, $3, $4, $5, 'Tell us', 'Craft', 60, 1, 5, 3, '[]')",
        )
        .bind(&item)
        .bind(&id)
        .bind(k as i64 + 1)
        .bind(response)
        .bind(&question)
        .execute(pool)
        .await
        .expect("item");
        items.push(item);
    }
    for (reviewer, submitted, values) in ratings {
        let user = &p.f.reviewer_ids[*reviewer];
        sqlx::query(
            "INSERT INTO calibration_participants (session_id, user_id, updated_at, submitted_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(user)
        .bind(now)
        .bind(submitted.then_some(deadline - DAY))
        .execute(pool)
        .await
        .expect("participant");
        for (item, rating) in items.iter().zip(values) {
            sqlx::query(
                "INSERT INTO calibration_scores (session_id, item_id, user_id, rating, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&id)
            .bind(item)
            .bind(user)
            .bind(*rating)
            .bind(now)
            .execute(pool)
            .await
            .expect("score");
        }
    }
    id
}

both_backends!(
    calibration_sessions_show_next_to_live_reliability,
    |p: TestPlatform| async move {
        let now = p.state.clock.now();
        let agree = session(
            &p,
            "Agree",
            now - 40 * DAY,
            &[(0, true, [1, 3, 5]), (1, true, [1, 3, 5])],
        )
        .await;
        let offset = session(
            &p,
            "Offset",
            now - 10 * DAY,
            &[
                (0, true, [1, 2, 3]),
                (1, true, [2, 3, 4]),
                (2, false, [5, 5, 5]),
            ],
        )
        .await;
        session(
            &p,
            "Open",
            now + 5 * DAY,
            &[(0, true, [1, 1, 1]), (1, true, [5, 5, 5])],
        )
        .await;
        let set: String = sqlx::query("SELECT question_set_id FROM questions WHERE id = $1")
            .bind(&p.f.questions[0])
            .fetch_one(&p.state.db.pool)
            .await
            .expect("set")
            .get(0);

        let (s, r) = p.get("/v1/insights/reliability", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let entry = r["question_sets"]
            .as_array()
            .and_then(|v| v.iter().find(|x| x["question_set_id"] == set.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        let cal = entry["calibration"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = cal
            .iter()
            .filter_map(|c| c["session_id"].as_str())
            .collect();
        assert_eq!(
            ids,
            vec![agree.as_str(), offset.as_str()],
            "by deadline, Open left out: {entry}"
        );
        let a = &cal[0];
        assert_eq!(a["title"], "Agree");
        assert_eq!(a["items"], 3);
        assert_eq!(a["reliability"]["raters"], 2);
        assert_eq!(a["reliability"]["alpha_ordinal"].as_f64(), Some(1.0), "{a}");
        assert!(
            a["reliability"]["icc2_1"]
                .as_f64()
                .is_some_and(|v| (v - 1.0).abs() < 1e-12),
            "{a}"
        );
        let o = &cal[1];
        // R2 did not submit: two raters, not three.
        assert_eq!(o["reliability"]["raters"], 2, "{o}");
        assert_eq!(o["reliability"]["ratings"], 6, "{o}");
        assert!(
            o["reliability"]["icc2_1"]
                .as_f64()
                .is_some_and(|v| (v - 2.0 / 3.0).abs() < 1e-9),
            "{o}"
        );
        assert!(
            o["quarter"].as_str().is_some_and(|q| q.contains("-Q")),
            "{o}"
        );

        // A period that ends before Offset's deadline leaves it out.
        let until = takes_platform::clock::rfc3339(now - 20 * DAY);
        let (s, r) = p
            .get(
                &format!("/v1/insights/reliability?until={until}"),
                &p.f.admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let n: usize = r["question_sets"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|x| x["calibration"].as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(n, 1, "{r}");
    }
);
