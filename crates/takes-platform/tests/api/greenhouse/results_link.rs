//! The link Greenhouse shows its users (`partner_profile_url`) opens the
//! results page without an API token, is the same on every poll, is the
//! `results_url` of the outbound events, expires (replaced by a new link
//! on the next poll) and, once revoked, is not replaced.

use sqlx::Row;
use takes_platform::clock::DAY;

use super::*;

/// An endpoint listening for the two events that carry the link (its
/// deliveries fail: nothing listens there; only the payloads matter).
async fn listen(g: &Gh, admin_id: &str) {
    let p = &g.p;
    let mut w = p.state.db.begin_write().await.expect("begin");
    takes_platform::store::webhooks::insert_endpoint(
        &mut w.tx,
        takes_platform::store::webhooks::NewEndpoint {
            id: "ep-results",
            url: &format!("http://{}/hook", g.callback),
            description: "results links",
            event_types_json: r#"["interview.completed", "interview.reviewed", "decision.made"]"#,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            contact_email: None,
            created_by: admin_id,
            at: p.clock.now(),
        },
    )
    .await
    .expect("endpoint");
    w.commit().await.expect("commit");
}

/// `data.results_url` of the interview's latest event of `kind`.
async fn results_url_of(g: &Gh, kind: &str, id: &str) -> Option<String> {
    let row = sqlx::query(
        "SELECT body FROM webhook_events WHERE event_type = $1 AND interview_id = $2 \
         ORDER BY created_at DESC, seq DESC LIMIT 1",
    )
    .bind(kind)
    .bind(id)
    .fetch_one(&g.p.state.db.pool)
    .await
    .unwrap_or_else(|e| panic!("a {kind} event: {e}"));
    let body: Value = serde_json::from_str(&row.get::<String, _>("body")).expect("JSON");
    body["data"]["results_url"].as_str().map(str::to_string)
}

/// Opens `link` as a Greenhouse user would: no Authorization header.
async fn open(g: &Gh, link: &str) -> (StatusCode, String, String) {
    let resp = g.p.http.get(link).send().await.expect("page");
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ctype, resp.text().await.expect("body"))
}

fn profile_url(status: &Value) -> String {
    status["partner_profile_url"]
        .as_str()
        .unwrap_or_else(|| panic!("partner_profile_url: {status}"))
        .to_string()
}

