//! The hiring process as data (issue 11), over real sockets on both
//! databases: export, plan and apply with versions, pruning, deactivation,
//! optimistic concurrency, intro videos, routing by a role's own pool and
//! the role browser's endpoints.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::support::TestPlatform;

pub fn question(prompt: &str) -> Value {
    json!({
        "prompt": prompt,
        "competency": "Ownership",
        "time_limit_s": 120,
        "thinking_time_s": 30,
        "rubric": {"scale_min": 1, "scale_max": 5, "pass_score": 3, "anchors": [
            {"score": 1, "label": "Weak", "description": "No example."},
            {"score": 3, "label": "Acceptable", "description": "A real example."},
            {"score": 5, "label": "Strong", "description": "A real example, measured."}
        ]}
    })
}

pub fn role(key: &str, reviewers: &[&str], prompts: &[&str]) -> Value {
    json!({
        "key": key,
        "title": format!("Title of {key}"),
        "department": "Engineering",
        "completion_window_hours": 72,
        "retakes": 1,
        "reviewers_per_interview": 2,
        "reviewers": reviewers,
        "recruiters": ["rec@example.com"],
        "hiring_manager": "hm@example.com",
        "support_contact": "talent@example.com",
        "questions": prompts.iter().map(|p| question(p)).collect::<Vec<_>>(),
    })
}

pub const PROMPTS: [&str; 3] = [
    "Describe a time you shipped under pressure.",
    "Describe a time you disagreed with a teammate.",
    "Describe a time you fixed a production incident.",
];

/// Three reviewers, a recruiter, and one role reviewed by the first two.
pub fn document() -> Value {
    json!({
        "users": [
            {"email": "riley@example.com", "name": "Riley Chen", "role": "reviewer"},
            {"email": "Sam@Example.com", "name": "Sam Okoro", "role": "reviewer"},
            {"email": "jo@example.com", "name": "Jo Alvarez", "role": "reviewer"},
            {"email": "rec@example.com", "name": "Rae Cruiter", "role": "recruiter"},
        ],
        "roles": [role("backend-2027", &["riley@example.com", "sam@example.com"], &PROMPTS)],
    })
}

pub async fn plan(p: &TestPlatform, token: &str, doc: &Value, prune: bool) -> (StatusCode, Value) {
    p.call(
        p.request(Method::POST, "/v1/process/plan", Some(token))
            .json(&json!({"document": doc, "prune": prune})),
    )
    .await
}

pub async fn apply(
    p: &TestPlatform,
    token: &str,
    doc: &Value,
    prune: bool,
    if_match: Option<&str>,
) -> (StatusCode, Value) {
    let mut rb = p
        .request(Method::PUT, "/v1/process", Some(token))
        .json(&json!({"document": doc, "prune": prune}));
    if let Some(tag) = if_match {
        rb = rb.header("If-Match", tag);
    }
    p.call(rb).await
}

pub async fn etag(p: &TestPlatform) -> String {
    let resp = p
        .request(Method::GET, "/v1/process", Some(&p.f.admin))
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag header")
        .to_string()
}

fn lines(v: &Value) -> Vec<String> {
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

fn token_of(v: &Value, email: &str) -> String {
    v["new_tokens"]
        .as_array()
        .expect("new_tokens")
        .iter()
        .find(|t| t["email"] == email)
        .and_then(|t| t["token"].as_str())
        .expect("a token for the new user")
        .to_string()
}

fn role_id(page: &Value, key: &str) -> String {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["key"] == key)
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("no role {key} in {page}"))
        .to_string()
}

