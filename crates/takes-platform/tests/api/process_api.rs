//! The user and role endpoints behind the process: the same rules as an
//! apply, one role or one person at a time.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::process::{etag, role, PROMPTS};
use crate::support::TestPlatform;

async fn send(
    p: &TestPlatform,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    p.call(p.request(method, path, Some(token)).json(&body))
        .await
}

both_backends!(
    admins_manage_users_and_tokens,
    |p: TestPlatform| async move {
        let body =
            json!({"email": "New.Person@Example.com", "name": "New Person", "role": "reviewer"});
        let (s, _) = send(&p, Method::POST, "/v1/users", &p.f.recruiter, body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let tag = etag(&p).await;
        let (s, created) = send(&p, Method::POST, "/v1/users", &p.f.admin, body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["user"]["email"], "new.person@example.com");
        assert_ne!(etag(&p).await, tag, "any change moves the process's ETag");
        let token = created["token"]["token"]
            .as_str()
            .expect("token")
            .to_string();
        let id = created["user"]["id"].as_str().expect("id").to_string();
        let (s, me) = p.get("/v1/me", &token).await;
        assert_eq!(s, StatusCode::OK, "{me}");
        let (s, problem) = send(&p, Method::POST, "/v1/users", &p.f.admin, body).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(problem["field"], "email");
        let bad = json!({"email": "not an email", "name": "X", "role": "reviewer"});
        let (s, problem) = send(&p, Method::POST, "/v1/users", &p.f.admin, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "email");

        let path = format!("/v1/users/{id}");
        let (s, user) = send(
            &p,
            Method::PATCH,
            &path,
            &p.f.admin,
            json!({"name": "Renamed", "active": false}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{user}");
        assert_eq!(user["active"], false);
        assert_eq!(user["name"], "Renamed");
        let (s, _) = p.get("/v1/me", &token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let tokens = format!("/v1/users/{id}/tokens");
        let (s, _) = send(&p, Method::POST, &tokens, &p.f.admin, json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, _) = send(
            &p,
            Method::PATCH,
            &path,
            &p.f.admin,
            json!({"active": true}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = p.get("/v1/me", &token).await;
        assert_eq!(s, StatusCode::OK);
        let (s, issued) = send(&p, Method::POST, &tokens, &p.f.admin, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        let (s, _) = p
            .get("/v1/me", issued["token"].as_str().expect("token"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, page) = p.get("/v1/users", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|u| u["id"] == id.as_str()));
        let (s, _) = p.get("/v1/users", &p.f.reviewers[0]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both_backends!(roles_through_the_api, |p: TestPlatform| async move {
    use sqlx::Row;
    let mut body = role("support-2027", &[], &PROMPTS);
    body["recruiters"] = json!([]);
    let (s, _) = send(&p, Method::POST, "/v1/roles", &p.f.recruiter, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, created) = send(&p, Method::POST, "/v1/roles", &p.f.admin, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let (s, _) = send(&p, Method::POST, "/v1/roles", &p.f.admin, body).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A recruiter changes only the roles they own.
    let path = format!("/v1/roles/{id}");
    let (s, _) = send(
        &p,
        Method::PATCH,
        &path,
        &p.f.recruiter,
        json!({"title": "Support"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let rita: String = sqlx::query("SELECT id FROM users WHERE name = 'Rita Recruiter'")
        .fetch_one(&p.state.db.pool)
        .await
        .expect("rita")
        .get(0);
    let recruiters = format!("/v1/roles/{id}/recruiters");
    let (s, _) = send(
        &p,
        Method::PUT,
        &recruiters,
        &p.f.admin,
        json!({"user_ids": [rita]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, changed) = send(
        &p,
        Method::PATCH,
        &path,
        &p.f.recruiter,
        json!({"title": "Support", "completion_window_hours": 120}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "Support");
    assert_eq!(changed["completion_window_hours"], 120);
    let (s, problem) = send(
        &p,
        Method::PATCH,
        &path,
        &p.f.recruiter,
        json!({"completion_window_hours": 0}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "completion_window_hours");

    // The pool: reviewers only, by id.
    let reviewers = format!("/v1/roles/{id}/reviewers");
    let (s, problem) = send(
        &p,
        Method::PUT,
        &reviewers,
        &p.f.recruiter,
        json!({"user_ids": [rita]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "user_ids[0]");
    let ids = &p.f.reviewer_ids;
    let (s, d) = send(
        &p,
        Method::PUT,
        &reviewers,
        &p.f.recruiter,
        json!({"user_ids": [ids[0], ids[1]]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["pool"].as_array().map(Vec::len), Some(2));

    // New questions: in place while nobody was invited, then versions.
    let sets = format!("/v1/roles/{id}/question-sets");
    let qs = json!({"retakes": 2, "questions": [crate::process::question("Describe a time A."),
        crate::process::question("Describe a time B."), crate::process::question("Describe a time C.")]});
    let (s, d) = send(&p, Method::POST, &sets, &p.f.recruiter, qs.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["versions"][0]["retakes"], 2);
    let (s, inv) = p
        .call(
            p.request(Method::POST, "/v1/invitations", Some(&p.f.recruiter))
                .json(&json!({
            "role_id": id, "candidate_name": "Ada", "candidate_email": "ada@example.org"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    let mut qs2 = qs.clone();
    qs2["retakes"] = json!(1);
    let (s, d) = send(&p, Method::POST, &sets, &p.f.recruiter, qs2).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(d["versions"][0]["version"], 2);
    assert_eq!(d["versions"][1]["interviews_in_flight"], 1);
    let too_many = json!({"retakes": 1, "questions": (0..11).map(|i| crate::process::question(&format!("Q{i}?"))).collect::<Vec<_>>()});
    let (s, problem) = send(&p, Method::POST, &sets, &p.f.recruiter, too_many).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "question");

    // Archiving stops invitations.
    let (s, _) = send(
        &p,
        Method::PATCH,
        &path,
        &p.f.recruiter,
        json!({"archived": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = p
        .call(
            p.request(Method::POST, "/v1/invitations", Some(&p.f.recruiter))
                .json(&json!({
            "role_id": id, "candidate_name": "Alan", "candidate_email": "alan@example.org"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
});

both_backends!(token_create_with_an_email, |p: TestPlatform| async move {
    use takes_platform::auth::{issue_token_for, NewTokenUser};
    let now = p.state.clock.now();
    let who = |email| NewTokenUser {
        name: "Ops Admin",
        role: takes_api::UserRole::Admin,
        email,
    };
    let issued = issue_token_for(&p.state.db, now, who(Some("Ops@Example.com")), "cli", None)
        .await
        .expect("token");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE email = 'ops@example.com'")
            .await,
        1
    );
    // The same user again with the same email is fine; another email is not.
    issue_token_for(&p.state.db, now, who(Some("ops@example.com")), "cli", None)
        .await
        .expect("again");
    assert!(issue_token_for(
        &p.state.db,
        now,
        who(Some("other@example.com")),
        "cli",
        None
    )
    .await
    .is_err());
    assert!(
        issue_token_for(&p.state.db, now, who(Some("not an email")), "cli", None)
            .await
            .is_err()
    );
    // A user made without an email is adopted by a document of the same name.
    let _ = issued;
    let doc =
        json!({"users": [{"email": "rev0@example.com", "name": "Rev Zero", "role": "reviewer"}]});
    let (s, v) = crate::process::apply(&p, &p.f.admin, &doc, false, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["new_tokens"], json!([]));
    assert_eq!(v["changes"][0]["op"], "update");
    let (s, me) = p.get("/v1/me", &p.f.reviewers[0]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["name"], "Rev Zero");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE email = 'rev0@example.com'")
            .await,
        1
    );
});
