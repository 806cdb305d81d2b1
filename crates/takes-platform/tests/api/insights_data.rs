//! The small hand-built insights data set, shared by the API tests
//! (`insights.rs`, which works out every expected value from it) and by
//! `takes report`'s tests in the root crate (which include this file).
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

#![allow(dead_code)]

use takes_api::{Anchor, Rubric, UserRole};
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::assignments::{score, NewScore};
use takes_platform::store::{assignments, decisions, interviews, roles};
use takes_platform::AppState;

fn rubric() -> Rubric {
    Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: 3,
        anchors: [(1, "Weak"), (3, "Acceptable"), (5, "Strong")]
            .into_iter()
            .map(|(score, label)| Anchor {
                score,
                label: label.into(),
                description: format!("{label} answer"),
            })
            .collect(),
    }
}

/// Reviewer, interview index, submitted hour, first-score hour, and
/// (final, muted) ratings of the two questions.
type Sheet<'a> = (&'a str, usize, Option<i64>, i64, [(i64, Option<i64>); 2]);

pub struct Data {
    pub role: String,
    /// Tokens of Ann (reviewer) and Cy (reviewer).
    pub a: String,
    pub c: String,
    /// I1..I4; every candidate's email is x@example.com.
    pub interviews: Vec<String>,
}

/// Builds the data set; the decision on I3 is made by `decider` (a user id).
pub async fn build(state: &AppState, decider: &str) -> Data {
    let now = state.clock.now();
    let t0 = now - 30 * DAY;
    let db = &state.db;
    let user = |name: &'static str, role| async move {
        takes_platform::auth::issue_token(db, now, name, role, "test")
            .await
            .expect("token")
    };
    let (a_id, a) = user("Ann Analyst", UserRole::Reviewer).await;
    let (b_id, _) = user("Ben Brown", UserRole::Reviewer).await;
    let (c_id, c) = user("Cy Clark", UserRole::Reviewer).await;
    let mut w = db.begin_write().await.expect("begin");
    let tx = &mut *w.tx;
    let role = roles::role(tx, now, "Data Analyst", "Analytics")
        .await
        .expect("role");
    let set = roles::question_set(tx, now, &role, "Analyst screen", 1)
        .await
        .expect("set");
    let rubric = rubric();
    let mut qs = Vec::new();
    for (i, prompt) in ["Explain a model", "Clean a data set"].iter().enumerate() {
        let q = roles::NewQuestion {
            position: i as i64 + 1,
            prompt,
            competency: if i == 0 { "Analysis" } else { "Rigour" },
            time_limit_s: 120,
            rubric: &rubric,
        };
        qs.push(roles::question(tx, &set, q).await.expect("question"));
    }
    let mut ivs = Vec::new();
    for (name, started, completed) in [
        ("I1", None, None),
        ("I2", Some(1), None),
        ("I3", Some(2), Some(95)),
        ("I4", Some(3), Some(10)),
    ] {
        let cand = interviews::candidate(tx, now, name, "x@example.com")
            .await
            .expect("candidate");
        let status = match (started, completed) {
            (_, Some(_)) => "completed",
            (Some(_), None) => "started",
            _ => "invited",
        };
        let i = interviews::NewInterview {
            candidate_id: &cand,
            role_id: &role,
            question_set_id: &set,
            status,
            invited_at: t0,
            expires_at: t0 + 100 * HOUR,
            started_at: started.map(|h| t0 + h * HOUR),
            completed_at: completed.map(|h| t0 + h * HOUR),
        };
        ivs.push(interviews::interview(tx, i).await.expect("interview"));
    }
    let answered: [(usize, usize); 5] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1)];
    for (i, q) in answered {
        let m = interviews::media_object(tx, now, &format!("k{i}{q}.webm"), "video/webm", b"x")
            .await
            .expect("media");
        let r = interviews::NewResponse {
            interview_id: &ivs[i],
            question_id: &qs[q],
            media_object_id: &m,
            duration_ms: 1_000,
            cues: &[],
            retakes_used: 0,
            recorded_at: t0,
        };
        interviews::response(tx, r).await.expect("response");
    }
    let h = |x: i64| t0 + x * HOUR;
    let sheets: [Sheet; 3] = [
        (&a_id, 2, Some(99), 97, [(4, Some(3)), (5, Some(4))]),
        (&b_id, 2, Some(105), 101, [(2, Some(2)), (3, Some(3))]),
        (&a_id, 3, Some(12), 11, [(3, Some(3)), (3, None)]),
    ];
    for (who, i, submitted, first, ratings) in sheets {
        let id = assignments::assignment(tx, &ivs[i], who, h(10), h(200), submitted.map(h))
            .await
            .expect("assignment");
        for (k, (rating, muted)) in ratings.iter().enumerate() {
            let s = NewScore {
                assignment_id: &id,
                question_id: &qs[k],
                rating: *rating,
                muted_rating: *muted,
                note: None,
                at: h(first) + k as i64,
            };
            score(tx, s).await.expect("score");
        }
    }
    assignments::assignment(tx, &ivs[3], &c_id, h(10), h(20), None)
        .await
        .expect("pending");
    decisions::insert(
        tx,
        &ivs[2],
        takes_api::DecisionAction::Advance,
        None,
        decider,
        h(120),
    )
    .await
    .expect("decision");
    w.commit().await.expect("commit");
    Data {
        role,
        a,
        c,
        interviews: ivs,
    }
}
