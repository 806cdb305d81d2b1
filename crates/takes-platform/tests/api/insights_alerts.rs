//! The completion drop alert over HTTP on both databases: a planted drop
//! fires and names what changed, a small dip and a small role stay quiet.
//!
//! Windows close at even spacing inside each period; "recent" is the last
//! 14 days, the baseline the 56 days before.
//!
//! | role | baseline (completed/invited) | recent | expected |
//! |---|---|---|---|
//! | Planted | 68/100, version 1, 72 h | 45/100, version 2, 24 h | dropped: z = −3.28, p = 0.0005 (see `insights::inference` tests) |
//! | Steady | 68/100 | 33/50 = 0.66 | quiet: pooled 101/150 = 0.67333, se = sqrt(0.67333 · 0.32667 · (1/50 + 1/100)) = 0.08111, z = −0.02/0.08111 = −0.247 |
//! | Tiny | 68/100 | 2/10 | too_few (10 < 30 invitations) |

use reqwest::StatusCode;
use serde_json::Value;
use takes_platform::clock::{DAY, HOUR};
use takes_platform::store::{interviews, roles};

use crate::both_backends;
use crate::support::TestPlatform;

/// `n` interviews of `role`/`set` whose windows close evenly in
/// `[from, to)`, the first `completed` of them completed.
#[allow(clippy::too_many_arguments)]
async fn invitations(
    c: &mut sqlx::AnyConnection,
    now: i64,
    role: &str,
    set: &str,
    window_h: i64,
    (from, to): (i64, i64),
    n: i64,
    completed: i64,
) {
    for k in 0..n {
        // Mid-slot, so a window never closes on a period boundary (the
        // server's clock reads a little later than this one).
        let expires = from + (to - from) * (2 * k + 1) / (2 * n);
        let invited = expires - window_h * HOUR;
        let cand = interviews::candidate(c, now, &format!("c{k}"), "x@example.com")
            .await
            .expect("candidate");
        let done = k < completed;
        let i = interviews::NewInterview {
            candidate_id: &cand,
            role_id: role,
            question_set_id: set,
            status: if done { "completed" } else { "expired" },
            invited_at: invited,
            expires_at: expires,
            started_at: done.then_some(invited + HOUR),
            completed_at: done.then_some(invited + 2 * HOUR),
        };
        interviews::interview(c, i).await.expect("interview");
    }
}

async fn build(p: &TestPlatform) -> [String; 3] {
    let now = p.state.clock.now();
    let recent = (now - 14 * DAY, now);
    let baseline = (now - 70 * DAY, now - 14 * DAY);
    let mut w = p.state.db.begin_write().await.expect("begin");
    let c = &mut *w.tx;
    let mut ids = Vec::new();
    for (title, recent_n, recent_done) in
        [("Planted", 100, 45), ("Steady", 50, 33), ("Tiny", 10, 2)]
    {
        let role = roles::role(c, now, title, "Ops").await.expect("role");
        let v1 = roles::question_set(c, now, &role, "v1", 1)
            .await
            .expect("set");
        invitations(c, now, &role, &v1, 72, baseline, 100, 68).await;
        let recent_set = if title == "Planted" {
            let v2 = roles::question_set(c, now, &role, "v2", 1)
                .await
                .expect("set");
            sqlx::query("UPDATE question_sets SET version = 2 WHERE id = $1")
                .bind(&v2)
                .execute(&mut *c)
                .await
                .expect("version 2");
            v2
        } else {
            v1
        };
        let window = if title == "Planted" { 24 } else { 72 };
        invitations(
            c,
            now,
            &role,
            &recent_set,
            window,
            recent,
            recent_n,
            recent_done,
        )
        .await;
        ids.push(role);
    }
    w.commit().await.expect("commit");
    ids.try_into().expect("three roles")
}

fn role<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checked"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["role_id"] == id))
        .unwrap_or(&Value::Null)
}

