//! Each assignment's kept score totals (migration 0026: first score time,
//! rating sum and count, kept by triggers in
//! `store/assignments/score_totals.rs`) equal what its scores say after
//! every kind of write, on both databases: a reviewer's first score and a
//! rewrite of it through the API, the seed's insert with an earlier time, a
//! score's time or assignment changed in place, a delete, and a withdrawal
//! that deletes the whole sheet.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;
use takes_platform::store::assignments::{score, NewScore};
use takes_platform::store::board::writes;

use crate::both_backends;
use crate::support::TestPlatform;

/// (first score time, rating sum, rating count)
type Totals = (Option<i64>, i64, i64);

/// Every assignment's kept totals, and the same computed from its scores.
async fn totals(p: &TestPlatform) -> (BTreeMap<String, Totals>, BTreeMap<String, Totals>) {
    let rows = sqlx::query(
        "SELECT a.id, a.first_scored_at, a.rating_sum, a.rating_n, \
           (SELECT MIN(sc.created_at) FROM scores sc WHERE sc.assignment_id = a.id) AS first, \
           CAST((SELECT COALESCE(SUM(sc.rating), 0) FROM scores sc WHERE sc.assignment_id = a.id) AS BIGINT) AS total, \
           CAST((SELECT COUNT(*) FROM scores sc WHERE sc.assignment_id = a.id) AS BIGINT) AS n \
         FROM assignments a",
    )
    .fetch_all(&p.state.db.pool)
    .await
    .expect("assignments");
    let (mut kept, mut computed) = (BTreeMap::new(), BTreeMap::new());
    for r in rows {
        let id: String = r.get("id");
        kept.insert(
            id.clone(),
            (
                r.get("first_scored_at"),
                r.get("rating_sum"),
                r.get("rating_n"),
            ),
        );
        computed.insert(id, (r.get("first"), r.get("total"), r.get("n")));
    }
    (kept, computed)
}

/// The kept totals of `assignment`, after checking every assignment's.
async fn checked(p: &TestPlatform, step: &str, assignment: &str) -> Totals {
    let (kept, computed) = totals(p).await;
    assert_eq!(kept, computed, "after {step}");
    kept.get(assignment).copied().expect("the assignment")
}

both_backends!(
    an_assignments_score_totals_follow_every_write,
    |p: TestPlatform| async move {
        let a = p.f.assignments[0].clone();
        let q = p.f.questions.clone();
        let r0 = p.f.reviewers[0].clone();
        assert_eq!(checked(&p, "nothing", &a).await, (None, 0, 0));

        let (s, b) = p.put_score(&r0, &a, &q[0], json!({"rating": 4})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (first, sum, n) = checked(&p, "a first score", &a).await;
        assert!(first.is_some());
        assert_eq!((sum, n), (4, 1));

        // A rewrite keeps the first score's time and replaces its rating.
        let (s, b) = p.put_score(&r0, &a, &q[0], json!({"rating": 2})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(checked(&p, "a rewrite", &a).await, (first, 2, 1));
        let (s, b) = p.put_score(&r0, &a, &q[1], json!({"rating": 5})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(checked(&p, "a second score", &a).await, (first, 7, 2));

        // The seed's write, timed before the others: it becomes the first.
        let earlier = first.expect("a time") - 60_000;
        {
            let mut w = p.state.db.begin_write().await.expect("begin");
            score(
                &mut w.tx,
                NewScore {
                    assignment_id: &a,
                    question_id: &q[2],
                    rating: 3,
                    muted_rating: None,
                    note: None,
                    at: earlier,
                },
            )
            .await
            .expect("seed score");
            w.commit().await.expect("commit");
        }
        assert_eq!(
            checked(&p, "an earlier score", &a).await,
            (Some(earlier), 10, 3)
        );

        // Its time moved past the others: the first is found again.
        sqlx::query(
            "UPDATE scores SET created_at = $1 WHERE assignment_id = $2 AND question_id = $3",
        )
        .bind(earlier + 3_600_000)
        .bind(&a)
        .bind(&q[2])
        .execute(&p.state.db.pool)
        .await
        .expect("move a score's time");
        assert_eq!(checked(&p, "a moved time", &a).await, (first, 10, 3));

        // A score moved to another assignment counts there, not here.
        let other = p.f.assignments[1].clone();
        sqlx::query(
            "UPDATE scores SET assignment_id = $1 WHERE assignment_id = $2 AND question_id = $3",
        )
        .bind(&other)
        .bind(&a)
        .bind(&q[2])
        .execute(&p.state.db.pool)
        .await
        .expect("move a score");
        assert_eq!(checked(&p, "a moved score", &a).await, (first, 7, 2));
        assert_eq!(
            checked(&p, "a moved score", &other).await,
            (Some(earlier + 3_600_000), 3, 1)
        );

        // The first score deleted: the other one is now the first.
        sqlx::query("DELETE FROM scores WHERE assignment_id = $1 AND question_id = $2")
            .bind(&a)
            .bind(&q[0])
            .execute(&p.state.db.pool)
            .await
            .expect("delete a score");
        let (after, sum, n) = checked(&p, "a deleted score", &a).await;
        assert!(after >= first && after.is_some(), "{after:?} {first:?}");
        assert_eq!((sum, n), (5, 1));

        // A withdrawal deletes the sheet: nothing is left to count.
        let admin: String = sqlx::query("SELECT id FROM users WHERE name = 'Ada Admin'")
            .fetch_one(&p.state.db.pool)
            .await
            .expect("admin")
            .get(0);
        {
            let mut w = p.state.db.begin_write().await.expect("begin");
            writes::withdraw(&mut w.tx, &a, &admin, p.state.clock.now())
                .await
                .expect("withdraw");
            w.commit().await.expect("commit");
        }
        assert_eq!(checked(&p, "a withdrawal", &a).await, (None, 0, 0));
    }
);
