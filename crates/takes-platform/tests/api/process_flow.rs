//! The process in motion: versions while interviews are in flight,
//! pruning (archive, deactivate), routing by a role's own pool, intro
//! videos, the demo's round trip, and the user and role endpoints.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::both_backends;
use crate::process::{apply, document, plan, role, PROMPTS};
use crate::support::{Backend, TestPlatform};

async fn roles_page(p: &TestPlatform) -> Value {
    let (s, page) = p.get("/v1/roles", &p.f.admin).await;
    assert_eq!(s, StatusCode::OK);
    page
}

async fn id_of_role(p: &TestPlatform, key: &str) -> String {
    let page = roles_page(p).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["key"] == key)
        .and_then(|r| r["id"].as_str())
        .expect("role")
        .to_string()
}

async fn user_id(p: &TestPlatform, email: &str) -> String {
    sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("user")
        .get(0)
}

async fn invite(p: &TestPlatform, role_id: &str, name: &str) -> (StatusCode, Value) {
    p.call(
        p.request(Method::POST, "/v1/invitations", Some(&p.f.recruiter))
            .json(&json!({"role_id": role_id, "candidate_name": name,
                "candidate_email": "cand@example.org"})),
    )
    .await
}

async fn version_of_interview(p: &TestPlatform, interview: &str) -> i64 {
    sqlx::query(
        "SELECT s.version FROM interviews i JOIN question_sets s ON s.id = i.question_set_id WHERE i.id = $1",
    )
    .bind(interview)
    .fetch_one(&p.state.db.pool)
    .await
    .expect("version")
    .get(0)
}

async fn assign(p: &TestPlatform, interview: &str, reviewer: &str) -> String {
    let now = p.state.clock.now();
    let mut conn = p.state.db.pool.acquire().await.expect("conn");
    takes_platform::store::assignments::assignment(
        &mut conn,
        interview,
        reviewer,
        now,
        now + 3_600_000,
        None,
    )
    .await
    .expect("assignment")
}

fn changes(v: &Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["op"].as_str().unwrap_or("?"),
                c["description"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

both_backends!(
    versions_keep_interviews_in_flight_on_theirs,
    |p: TestPlatform| async move {
        let mut doc = document();
        let (s, applied) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");
        let riley = applied["new_tokens"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["email"] == "riley@example.com"))
            .and_then(|t| t["token"].as_str())
            .expect("riley's token")
            .to_string();
        // No interview yet: the set is changed in place.
        doc["roles"][0]["questions"][2]["prompt"] = json!("Describe a time you mentored someone.");
        let (s, v) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            changes(&v),
            vec!["update backend-2027: question set v1 changed (no interviews use it yet)"]
        );
        let role_id = id_of_role(&p, "backend-2027").await;
        let (s, first) = invite(&p, &role_id, "Ada Lovelace").await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        let first_id = first["id"].as_str().expect("id").to_string();
        let assignment = assign(&p, &first_id, &user_id(&p, "riley@example.com").await).await;

        let old_prompt = PROMPTS[0];
        doc["roles"][0]["questions"][0]["prompt"] = json!("Describe your hardest deadline.");
        doc["roles"][0]["questions"][0]["rubric"]["pass_score"] = json!(4);
        let (s, planned) = plan(&p, &p.f.admin, &doc, false).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            changes(&planned),
            vec!["new_version backend-2027: question set v2 (1 interview in flight keep v1)"]
        );
        assert_eq!(planned["summary"]["new_version"], 1);
        let (s, _) = apply(
            &p,
            &p.f.admin,
            &doc,
            false,
            Some(planned["etag"].as_str().expect("etag")),
        )
        .await;
        assert_eq!(s, StatusCode::OK);

        // The interview in flight keeps v1: its reviewer sees v1's questions
        // and rubric.
        let (s, detail) = p
            .get(&format!("/v1/assignments/{assignment}"), &riley)
            .await;
        assert_eq!(s, StatusCode::OK, "{detail}");
        assert_eq!(detail["question_set_version"], 1);
        assert_eq!(detail["questions"][0]["prompt"], old_prompt);
        assert_eq!(detail["questions"][0]["rubric"]["pass_score"], 3);
        assert_eq!(version_of_interview(&p, &first_id).await, 1);
        // A new invitation gets v2.
        let (s, second) = invite(&p, &role_id, "Alan Turing").await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(
            version_of_interview(&p, second["id"].as_str().expect("id")).await,
            2
        );
        let (_, role) = p.get(&format!("/v1/roles/{role_id}"), &p.f.admin).await;
        assert_eq!(role["versions"][0]["version"], 2);
        assert_eq!(role["versions"][0]["current"], true);
        assert_eq!(
            role["versions"][0]["questions"][0]["rubric"]["pass_score"],
            4
        );
        assert_eq!(role["versions"][1]["version"], 1);
        assert_eq!(role["versions"][1]["interviews"], 1);
        let (_, page) = p.get("/v1/roles", &p.f.admin).await;
        let summary = page["items"]
            .as_array()
            .and_then(|i| i.iter().find(|r| r["id"] == role_id.as_str()))
            .cloned();
        assert_eq!(
            summary.as_ref().map(|s| s["question_set_version"].clone()),
            Some(json!(2))
        );
        // Changing only the retakes also versions a set in use.
        doc["roles"][0]["retakes"] = json!(2);
        let (_, v) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(
            changes(&v),
            vec!["new_version backend-2027: question set v3 (1 interview in flight keep v2)"]
        );
    }
);

