//! Webhook endpoints cannot point the server into its own network: internal
//! addresses are refused at registration, and a delivery whose host resolves
//! inwards (an endpoint registered while its name pointed elsewhere: DNS
//! rebinding) never connects. `allow_private_networks` is not set here.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use takes_api::WebhookEventType;
use takes_platform::config::ServerConfig;
use takes_platform::store::webhooks as store;
use takes_platform::webhooks::outbox;

use crate::support::{Backend, TestPlatform};

macro_rules! without_allow_list {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(TestPlatform::start_with(Backend::Sqlite, ServerConfig::default()).await)
                    .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)(TestPlatform::start_with(Backend::Postgres, ServerConfig::default()).await)
                    .await;
            }
        }
    };
}

/// A listener that counts the connections it gets.
async fn listener() -> (u16, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((_conn, _)) = l.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, seen)
}

without_allow_list!(
    internal_endpoints_are_refused_at_registration,
    |p: TestPlatform| async move {
        let (port, seen) = listener().await;
        for url in [
            format!("http://127.0.0.1:{port}/"),
            "http://127.0.0.1:6379/".to_string(),
            format!("http://localhost:{port}/hook"),
            "http://[::1]:6379/".to_string(),
            "http://[::ffff:127.0.0.1]:6379/".to_string(),
            "http://0.0.0.0:6379/".to_string(),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://10.0.0.1/".to_string(),
            "http://172.16.5.4/".to_string(),
            "http://192.168.1.1/".to_string(),
            "http://224.0.0.1/".to_string(),
            "http://[fe80::1]/".to_string(),
            "http://[fd00::1]/".to_string(),
        ] {
            let (s, problem) = p
                .call(
                    p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                        .json(&json!({ "url": url })),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
            assert_eq!(problem["field"], "url", "{url}: {problem}");
            let detail = problem["detail"].as_str().unwrap_or_default();
            assert!(detail.contains("allow_private_networks"), "{url}: {detail}");
        }
        assert_eq!(p.count("SELECT COUNT(*) FROM webhook_endpoints").await, 0);
        assert_eq!(seen.load(Ordering::SeqCst), 0);
    }
);

without_allow_list!(
    deliveries_never_connect_to_internal_addresses,
    |p: TestPlatform| async move {
        let (port, seen) = listener().await;
        let now = p.state.clock.now();
        let mut w = p.state.db.begin_write().await.expect("begin");
        // As if registered while the name resolved to a public address.
        for (id, url) in [
            ("ep-name", format!("http://localhost:{port}/hook")),
            ("ep-addr", format!("http://127.0.0.1:{port}/hook")),
        ] {
            store::insert_endpoint(
                &mut w.tx,
                store::NewEndpoint {
                    id,
                    url: &url,
                    description: "",
                    event_types_json: "[]",
                    secret: &takes_platform::webhooks::signing::new_secret(),
                    contact_email: None,
                    created_by: &p.f.reviewer_ids[0],
                    at: now,
                },
            )
            .await
            .expect("endpoint");
        }
        outbox::record(
            &mut w.tx,
            outbox::NewEvent {
                kind: WebhookEventType::ReviewSubmitted,
                interview_id: None,
                order: None,
                data: json!({}),
                at: now,
            },
        )
        .await
        .expect("event");
        w.commit().await.expect("commit");
        p.state.webhooks.wake();
        let started = std::time::Instant::now();
        while p
            .count("SELECT COUNT(*) FROM webhook_attempts WHERE error LIKE '%refused to connect%'")
            .await
            < 2
        {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "both deliveries were not attempted"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Give a stray connection time to show up.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 0, "the listener was reached");
        let (s, page) = p.get("/v1/webhooks/deliveries", &p.f.admin).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{page}");
        for d in items {
            let error = d["last_error"].as_str().unwrap_or_default();
            assert!(error.contains("loopback"), "{d}");
            assert_eq!(d["state"], "pending", "{d}");
        }
    }
);
