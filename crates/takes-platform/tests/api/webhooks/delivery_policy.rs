//! Issue 16 against a local receiver that answers as told: secret
//! rotation (both signatures, checked by the reference Python library),
//! `Retry-After` and the slow-down statuses, and the failing-endpoint
//! notice to the endpoint's contact.

use super::*;

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Waits a moment for anything the worker would still send.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

hooks_test!(rotation_sends_both_signatures, |h: Hooks| async move {
    let rx = Receiver::start(any_port(), 200).await;
    let (endpoint, old) = h.register(&hook_url(rx.addr)).await;
    h.decide(0, "hold").await;
    until("first delivery", || async { rx.received().len() == 1 }).await;
    assert_eq!(rx.received()[0].signature.split(' ').count(), 1);

    // Bad input changes nothing.
    let path = format!("/v1/webhooks/endpoints/{endpoint}/rotate-secret");
    for (body, status, field) in [
        (json!({"overlap_hours": 500}), 422, "overlap_hours"),
        (json!({"overlap_hours": -1}), 422, "overlap_hours"),
    ] {
        let (s, p) = h.call(Method::POST, &path, &h.admin, Some(body)).await;
        assert_eq!(s.as_u16(), status, "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains(field)),
            "{p}"
        );
    }
    let (s, _) = h.call(Method::POST, &path, &h.recruiter, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h
        .call(
            Method::POST,
            "/v1/webhooks/endpoints/nope/rotate-secret",
            &h.admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_endpoint.secret_rotated'")
            .await,
        0
    );

    let (s, r) = h
        .call(
            Method::POST,
            &path,
            &h.admin,
            Some(json!({"overlap_hours": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let new = r["secret"].as_str().expect("new secret").to_string();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(r["previous_secret_expires_at"].is_string(), "{r}");
    let (_, listed) = h
        .call(
            Method::GET,
            &format!("/v1/webhooks/endpoints/{endpoint}"),
            &h.admin,
            None,
        )
        .await;
    assert!(
        listed.get("secret").is_none(),
        "the secret is shown once: {listed}"
    );

    // During the window: two signatures, each valid under its own secret,
    // as the reference library checks them (and its unpadded form too).
    h.decide(0, "reject").await;
    until("second delivery", || async { rx.received().len() == 2 }).await;
    let during = rx.received()[1..].to_vec();
    assert_eq!(
        during[0].signature.split(' ').count(),
        2,
        "{}",
        during[0].signature
    );
    verify_with_python(&old, &during);
    verify_with_python(&new, &during);
    verify_with_python(new.trim_end_matches('='), &during);

    // After the window only the new secret signs.
    h.advance(3 * HOUR);
    h.decide(1, "hold").await;
    until("third delivery", || async { rx.received().len() == 3 }).await;
    let after = rx.received()[2..].to_vec();
    assert_eq!(after[0].signature.split(' ').count(), 1);
    verify_with_python(&new, &after);

    // The CLI's rotation, with no overlap: the old secret stops at once.
    let rotated = ops::cli_rotate_secret(&h.state, &endpoint, Some(0))
        .await
        .expect("cli rotation");
    assert!(rotated.endpoint.previous_secret_expires_at.is_none());
    h.decide(1, "advance").await;
    until("fourth delivery", || async { rx.received().len() == 4 }).await;
    let last = rx.received()[3..].to_vec();
    assert_eq!(last[0].signature.split(' ').count(), 1);
    verify_with_python(&rotated.secret, &last);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_endpoint.secret_rotated'")
            .await,
        2
    );
    rx.stop().await;
});

hooks_test!(
    retry_after_and_slow_down_hold_the_endpoint,
    |h: Hooks| async move {
        let rx = Receiver::start(any_port(), 429).await;
        rx.answer(429, Some("3600"));
        let (endpoint, _) = h.register(&hook_url(rx.addr)).await;
        h.decide(0, "hold").await;
        until("first attempt recorded", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1")
                .await
                == 1
        })
        .await;
        let (_, e) = h
            .call(
                Method::GET,
                &format!("/v1/webhooks/endpoints/{endpoint}"),
                &h.admin,
                None,
            )
            .await;
        assert!(e["throttled_until"].is_string(), "{e}");
        // Another interview's event is not sent while the receiver said wait,
        // though it is not behind the first in order.
        h.decide(1, "hold").await;
        h.advance(30 * 60 * 1000);
        settle().await;
        assert_eq!(rx.received().len(), 1, "nothing before Retry-After");
        rx.answer(200, None);
        h.advance(31 * 60 * 1000);
        until("both delivered", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
                .await
                == 2
        })
        .await;
        assert_eq!(rx.received().len(), 3);

        // 502 without Retry-After: the 5 s step of the schedule becomes a
        // minute's hold.
        rx.answer(502, None);
        h.decide(0, "advance").await;
        until("502 recorded", || async {
            h.count("SELECT COUNT(*) FROM webhook_attempts WHERE status_code = 502")
                .await
                == 1
        })
        .await;
        h.advance(10 * 1000);
        settle().await;
        assert_eq!(rx.received().len(), 4, "a 502 slows down past the 5 s step");
        rx.answer(200, None);
        h.advance(60 * 1000);
        until("delivered after the hold", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
                .await
                == 3
        })
        .await;
        let (_, d) = h
            .call(
                Method::GET,
                "/v1/webhooks/deliveries?limit=50",
                &h.admin,
                None,
            )
            .await;
        let statuses: Vec<i64> = d["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["last_status"].as_i64())
            .collect();
        assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
        rx.stop().await;
    }
);

hooks_test!(
    a_failing_endpoint_is_flagged_and_its_contact_told_once,
    |h: Hooks| async move {
        let addr = closed_port().await;
        let (s, p) = h
            .call(
                Method::POST,
                "/v1/webhooks/endpoints",
                &h.admin,
                Some(json!({"url": hook_url(addr), "contact_email": "not an address"})),
            )
            .await;
        assert_eq!(s.as_u16(), 422, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("contact_email")),
            "{p}"
        );
        assert_eq!(h.count("SELECT COUNT(*) FROM webhook_endpoints").await, 0);
        let (s, body) = h
        .call(
            Method::POST,
            "/v1/webhooks/endpoints",
            &h.admin,
            Some(json!({"url": hook_url(addr), "description": "Zapier", "contact_email": "ops@example.com"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let endpoint = body["id"].as_str().expect("id").to_string();
        assert_eq!(body["contact_email"], "ops@example.com");
        h.decide(0, "hold").await;
        h.decide(1, "hold").await;
        // Fail, step by step, until a day of failures has been seen.
        let mut rounds = 0;
        while h
            .count("SELECT COUNT(*) FROM webhook_endpoints WHERE failure_notified_at IS NOT NULL")
            .await
            == 0
        {
            rounds += 1;
            assert!(rounds <= 10, "never flagged");
            h.advance(4 * HOUR);
            settle().await;
        }
        assert!(rounds >= 6, "flagged only after a day: round {rounds}");
        // More failures: still one notice.
        h.advance(12 * HOUR);
        settle().await;
        let (_, e) = h
            .call(
                Method::GET,
                &format!("/v1/webhooks/endpoints/{endpoint}"),
                &h.admin,
                None,
            )
            .await;
        assert!(e["failing_since"].is_string(), "{e}");
        assert!(e["failure_notified_at"].is_string(), "{e}");
        assert_eq!(e["status"], "active", "failing is not disabled: {e}");
        let mails = sqlx::query(
            "SELECT to_address, subject, body FROM email_outbox WHERE kind = 'webhook_failing'",
        )
        .fetch_all(&h.state.db.pool)
        .await
        .expect("mails");
        assert_eq!(mails.len(), 1, "one notice per failing streak");
        assert_eq!(mails[0].get::<String, _>("to_address"), "ops@example.com");
        assert!(mails[0]
            .get::<String, _>("subject")
            .contains(&hook_url(addr)));
        assert!(mails[0].get::<String, _>("body").contains(&endpoint));
        let rows = ops::cli_list(&h.state).await.expect("list");
        assert!(rows[0].to_string().contains("failing since"), "{}", rows[0]);
        assert_eq!(
            h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_endpoint.failing'")
                .await,
            1
        );

        // Back up: the flag clears; a later streak would be told again.
        let rx = Receiver::start(addr, 200).await;
        h.advance(DAY + 3 * HOUR);
        until("delivered", || async {
            h.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")
                .await
                == 2
        })
        .await;
        let (_, e) = h
            .call(
                Method::GET,
                &format!("/v1/webhooks/endpoints/{endpoint}"),
                &h.admin,
                None,
            )
            .await;
        assert_eq!(e["failing_since"], Value::Null, "{e}");
        // The contact can be removed.
        let (s, e) = h
            .call(
                Method::PATCH,
                &format!("/v1/webhooks/endpoints/{endpoint}"),
                &h.admin,
                Some(json!({"contact_email": ""})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["contact_email"], Value::Null);
        rx.stop().await;
    }
);