both_backends!(
    prune_archives_roles_and_deactivates_people,
    |p: TestPlatform| async move {
        let mut doc = document();
        doc["roles"].as_array_mut().expect("roles").push(role(
            "frontend",
            &["jo@example.com"],
            &PROMPTS,
        ));
        let (s, applied) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");
        let jo = applied["new_tokens"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["email"] == "jo@example.com"))
            .and_then(|t| t["token"].as_str())
            .expect("jo's token")
            .to_string();
        let frontend = id_of_role(&p, "frontend").await;
        let (s, inv) = invite(&p, &frontend, "Grace Hopper").await;
        assert_eq!(s, StatusCode::CREATED, "{inv}");
        let interview = inv["id"].as_str().expect("id").to_string();
        let jo_id = user_id(&p, "jo@example.com").await;
        let a = assign(&p, &interview, &jo_id).await;
        let q: String = sqlx::query("SELECT id FROM questions WHERE question_set_id = (SELECT question_set_id FROM interviews WHERE id = $1) ORDER BY position")
        .bind(&interview)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("question")
        .get(0);
        let (s, body) = p.put_score(&jo, &a, &q, json!({"rating": 4})).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // Jo and the frontend role leave the document; without prune nothing
        // happens to them.
        let mut smaller = document();
        smaller["users"]
            .as_array_mut()
            .expect("users")
            .retain(|u| u["email"] != "jo@example.com");
        let (_, v) = plan(&p, &p.f.admin, &smaller, false).await;
        assert!(changes(&v).is_empty(), "{v}");
        let (s, v) = apply(&p, &p.f.admin, &smaller, true, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // The fixture's own role is not in the document either.
        let mut lines = changes(&v);
        let fixture = lines
            .iter()
            .position(|l| l.starts_with("archive support-engineer-"));
        assert!(fixture.is_some(), "{lines:?}");
        lines.retain(|l| !l.starts_with("archive support-engineer-"));
        assert_eq!(
            lines,
            vec![
                "deactivate jo@example.com: deactivated (Jo Alvarez, reviewer)",
                "archive frontend: archived (1 interview continues)",
            ]
        );
        // Jo's token answers as a revoked one would; the fixture's users (no
        // email: outside the process) and the admin applying are untouched.
        let (s, problem) = p.get("/v1/me", &jo).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(problem["field"], "Authorization");
        let (s, _) = p.get("/v1/me", &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::OK);
        // Past scores stay.
        let kept = p
        .count(&format!("SELECT COUNT(*) FROM scores s JOIN assignments a ON a.id = s.assignment_id WHERE a.reviewer_id = '{jo_id}'"))
        .await;
        assert_eq!(kept, 1);
        // The archived role takes no invitations; its interview continues.
        let (s, problem) = invite(&p, &frontend, "Alan Turing").await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(problem["field"], "role_id");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("frontend"),
            "{problem}"
        );
        let (_, exported) = p.get("/v1/process", &p.f.admin).await;
        assert!(exported["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .all(|r| r["key"] != "frontend"));
        assert!(exported["users"]
            .as_array()
            .expect("users")
            .iter()
            .all(|u| u["email"] != "jo@example.com"));
        // Back in the document: reactivated and restored.
        let (s, v) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            changes(&v),
            vec![
                "reactivate jo@example.com: reactivated",
                "reactivate frontend: restored (new invitations allowed again)",
            ]
        );
        let (s, _) = p.get("/v1/me", &jo).await;
        assert_eq!(s, StatusCode::OK);
    }
);