crate::both_backends_with!(
    the_profile_link_opens_stays_the_same_and_ends,
    start,
    |g: Gh| async move {
        let p = &g.p;
        let (admin_id, _) = takes_platform::auth::issue_token(
            &p.state.db,
            p.clock.now(),
            "Ada Listener",
            takes_api::UserRole::Admin,
            "test",
        )
        .await
        .expect("admin");
        listen(&g, &admin_id).await;
        let greenhouse = StandIn::start(g.callback, |_, _| (200, json!({}))).await;
        let id = g
            .send_test(
                KEY,
                g.send_test_body(&p.roles.support, 501, "link@example.com"),
            )
            .await;

        // From the first poll on, one link, the same on every poll.
        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "invited", "{status}");
        let link = profile_url(&status);
        assert!(
            link.starts_with(&format!("{}/results/sl_", p.base)),
            "{link}"
        );
        assert!(
            !link.contains(&id),
            "the link names a token, not the interview: {link}"
        );
        assert_eq!(profile_url(&g.status(KEY, &id).await), link);

        p.complete(&id).await;
        assert_eq!(
            results_url_of(&g, "interview.completed", &id)
                .await
                .as_deref(),
            Some(link.as_str()),
            "interview.completed carries the same link"
        );
        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "awaiting_review", "{status}");
        assert_eq!(profile_url(&status), link);

        g.review(&id, "Rev Linked", [4, 5], Some("Explains the trade-offs"))
            .await;
        eventually("Greenhouse got the PATCH", || async {
            !greenhouse.received().is_empty()
        })
        .await;
        assert_eq!(
            results_url_of(&g, "interview.reviewed", &id)
                .await
                .as_deref(),
            Some(link.as_str()),
            "interview.reviewed carries the same link"
        );
        let first = g.status(KEY, &id).await;
        let second = g.status(KEY, &id).await;
        assert_eq!(first["partner_status"], "complete", "{first}");
        assert_eq!(profile_url(&first), link, "{first}");
        assert_eq!(profile_url(&second), link, "{second}");

        // It opens for someone with no API token: HTML, the panel's
        // ratings and notes.
        let (s, ctype, html) = open(&g, &link).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(ctype.starts_with("text/html"), "{ctype}");
        for text in [
            "Harry Potter",
            "Support Engineer",
            "Rev Linked",
            "Explains the trade-offs",
            "Mean 4.00",
            "Mean 5.00",
        ] {
            assert!(html.contains(text), "{text} is missing: {html}");
        }

        let (_, recruiter) = g.recruiter("Rita Linked", &p.roles.support).await;
        let (s, b) = p
            .call(
                p.http
                    .post(p.url(&format!("/v1/interviews/{id}/decision")))
                    .bearer_auth(&recruiter)
                    .json(&json!({"action": "hold"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(
            results_url_of(&g, "decision.made", &id).await.as_deref(),
            Some(link.as_str()),
            "decision.made carries the same link"
        );
        // One system link was made, however often it was shown, and every
        // view is audited.
        assert_eq!(
            p.count("SELECT COUNT(*) FROM share_links WHERE created_by IS NULL")
                .await,
            1
        );
        assert!(
            p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.viewed'")
                .await
                >= 1
        );
        let secret_rows = p.count("SELECT COUNT(*) FROM server_secrets").await;
        assert_eq!(secret_rows, 1, "the server secret is made once");

        // 90 days (the default) later the link no longer opens; the next
        // poll gives a new one that does.
        p.clock.advance(90 * DAY);
        let (s, _, html) = open(&g, &link).await;
        assert_eq!(s, StatusCode::GONE, "{html}");
        assert!(html.contains("expired"), "{html}");
        let renewed = profile_url(&g.status(KEY, &id).await);
        assert_ne!(renewed, link);
        assert_eq!(profile_url(&g.status(KEY, &id).await), renewed);
        let (s, _, html) = open(&g, &renewed).await;
        assert_eq!(s, StatusCode::OK, "{html}");

        // Revoked like any share link; then not given again.
        let (s, list) = p
            .call(
                p.http
                    .get(p.url(&format!("/v1/interviews/{id}/share-links")))
                    .bearer_auth(&recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let items = list["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{list}");
        assert!(items.iter().all(|l| l["created_by"].is_null()), "{list}");
        let live = items[0]["id"].as_str().expect("id");
        let (s, b) = p
            .call(
                p.http
                    .delete(p.url(&format!("/v1/share-links/{live}")))
                    .bearer_auth(&recruiter),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let (s, ctype, html) = open(&g, &renewed).await;
        assert_eq!(s, StatusCode::GONE, "{html}");
        assert!(
            ctype.starts_with("text/html") && html.contains("revoked"),
            "{html}"
        );
        // Greenhouse requires a profile URL with `complete`: it keeps the
        // revoked one, whose page says so; no new link is made.
        let status = g.status(KEY, &id).await;
        assert_eq!(status["partner_status"], "complete", "{status}");
        assert_eq!(profile_url(&status), renewed, "{status}");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM share_links WHERE created_by IS NULL")
                .await,
            2,
            "a revoked link is not replaced"
        );
        // Nor do later events carry it.
        let (s, b) = p
            .call(
                p.http
                    .post(p.url(&format!("/v1/interviews/{id}/decision")))
                    .bearer_auth(&recruiter)
                    .json(&json!({"action": "advance"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(
            p.count("SELECT COUNT(*) FROM webhook_events WHERE event_type = 'decision.made'")
                .await,
            2
        );
        assert_eq!(results_url_of(&g, "decision.made", &id).await, None);
        greenhouse.stop().await;
    }
);

// `[share_links] system_days` sets how long the platform's links work.
crate::both_backends_with!(
    the_link_lifetime_comes_from_the_config,
    |b| crate::ats_support::greenhouse::start_with(b, |_| "[share_links]\nsystem_days = 2\n"
        .into()),
    |g: Gh| async move {
        let p = &g.p;
        let id = g
            .send_test(
                KEY,
                g.send_test_body(&p.roles.support, 502, "short@example.com"),
            )
            .await;
        let link = profile_url(&g.status(KEY, &id).await);
        p.clock.advance(2 * DAY - 1);
        assert_eq!(open(&g, &link).await.0, StatusCode::OK);
        p.clock.advance(1);
        assert_eq!(open(&g, &link).await.0, StatusCode::GONE);
    }
);
