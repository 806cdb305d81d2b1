//! `takes demo`'s promise (issue 13, "done when"): the demo recruiter
//! rejects several candidates at once and their sync state turns to
//! delivered, because the demo's built-in receiver really gets one signed
//! `decision.made` per decision over HTTP.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use takes_platform::seed::demo_receiver;
use takes_platform::Clock;

use crate::support::Backend;

async fn check(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, report) = crate::demo_fixture::demo(backend, dir.path()).await;
    // What `takes demo` does after seeding: start the receiver, then the server.
    let state = storage.open(Clock::System).await.expect("open");
    let (state, receiver) = demo_receiver::start(state).await.expect("receiver");
    let server = takes_platform::start(state, ([127, 0, 0, 1], 0).into())
        .await
        .expect("start");
    let token = &report
        .users
        .iter()
        .find(|u| u.role == "recruiter")
        .expect("a recruiter")
        .token;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", server.base_url());
        async move {
            let r = http.get(url).bearer_auth(token).send().await.expect("get");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.expect("json")
        }
    };

    let ready = get("/v1/board?stage=ready_to_decide".into()).await;
    let ids: Vec<String> = ready["items"]
        .as_array()
        .expect("items")
        .iter()
        .take(3)
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.len() >= 2, "the demo has interviews to decide: {ready}");
    let decided = http
        .post(format!("{}/v1/board/decisions", server.base_url()))
        .bearer_auth(token)
        .header("Idempotency-Key", "demo-bulk-1")
        .json(&json!({"interview_ids": ids, "action": "reject", "reason": "demo"}))
        .send()
        .await
        .expect("decide");
    assert_eq!(decided.status(), reqwest::StatusCode::OK);

    let deadline = Instant::now() + Duration::from_secs(60);
    for id in &ids {
        loop {
            let one = get(format!("/v1/board/{id}")).await;
            let sync = one["item"]["sync"]["status"].clone();
            if sync == "delivered" {
                break;
            }
            assert_ne!(sync, "failed", "{one}");
            assert!(Instant::now() < deadline, "never delivered: {one}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let got = receiver.received();
    assert_eq!(receiver.refused(), 0, "every signature verified");
    assert_eq!(got.len(), ids.len(), "one decision.made per decision");
    let mut seen: Vec<String> = got
        .iter()
        .map(|r| {
            assert_eq!(r.event_type, "decision.made");
            let data = &r.body["data"];
            assert_eq!(data["decision"], "reject", "{data}");
            assert_eq!(data["reason"], "demo", "{data}");
            assert!(
                data["scores"]["reviewers_submitted"].as_i64() >= Some(1),
                "{data}"
            );
            assert!(data["candidate"]["name"].is_string(), "{data}");
            data["interview_id"]
                .as_str()
                .expect("interview")
                .to_string()
        })
        .collect();
    seen.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(seen, want);
    let _ = server.stop().await;
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_decisions_are_delivered_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_decisions_are_delivered_postgres() {
    check(Backend::Postgres).await;
}