both_backends!(
    a_planted_drop_fires_and_noise_stays_quiet,
    |p: TestPlatform| async move {
        let [planted, steady, tiny] = build(&p).await;
        let (s, r) = p.get("/v1/insights/alerts", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["days"], 14);
        let alerts = r["alerts"].as_array().cloned().unwrap_or_default();
        assert_eq!(alerts.len(), 1, "only the planted drop: {r}");
        let a = &alerts[0];
        assert_eq!(a["role_id"], planted.as_str());
        assert_eq!(
            (a["recent_invited"].clone(), a["recent_completed"].clone()),
            (100.into(), 45.into())
        );
        assert_eq!(
            (
                a["baseline_invited"].clone(),
                a["baseline_completed"].clone()
            ),
            (100.into(), 68.into())
        );
        assert!(
            a["z"].as_f64().is_some_and(|z| (z + 3.2805).abs() < 1e-3),
            "{a}"
        );
        let changes = a["changes"].to_string();
        assert!(
            changes.contains("question set version 2 replaced version 1"),
            "{changes}"
        );
        assert!(
            changes.contains("completion window 72 h became 24 h"),
            "{changes}"
        );
        let steady = role(&r, &steady);
        assert_eq!(steady["verdict"], "quiet");
        assert!(
            steady["p_value"].as_f64().is_some_and(|p| p > 0.3),
            "{steady}"
        );
        assert_eq!(steady["changes"], serde_json::json!([]));
        assert_eq!(role(&r, &tiny)["verdict"], "too_few");
        // The recruiter recruits for none of these roles: nothing of them.
        let (s, r) = p.get("/v1/insights/alerts", &p.f.recruiter).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["checked"], serde_json::json!([]));
        // A bad period names the field.
        for bad in ["0", "91", "two"] {
            let (s, body) = p
                .get(&format!("/v1/insights/alerts?days={bad}"), &p.f.admin)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(body["field"], "days");
        }
    }
);

/// Deliveries of the alert event to each endpoint, alert emails to Rita,
/// and alert episodes.
async fn sent(p: &TestPlatform, endpoints: &[String]) -> (i64, i64, i64, i64, i64) {
    let deliveries = |endpoint: &str| {
        format!(
            "SELECT COUNT(*) FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE d.endpoint_id = '{endpoint}' AND e.event_type = 'insights.completion_dropped'"
        )
    };
    (
        p.count(&deliveries(&endpoints[0])).await,
        p.count(&deliveries(&endpoints[1])).await,
        p.count(&deliveries(&endpoints[2])).await,
        p.count(
            "SELECT COUNT(*) FROM email_outbox WHERE kind = 'completion_dropped' \
             AND to_address = 'rita@example.com'",
        )
        .await,
        p.count("SELECT COUNT(*) FROM insight_alerts").await,
    )
}