both_backends!(plan_apply_and_reapply, |p: TestPlatform| async move {
    let doc = document();
    let before = etag(&p).await;
    let (s, planned) = plan(&p, &p.f.admin, &doc, false).await;
    assert_eq!(s, StatusCode::OK, "{planned}");
    assert_eq!(planned["etag"], before.as_str());
    assert_eq!(planned["summary"]["create"], 5, "{planned}");
    assert!(lines(&planned).contains(&"create sam@example.com: Sam Okoro (reviewer)".to_string()));
    // A plan changes nothing.
    assert_eq!(etag(&p).await, before);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE email IS NOT NULL")
            .await,
        0
    );

    let (s, applied) = apply(&p, &p.f.admin, &doc, false, Some(&before)).await;
    assert_eq!(s, StatusCode::OK, "{applied}");
    assert_eq!(
        lines(&applied),
        lines(&planned),
        "the apply did what the plan said"
    );
    assert_eq!(applied["new_tokens"].as_array().map(Vec::len), Some(4));
    assert_ne!(applied["etag"], before.as_str());
    assert_eq!(applied["etag"], etag(&p).await.as_str());
    // The new users' tokens work, once each; emails are stored lowercase.
    let sam = token_of(&applied, "sam@example.com");
    let (s, me) = p.get("/v1/me", &sam).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["name"], "Sam Okoro");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM api_tokens WHERE label = 'process'")
            .await,
        4
    );
    // Every change is in the audit log.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'process.%'")
            .await,
        5
    );

    // Applying the same document again: nothing to do.
    let (s, again) = plan(&p, &p.f.admin, &doc, false).await;
    assert_eq!(s, StatusCode::OK);
    assert!(lines(&again).is_empty(), "{again}");
    let (s, again) = apply(&p, &p.f.admin, &doc, false, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(lines(&again).is_empty(), "{again}");

    // Export plans to no changes (round trip).
    let (s, exported) = p.get("/v1/process", &p.f.admin).await;
    assert_eq!(s, StatusCode::OK);
    let (s, round) = plan(&p, &p.f.admin, &exported, false).await;
    assert_eq!(s, StatusCode::OK);
    assert!(lines(&round).is_empty(), "{round}\n{exported}");

    // The role browser: everyone lists; reviewers only their roles.
    let (s, page) = p.get("/v1/roles", &p.f.recruiter).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");
    let id = role_id(&page, "backend-2027");
    let (_, mine) = p.get("/v1/roles", &sam).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
    let jo = token_of(&applied, "jo@example.com");
    let (_, none) = p.get("/v1/roles", &jo).await;
    assert_eq!(none["items"], json!([]));
    let (s, _) = p.get(&format!("/v1/roles/{id}"), &sam).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, detail) = p.get(&format!("/v1/roles/{id}"), &p.f.recruiter).await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    assert_eq!(detail["versions"][0]["version"], 1);
    assert_eq!(detail["versions"][0]["questions"][0]["thinking_time_s"], 30);
    assert_eq!(detail["pool"].as_array().map(Vec::len), Some(2));
    assert_eq!(detail["recruiters"][0]["email"], "rec@example.com");
    assert_eq!(detail["reviewers_per_interview"], 2);
});

