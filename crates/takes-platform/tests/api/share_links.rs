//! Share links and the results page behind them: the link alone opens a
//! printable, script-free page of the submitted ratings; it expires, can be
//! revoked, and every view is audited.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use takes_platform::Clock;

use crate::both_backends;
use crate::support::{loopback_config, recruiter_may_decide, Backend, TestPlatform};

const NOTE: &str = "<script>alert('x')</script> & \"quotes\"";

/// Reviewer 0 rates every question 5 with a hostile note; reviewer 1
/// rates 2 without notes; reviewer 2 keeps a draft (never shown).
async fn reviewed(p: &TestPlatform) {
    for q in &p.f.questions {
        let (s, b) = p
            .put_score(
                &p.f.reviewers[0],
                &p.f.assignments[0],
                q,
                json!({"rating": 5, "note": NOTE}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = p.submit(&p.f.reviewers[0], &p.f.assignments[0]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    p.score_all_and_submit(&p.f.reviewers[1], &p.f.assignments[1], 2)
        .await;
    let (s, b) = p
        .put_score(
            &p.f.reviewers[2],
            &p.f.assignments[2],
            &p.f.questions[0],
            json!({"rating": 4, "note": "draft-only note"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn create(p: &TestPlatform, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut rb = p.request(
        Method::POST,
        &format!("/v1/interviews/{}/share-links", p.f.interview),
        Some(token),
    );
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    p.call(rb).await
}

/// The path of the link's page (`/results/TOKEN`).
fn page_path(link: &Value) -> String {
    let url = link["url"].as_str().expect("url");
    let (_, token) = url.rsplit_once("/results/").expect("a /results/ link");
    format!("/results/{token}")
}

/// Opens a page with no credentials: `(status, content type, headers, body)`.
async fn open(
    p: &TestPlatform,
    path: &str,
) -> (StatusCode, String, reqwest::header::HeaderMap, String) {
    let resp = p.http.get(p.url(path)).send().await.expect("page");
    let status = resp.status();
    let headers = resp.headers().clone();
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ctype, headers, resp.text().await.expect("body"))
}

both_backends!(link_opens_the_results_page, |p: TestPlatform| async move {
    reviewed(&p).await;
    recruiter_may_decide(&p.state, &p.f.interview).await;
    let (s, link) = create(&p, &p.f.recruiter, None).await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    assert!(
        link["url"].as_str().is_some_and(|u| u.starts_with(&p.base)),
        "{link}"
    );
    let (s, ctype, headers, html) = open(&p, &page_path(&link)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(html.contains(&p.f.candidate_name), "{html}");
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"),
        "{html}"
    );
    assert!(
        html.contains("Strong: Strong answer"),
        "rubric anchor of 5: {html}"
    );
    assert!(html.contains("Mean 3.50 of 2 ratings"), "{html}");
    assert!(
        !html.contains("draft-only note"),
        "drafts are never shown: {html}"
    );
    assert!(html.contains("none yet"), "{html}");
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        h("content-security-policy").starts_with("default-src 'none'; style-src 'sha256-"),
        "{headers:?}"
    );
    assert!(!h("content-security-policy").contains("script-src"));
    assert_eq!(h("referrer-policy"), "no-referrer");
    assert_eq!(h("cache-control"), "no-store");

    // The decision shows once made.
    let (s, b) = p
        .call(
            p.request(
                Method::POST,
                &format!("/v1/interviews/{}/decision", p.f.interview),
                Some(&p.f.recruiter),
            )
            .json(&json!({"action": "advance", "reason": "Clear <b>strong</b> answers"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, _, _, html) = open(&p, &page_path(&link)).await;
    assert!(html.contains("<strong>advance</strong>"), "{html}");
    assert!(
        html.contains("Clear &lt;b&gt;strong&lt;/b&gt; answers"),
        "{html}"
    );

    // Each view is audited; the listing never shows the token.
    let views = p
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.viewed'")
        .await;
    assert_eq!(views, 2);
    let (s, list) = p
        .get(
            &format!("/v1/interviews/{}/share-links", p.f.interview),
            &p.f.recruiter,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["id"], link["id"]);
    let token = page_path(&link).trim_start_matches("/results/").to_string();
    assert!(!list.to_string().contains(&token), "{list}");
});

both_backends!(revoked_and_unknown_links, |p: TestPlatform| async move {
    let (s, link) = create(&p, &p.f.admin, Some(json!({"days": 1}))).await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let path = page_path(&link);
    assert_eq!(open(&p, &path).await.0, StatusCode::OK);
    let (s, b) = p
        .call(p.request(
            Method::DELETE,
            &format!("/v1/share-links/{}", link["id"].as_str().expect("id")),
            Some(&p.f.admin),
        ))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, ctype, _, html) = open(&p, &path).await;
    assert_eq!(s, StatusCode::GONE, "{html}");
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(html.contains("revoked"), "{html}");
    assert!(!html.contains(&p.f.candidate_name), "{html}");
    let (s, ctype, _, _) = open(&p, "/results/sl_no-such-link").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    // Only the one good view was audited.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.viewed'")
            .await,
        1
    );
    let (s, list) = p
        .get(
            &format!("/v1/interviews/{}/share-links", p.f.interview),
            &p.f.admin,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(list["items"][0]["revoked_at"].is_string(), "{list}");
});

both_backends!(who_may_share_and_bad_days, |p: TestPlatform| async move {
    let before = p.count("SELECT COUNT(*) FROM share_links").await;
    for reviewer in [&p.f.reviewers[0], &p.f.outsider] {
        let (s, b) = create(&p, reviewer, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, _) = p
            .get(
                &format!("/v1/interviews/{}/share-links", p.f.interview),
                reviewer,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // Rita does not recruit for the fixture's role yet.
    let (s, b) = create(&p, &p.f.recruiter, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    for days in [json!(0), json!(91), json!("ten")] {
        let (s, b) = create(&p, &p.f.admin, Some(json!({"days": days}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            b["detail"].as_str().is_some_and(|d| d.contains("days")),
            "{b}"
        );
    }
    let (s, b) = p
        .call(p.request(
            Method::POST,
            "/v1/interviews/no-such/share-links",
            Some(&p.f.admin),
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(p.count("SELECT COUNT(*) FROM share_links").await, before);
});

async fn expiry(backend: Backend) {
    let clock = Clock::manual(Clock::System.now());
    let p = TestPlatform::start_with_clock(backend, loopback_config(), clock.clone()).await;
    let (s, link) = create(&p, &p.f.admin, Some(json!({"days": 2}))).await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let path = page_path(&link);
    clock.advance(2 * 24 * 3_600_000 - 1);
    assert_eq!(open(&p, &path).await.0, StatusCode::OK);
    clock.advance(1);
    let (s, _, _, html) = open(&p, &path).await;
    assert_eq!(s, StatusCode::GONE, "{html}");
    assert!(html.contains("expired"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_expires_sqlite() {
    expiry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_expires_postgres() {
    expiry(Backend::Postgres).await;
}