// The notifier (run by hand here; the server runs it daily): the planted
// drop is sent once per episode, as a webhook event only to the endpoint
// that names `insights.completion_dropped`, and as an email to each of
// the role's recruiters with an email; Steady (noise) and Tiny (too few)
// send nothing.
both_backends!(
    the_drop_alert_is_sent_once_per_episode,
    |p: TestPlatform| async move {
        use reqwest::Method;
        use serde_json::json;
        use takes_platform::api::insights::notifier::evaluate;
        use takes_platform::store::board::writes;

        let [planted, _steady, _tiny] = build(&p).await;
        let mut endpoints = Vec::new();
        for types in [
            json!(["insights.completion_dropped"]),
            json!([]),
            json!(["decision.made"]),
        ] {
            let (s, e) = p
                .call(
                    p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                        .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": types})),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{e}");
            endpoints.push(e["id"].as_str().expect("id").to_string());
        }
        {
            use sqlx::Row;
            let rita: String = sqlx::query("SELECT id FROM users WHERE name = 'Rita Recruiter'")
                .fetch_one(&p.state.db.pool)
                .await
                .expect("rita")
                .get(0);
            let mut c = p.state.db.pool.acquire().await.expect("conn");
            sqlx::query("UPDATE users SET email = 'rita@example.com' WHERE id = $1")
                .bind(&rita)
                .execute(&mut *c)
                .await
                .expect("email");
            writes::add_recruiter(&mut c, p.state.clock.now(), &planted, &rita)
                .await
                .expect("recruiter");
        }
        let fired = evaluate(&p.state).await.expect("evaluate");
        assert_eq!(fired, vec![planted.clone()], "only the planted drop");
        assert_eq!(sent(&p, &endpoints).await, (1, 0, 0, 1, 1));
        // The event's payload: the check that fired.
        let payload: String = {
            use sqlx::Row;
            sqlx::query(
                "SELECT body FROM webhook_events WHERE event_type = 'insights.completion_dropped'",
            )
            .fetch_one(&p.state.db.pool)
            .await
            .expect("event")
            .get(0)
        };
        let v: Value = serde_json::from_str(&payload).expect("json");
        assert_eq!(v["type"], "insights.completion_dropped", "{v}");
        assert_eq!(v["data"]["check"]["role_id"], planted.as_str());
        assert_eq!(v["data"]["check"]["recent_completed"], 45);
        assert_eq!(v["data"]["days"], 14);
        let body: String = {
            use sqlx::Row;
            sqlx::query("SELECT subject || ' / ' || body FROM email_outbox WHERE kind = 'completion_dropped'")
                .fetch_one(&p.state.db.pool)
                .await
                .expect("email")
                .get(0)
        };
        assert!(
            body.contains("Completion dropped for Planted: 45% (was 68%)"),
            "{body}"
        );
        assert!(
            body.contains("question set version 2 replaced version 1"),
            "{body}"
        );
        // The next day's check: the episode is open, nothing is sent again.
        assert_eq!(
            evaluate(&p.state).await.expect("evaluate"),
            Vec::<String>::new()
        );
        assert_eq!(sent(&p, &endpoints).await, (1, 0, 0, 1, 1));
    }
);