both_backends!(
    routing_uses_the_roles_pool_and_count,
    |p: TestPlatform| async move {
        let mut doc = document();
        doc["roles"][0]["reviewers"] =
            json!(["riley@example.com", "sam@example.com", "jo@example.com"]);
        doc["roles"][0]["reviewers_per_interview"] = json!(1);
        let (s, _) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK);
        let role_id = id_of_role(&p, "backend-2027").await;
        let riley = user_id(&p, "riley@example.com").await;
        let (s, _) = p
            .call(
                p.request(
                    Method::PATCH,
                    &format!("/v1/users/{riley}"),
                    Some(&p.f.admin),
                )
                .json(&json!({"active": false})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let config = p.state.config.invitations.clone();
        assert_eq!(
            config.reviewers_per_interview, 2,
            "the server's default differs from the role's"
        );
        let now = p.state.clock.now();
        let mut w = p.state.db.begin_write().await.expect("begin");
        let set: String =
            sqlx::query("SELECT current_question_set_id FROM job_roles WHERE id = $1")
                .bind(&role_id)
                .fetch_one(&mut *w.tx)
                .await
                .expect("set")
                .get(0);
        let one =
            crate::support::completed_interview(&mut w.tx, now, &role_id, &set, "Edsger Dijkstra")
                .await;
        let two =
            crate::support::completed_interview(&mut w.tx, now, &role_id, &set, "Barbara Liskov")
                .await;
        let route = takes_platform::invitations::routing::assign;
        let (chosen, _) = route(&mut w.tx, &config, now, &one, &role_id)
            .await
            .expect("route");
        assert_eq!(chosen.len(), 1, "the role's reviewers_per_interview wins");
        assert_ne!(
            chosen[0].id, riley,
            "a deactivated reviewer is never chosen"
        );
        let first = chosen[0].id.clone();
        // The other active reviewer has less open work now.
        let (chosen, _) = route(&mut w.tx, &config, now, &two, &role_id)
            .await
            .expect("route");
        assert_eq!(chosen.len(), 1);
        assert_ne!(chosen[0].id, first);
        assert_ne!(chosen[0].id, riley);
        // Never the same reviewer twice on one interview.
        let (chosen, _) = route(&mut w.tx, &config, now, &one, &role_id)
            .await
            .expect("route");
        assert_eq!(chosen.len(), 1);
        assert_ne!(chosen[0].id, first);
        let (chosen, _) = route(&mut w.tx, &config, now, &one, &role_id)
            .await
            .expect("route");
        assert!(
            chosen.is_empty(),
            "only riley is left, and riley is deactivated"
        );
        w.commit().await.expect("commit");
    }
);

fn clip() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/clips/c01-q1.webm"))
        .expect("demo clip")
}