both_backends!(
    documents_larger_than_other_bodies_are_read,
    |p: TestPlatform| async move {
        // Under validate's 5,000-character limit per message, over 64 KiB in all.
        let message = "Why we interview asynchronously. ".repeat(140);
        let roles: Vec<Value> = (0..16)
            .map(|i| {
                let mut r = role(&format!("role-{i}"), &[], &PROMPTS);
                r["recruiters"] = json!([]);
                r["invitation_message"] = json!(message);
                r
            })
            .collect();
        let doc = json!({"users": [], "roles": roles});
        assert!(doc.to_string().len() > 64 * 1024);
        let (s, planned) = plan(&p, &p.f.admin, &doc, false).await;
        assert_eq!(s, StatusCode::OK, "{planned}");
        assert_eq!(planned["summary"]["create"], 16);
        // Not JSON: 415 naming the header; a wrong type names the field.
        let (s, problem) = p
            .call(
                p.request(Method::POST, "/v1/process/plan", Some(&p.f.admin))
                    .body(doc.to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(problem["field"], "Content-Type");
        let (s, problem) = p
            .call(
                p.request(Method::POST, "/v1/process/plan", Some(&p.f.admin))
                    .json(&json!({"document": {"roles": [{"key": 1}]}})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "document.roles[0].key");
    }
);

both_backends!(
    only_admins_change_the_process,
    |p: TestPlatform| async move {
        let doc = document();
        for token in [&p.f.recruiter, &p.f.reviewers[0]] {
            let (s, _) = plan(&p, token, &doc, false).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
            let (s, _) = apply(&p, token, &doc, false, None).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
            let (s, _) = p.get("/v1/process", token).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        assert_eq!(
            p.count("SELECT COUNT(*) FROM users WHERE email IS NOT NULL")
                .await,
            0
        );
    }
);

both_backends!(
    an_invalid_document_changes_nothing,
    |p: TestPlatform| async move {
        let before = etag(&p).await;
        let audit = p.count("SELECT COUNT(*) FROM audit_log").await;
        // A pool naming someone who is not a reviewer, after valid users and
        // a valid role: nothing of it may stay.
        let mut doc = document();
        doc["roles"].as_array_mut().expect("roles").push(role(
            "frontend",
            &["riley@example.com", "rec@example.com"],
            &PROMPTS,
        ));
        let (s, problem) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "role[1].reviewers[1]");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("not a reviewer"),
            "{problem}"
        );
        // A pool naming nobody.
        let mut doc2 = json!({"users": [], "roles": [role("x", &["ghost@example.com"], &PROMPTS)]});
        doc2["roles"][0]["recruiters"] = json!([]);
        let (s, problem) = apply(&p, &p.f.admin, &doc2, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "role[0].reviewers[0]");
        // Eleven questions: the hard limit is ten.
        let eleven: Vec<String> = (0..11).map(|i| format!("Describe a time {i}?")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        let mut doc3 = json!({"users": [], "roles": [role("x", &[], &eleven)]});
        doc3["roles"][0]["recruiters"] = json!([]);
        let (s, problem) = plan(&p, &p.f.admin, &doc3, false).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "role[0].question");
        assert!(problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 10"));
        // Nonsense windows; an intro video never uploaded.
        let mut doc4 = json!({"users": [], "roles": [role("x", &[], &PROMPTS)]});
        doc4["roles"][0]["completion_window_hours"] = json!(0);
        doc4["roles"][0]["recruiters"] = json!([]);
        let (s, problem) = apply(&p, &p.f.admin, &doc4, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "role[0].completion_window_hours");
        let mut doc5 = json!({"users": [], "roles": [role("x", &[], &PROMPTS)]});
        doc5["roles"][0]["recruiters"] = json!([]);
        doc5["roles"][0]["intro_video"] = json!({"sha256": "ab".repeat(32)});
        let (s, problem) = apply(&p, &p.f.admin, &doc5, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "role[0].intro_video");
        // A name another user has (names are unique).
        let doc6 = json!({"users": [
            {"email": "y@example.com", "name": "Same Name", "role": "reviewer"},
            {"email": "z@example.com", "name": "Same Name", "role": "reviewer"},
        ]});
        let (s, problem) = apply(&p, &p.f.admin, &doc6, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "user[1].name");
        // Unknown keys are refused by the body's schema.
        let (s, _) = p
            .call(
                p.request(Method::PUT, "/v1/process", Some(&p.f.admin))
                    .json(&json!({"document": {"users": [], "roles": [], "extra": 1}})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(etag(&p).await, before);
        assert_eq!(p.count("SELECT COUNT(*) FROM audit_log").await, audit);
        assert_eq!(
            p.count("SELECT COUNT(*) FROM users WHERE email IS NOT NULL")
                .await,
            0
        );
    }
);

both_backends!(
    a_stale_plan_is_refused_and_concurrent_applies_serialise,
    |p: TestPlatform| async move {
        let tag = etag(&p).await;
        let mut a = document();
        a["roles"][0]["title"] = json!("Backend A");
        let mut b = document();
        b["roles"][0]["title"] = json!("Backend B");
        let (ra, rb) = tokio::join!(
            apply(&p, &p.f.admin, &a, false, Some(&tag)),
            apply(&p, &p.f.admin, &b, false, Some(&tag)),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
            "{} {}",
            ra.1,
            rb.1
        );
        let (winner, loser) = if ra.0 == StatusCode::OK {
            ("Backend A", rb.1)
        } else {
            ("Backend B", ra.1)
        };
        assert_eq!(loser["field"], "If-Match");
        assert!(loser["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("changed on the server since your plan"));
        let (_, page) = p.get("/v1/roles", &p.f.admin).await;
        let titles: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|r| r["title"].as_str())
            .collect();
        assert!(titles.contains(&winner), "{titles:?}");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM users WHERE email IS NOT NULL")
                .await,
            4
        );
        assert_eq!(
            p.count("SELECT COUNT(*) FROM job_roles WHERE role_key = 'backend-2027'")
                .await,
            1
        );
        // Any other change moves the tag too: an old plan is refused.
        let now = etag(&p).await;
        let (s, _) = p
            .call(
                p.request(
                    Method::PATCH,
                    &format!("/v1/roles/{}", role_id(&page, "backend-2027")),
                    Some(&p.f.admin),
                )
                .json(&json!({"department": "Platform"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = apply(&p, &p.f.admin, &document(), false, Some(&now)).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    }
);