/// A drop that fired, recovered and dropped again is two episodes: one
/// webhook event and one email each, on the test clock.
///
/// | check at | recent 14 days | baseline (56 days before) | verdict |
/// |---|---|---|---|
/// | T | 45/100 | 68/100 | dropped (z = −3.28): episode 1 sent |
/// | T + 14 d | 68/100 | 45/100 + the first baseline's windows closing in its newest 42 days (k = 25..99 of 100: 75, of which k = 25..67 completed: 43) = 88/175 | quiet: the rate went up; episode 1 resolved |
/// | T + 28 d | 30/100 | 68/100 + 45/100 + the first baseline's newest 28 days (k = 50..99: 50, completed k = 50..67: 18) = 131/250 = 0.524 | dropped: pooled 161/350 = 0.46, se = sqrt(0.46 · 0.54 · (1/100 + 1/250)) = 0.058971, z = −0.224/0.058971 = −3.7985: episode 2 sent |
///
/// (The helper completes the earliest invitations of each batch; window k
/// of n closes at from + (to − from)(2k + 1)/2n.)
async fn refire(backend: crate::support::Backend) {
    use reqwest::Method;
    use serde_json::json;
    use takes_platform::api::insights::notifier::evaluate;
    use takes_platform::store::board::writes;
    use takes_platform::Clock;

    let clock = Clock::manual(Clock::System.now());
    let p =
        TestPlatform::start_with_clock(backend, crate::support::loopback_config(), clock.clone())
            .await;
    let t = clock.now();
    let role = {
        let mut w = p.state.db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let role = roles::role(c, t, "Refire", "Ops").await.expect("role");
        let set = roles::question_set(c, t, &role, "v1", 1)
            .await
            .expect("set");
        invitations(c, t, &role, &set, 72, (t - 70 * DAY, t - 14 * DAY), 100, 68).await;
        invitations(c, t, &role, &set, 72, (t - 14 * DAY, t), 100, 45).await;
        w.commit().await.expect("commit");
        role
    };
    let role_id = role.clone();
    let (s, e) = p
        .call(
            p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["insights.completion_dropped"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let endpoint = e["id"].as_str().expect("id").to_string();
    {
        use sqlx::Row;
        let rita: String = sqlx::query("SELECT id FROM users WHERE name = 'Rita Recruiter'")
            .fetch_one(&p.state.db.pool)
            .await
            .expect("rita")
            .get(0);
        let mut c = p.state.db.pool.acquire().await.expect("conn");
        sqlx::query("UPDATE users SET email = 'rita@example.com' WHERE id = $1")
            .bind(&rita)
            .execute(&mut *c)
            .await
            .expect("email");
        writes::add_recruiter(&mut c, t, &role, &rita)
            .await
            .expect("recruiter");
    }
    let endpoints = [endpoint.clone(), endpoint.clone(), endpoint];
    let open = "SELECT COUNT(*) FROM insight_alerts WHERE resolved_at IS NULL";

    assert_eq!(
        evaluate(&p.state).await.expect("evaluate"),
        vec![role.clone()]
    );
    let (d, _, _, mails, episodes) = sent(&p, &endpoints).await;
    assert_eq!((d, mails, episodes, p.count(open).await), (1, 1, 1, 1));

    // Two weeks on, completion is back to normal: quiet, the episode ends,
    // nothing is sent.
    clock.advance(14 * DAY);
    {
        let mut w = p.state.db.begin_write().await.expect("begin");
        invitations(
            &mut w.tx,
            t,
            &role,
            &set_of(&p, &role).await,
            72,
            (t, t + 14 * DAY),
            100,
            68,
        )
        .await;
        w.commit().await.expect("commit");
    }
    assert_eq!(
        evaluate(&p.state).await.expect("evaluate"),
        Vec::<String>::new()
    );
    let (d, _, _, mails, episodes) = sent(&p, &endpoints).await;
    assert_eq!((d, mails, episodes, p.count(open).await), (1, 1, 1, 0));
    let (_, r) = p.get("/v1/insights/alerts", &p.f.admin).await;
    assert_eq!(
        super::insights_alerts::role(&r, &role_id)["verdict"],
        "quiet",
        "{r}"
    );
    assert_eq!(
        super::insights_alerts::role(&r, &role_id)["baseline_completed"],
        88,
        "{r}"
    );

    // A new drop: a new episode, sent once more.
    clock.advance(14 * DAY);
    {
        let mut w = p.state.db.begin_write().await.expect("begin");
        invitations(
            &mut w.tx,
            t,
            &role,
            &set_of(&p, &role).await,
            72,
            (t + 14 * DAY, t + 28 * DAY),
            100,
            30,
        )
        .await;
        w.commit().await.expect("commit");
    }
    let (_, r) = p.get("/v1/insights/alerts", &p.f.admin).await;
    let a = super::insights_alerts::role(&r, &role_id);
    assert_eq!(a["verdict"], "dropped", "{r}");
    assert_eq!(
        (
            a["recent_completed"].clone(),
            a["baseline_invited"].clone(),
            a["baseline_completed"].clone()
        ),
        (30.into(), 250.into(), 131.into()),
        "{r}"
    );
    assert!(
        a["z"].as_f64().is_some_and(|z| (z + 3.7985).abs() < 1e-3),
        "{a}"
    );
    assert_eq!(
        evaluate(&p.state).await.expect("evaluate"),
        vec![role.clone()]
    );
    let (d, _, _, mails, episodes) = sent(&p, &endpoints).await;
    assert_eq!((d, mails, episodes, p.count(open).await), (2, 2, 2, 1));
    // And the day after, still one open episode: nothing more.
    clock.advance(DAY);
    evaluate(&p.state).await.expect("evaluate");
    let (d, _, _, mails, episodes) = sent(&p, &endpoints).await;
    assert_eq!((d, mails, episodes), (2, 2, 2));
}

async fn set_of(p: &TestPlatform, role: &str) -> String {
    use sqlx::Row;
    sqlx::query("SELECT id FROM question_sets WHERE job_role_id = $1")
        .bind(role)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("set")
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_drop_fires_again_as_a_new_episode_sqlite() {
    refire(crate::support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_drop_fires_again_as_a_new_episode_postgres() {
    refire(crate::support::Backend::Postgres).await;
}