both_backends!(
    intro_videos_upload_once_and_reach_candidates,
    |p: TestPlatform| async move {
        let bytes = clip();
        let sha = takes_platform::ids::sha256_hex(&bytes);
        let put = |token: &str, body: Vec<u8>| {
            p.request(Method::PUT, "/v1/process/intro-videos", Some(token))
                .header("content-type", "video/webm")
                .body(body)
        };
        let (s, up) = p.call(put(&p.f.admin, bytes.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        assert_eq!(up["sha256"], sha.as_str());
        assert!(up["duration_s"].as_f64().unwrap_or(0.0) > 1.0);
        let (s, again) = p.call(put(&p.f.recruiter, bytes.clone())).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["media_id"], up["media_id"]);
        let (s, _) = p.call(put(&p.f.reviewers[0], bytes.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, problem) = p
            .call(put(&p.f.admin, b"not a video at all".to_vec()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "body");
        assert_eq!(p.count("SELECT COUNT(*) FROM intro_videos").await, 1);

        // A video not uploaded yet: planned (the CLI uploads before applying),
        // refused by an apply, which changes nothing.
        let mut doc = document();
        let unknown = "ab".repeat(32);
        doc["roles"][0]["intro_video"] = json!({"sha256": unknown, "file_name": "new.webm"});
        let (s, planned) = plan(&p, &p.f.admin, &doc, false).await;
        assert_eq!(s, StatusCode::OK, "{planned}");
        let (s, problem) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "role[0].intro_video");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM job_roles WHERE role_key = 'backend-2027'")
                .await,
            0
        );

        doc["roles"][0]["intro_video"] = json!({"sha256": sha, "file_name": "intro-backend.webm"});
        let (s, v) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let role_id = id_of_role(&p, "backend-2027").await;
        let (_, detail) = p.get(&format!("/v1/roles/{role_id}"), &p.f.admin).await;
        let url = format!(
            "/v1/media/intro-videos/{}",
            up["media_id"].as_str().expect("media id")
        );
        assert_eq!(detail["intro_video_url"], url.as_str());
        let served = p.http.get(p.url(&url)).send().await.expect("intro video");
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.bytes().await.expect("body").len(), bytes.len());
        // The uploaded video wins over a configured link.
        let (s, _) = p
            .call(
                p.request(
                    Method::PATCH,
                    &format!("/v1/roles/{role_id}/invitation-settings"),
                    Some(&p.f.admin),
                )
                .json(&json!({"intro_video_url": "https://videos.example.com/hello.mp4"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, inv) = invite(&p, &role_id, "Ada Lovelace").await;
        assert_eq!(s, StatusCode::CREATED, "{inv}");
        let secret = inv["access_secret"].as_str().expect("secret");
        let (s, view) = p.get("/v1/candidate/interview", secret).await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert_eq!(view["intro_video_url"], url.as_str());
        // The export names it, and plans to no changes.
        let (_, exported) = p.get("/v1/process", &p.f.admin).await;
        let (_, round) = plan(&p, &p.f.admin, &exported, false).await;
        assert!(changes(&round).is_empty(), "{round}");
    }
);

async fn demo_round_trip(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, report) = crate::demo_fixture::demo(backend, dir.path()).await;
    let state = storage
        .open(takes_platform::Clock::System)
        .await
        .expect("open");
    let admin = report
        .users
        .iter()
        .find(|u| u.role == "admin")
        .expect("admin")
        .token
        .clone();
    let server = takes_platform::start(state, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start");
    let base = server.base_url();
    let http = reqwest::Client::new();
    let exported: Value = http
        .get(format!("{base}/v1/process"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    assert!(
        exported["users"].as_array().map(Vec::len).unwrap_or(0) >= 5,
        "{exported}"
    );
    assert!(exported["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .all(|r| {
            r["key"].as_str().is_some_and(|k| !k.is_empty())
                && !r["recruiters"].as_array().expect("recruiters").is_empty()
        }));
    let planned: Value = http
        .post(format!("{base}/v1/process/plan"))
        .bearer_auth(&admin)
        .json(&json!({"document": exported, "prune": true}))
        .send()
        .await
        .expect("plan")
        .json()
        .await
        .expect("json");
    assert_eq!(planned["changes"], json!([]), "{planned}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_exports_and_plans_to_no_changes_sqlite() {
    demo_round_trip(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_exports_and_plans_to_no_changes_postgres() {
    demo_round_trip(Backend::Postgres).await;
}

both_backends!(
    six_questions_are_warned_about_but_kept_and_invited,
    |p: TestPlatform| async move {
        let prompts: Vec<String> = (1..=6)
            .map(|i| format!("Describe a time you handled situation {i}."))
            .collect();
        let prompts: Vec<&str> = prompts.iter().map(String::as_str).collect();
        let mut doc = json!({"users": [], "roles": [role("long-2027", &[], &prompts)]});
        doc["roles"][0]["recruiters"] = json!([]);
        let (s, planned) = plan(&p, &p.f.admin, &doc, false).await;
        assert_eq!(s, StatusCode::OK, "{planned}");
        let warned = planned["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["path"] == "role[0].question"));
        assert!(warned, "{planned}");
        let (s, applied) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");
        let role_id = id_of_role(&p, "long-2027").await;
        let (_, detail) = p.get(&format!("/v1/roles/{role_id}"), &p.f.admin).await;
        let positions: Vec<i64> = detail["versions"][0]["questions"]
            .as_array()
            .map(|qs| qs.iter().filter_map(|q| q["position"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(positions, vec![1, 2, 3, 4, 5, 6], "{detail}");
        let (s, inv) = invite(&p, &role_id, "Six Questions").await;
        assert!(s.is_success(), "{inv}");
        assert_eq!(inv["question_count"], 6, "{inv}");
    }
);
