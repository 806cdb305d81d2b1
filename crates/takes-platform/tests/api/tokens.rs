//! API tokens: listing with the last use, revocation (one's own, or an
//! admin's of anyone's) and expiry, each refused on the very next request.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use takes_api::UserRole;

use crate::both_backends;
use crate::support::TestPlatform;

async fn issue(
    p: &TestPlatform,
    name: &str,
    role: UserRole,
    expires_in: Option<i64>,
) -> (String, String) {
    let now = p.state.clock.now();
    let issued = takes_platform::auth::issue_token_expiring(
        &p.state.db,
        now,
        name,
        role,
        "test",
        expires_in.map(|ms| now + ms),
    )
    .await
    .expect("token");
    (issued.token_id, issued.token)
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

async fn revoke(p: &TestPlatform, token: &str, id: &str) -> (StatusCode, Value) {
    p.call(p.request(Method::DELETE, &format!("/v1/tokens/{id}"), Some(token)))
        .await
}

both_backends!(
    tokens_are_listed_revoked_and_expire,
    |p: TestPlatform| async move {
        let (laptop, laptop_token) = issue(&p, "Tess", UserRole::Reviewer, None).await;
        let (ci, ci_token) = issue(&p, "Tess", UserRole::Reviewer, Some(90 * 86_400_000)).await;
        let (_, other_token) = issue(&p, "Otto", UserRole::Reviewer, None).await;

        // Listed: one's own only, newest first, with expiry and last use.
        let (s, list) = p.get("/v1/tokens", &laptop_token).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let mine = ids(&list);
        assert_eq!(mine.len(), 2, "{list}");
        assert!(mine.contains(&laptop) && mine.contains(&ci), "{list}");
        let item = |id: &str| {
            list["items"]
                .as_array()
                .and_then(|a| a.iter().find(|t| t["id"] == id).cloned())
                .expect("listed")
        };
        assert_eq!(item(&laptop)["current"], true);
        assert!(item(&laptop)["last_used_at"].is_string(), "{list}");
        assert!(item(&ci)["last_used_at"].is_null(), "{list}");
        assert!(item(&ci)["expires_at"].is_string(), "{list}");
        assert!(list.to_string().find(&laptop_token).is_none());
        // Someone else's list, or everyone's, is for admins.
        let (s, _) = p.get("/v1/tokens?user_id=all", &laptop_token).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A reviewer cannot revoke someone else's token (nor learn it exists).
        let (s, problem) = revoke(&p, &other_token, &ci).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{problem}");
        let (s, _) = p.get("/v1/me", &ci_token).await;
        assert_eq!(s, StatusCode::OK);

        // One's own: refused at once.
        let (s, body) = revoke(&p, &laptop_token, &ci).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        let (s, problem) = p.get("/v1/me", &ci_token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("revoked")),
            "{problem}"
        );
        // Again: nothing changes.
        let (s, _) = revoke(&p, &laptop_token, &ci).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        // An admin revokes anyone's and sees everyone's.
        let (s, all) = p.get("/v1/tokens?user_id=all", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        assert!(ids(&all).contains(&laptop));
        let (s, _) = revoke(&p, &p.f.admin, &laptop).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = p.get("/v1/me", &laptop_token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = p.get("/v1/me", &other_token).await;
        assert_eq!(s, StatusCode::OK, "only the revoked tokens stop working");

        // Expiry: works until then, refused from then on.
        let (_, brief) = issue(&p, "Eve", UserRole::Reviewer, Some(1_500)).await;
        let (s, _) = p.get("/v1/me", &brief).await;
        assert_eq!(s, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1_600)).await;
        let (s, problem) = p.get("/v1/me", &brief).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("expired")),
            "{problem}"
        );

        // Both are in the audit log; no token is stored in plain text.
        let revoked: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoked'")
                .fetch_one(&p.state.db.pool)
                .await
                .expect("audit");
        assert_eq!(revoked, 2);
        let plain: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
                .bind(&ci_token)
                .fetch_one(&p.state.db.pool)
                .await
                .expect("tokens");
        assert_eq!(plain, 0);
    }
);
