//! Slow and oversized clients cannot starve the server: 200 of them at
//! once (half trickling their headers, half declaring a large body they
//! never send, without a token) and `/v1/health` still answers within a
//! second; the unauthenticated ones get 401 without their bodies being
//! read, and the trickling ones are cut off after the header timeout.

use std::time::{Duration, Instant};

use takes_platform::config::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, TestPlatform};

const CLIENTS: usize = 100;

fn config() -> ServerConfig {
    ServerConfig::parse(
        std::path::Path::new("test.toml"),
        "[http]\nheader_read_timeout_seconds = 1\nbody_read_timeout_seconds = 1\n",
    )
    .expect("config")
}

/// What the server sent before `limit` ran out: `Ok(text)` when it
/// answered or closed, `Err(())` when it said nothing at all.
async fn answer_within(conn: &mut TcpStream, limit: Duration) -> Result<String, ()> {
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(limit, conn.read(&mut buf)).await {
        Ok(Ok(n)) => Ok(String::from_utf8_lossy(&buf[..n]).into_owned()),
        // A reset is an answer too: the connection is gone.
        Ok(Err(e)) => Ok(format!("reset: {e}")),
        Err(_) => Err(()),
    }
}

async fn connect(addr: String, head: String) -> TcpStream {
    let mut c = TcpStream::connect(&addr).await.expect("connect");
    c.write_all(head.as_bytes()).await.expect("write");
    c
}

async fn run(p: TestPlatform) {
    let addr = p.base.trim_start_matches("http://").to_string();
    let score = format!(
        "/v1/assignments/{}/scores/{}",
        p.f.assignments[0], p.f.questions[0]
    );
    let started = Instant::now();
    let mut trickling = Vec::new();
    let mut unauthenticated = Vec::new();
    for i in 0..CLIENTS {
        // Headers that never end.
        trickling.push(tokio::spawn(connect(
            addr.clone(),
            format!("GET /v1/me HTTP/1.1\r\nHost: slow\r\nX-Slow-{i}: 1"),
        )));
        // A large body declared, a few bytes sent, no credentials.
        unauthenticated.push(tokio::spawn(connect(
            addr.clone(),
            format!(
                "PUT {score} HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\n\
                 Content-Length: 3000000\r\n\r\n{{\"rating\""
            ),
        )));
    }
    let mut trickling_conns = Vec::new();
    for t in trickling {
        trickling_conns.push(t.await.expect("client"));
    }
    let mut unauthenticated_conns = Vec::new();
    for t in unauthenticated {
        unauthenticated_conns.push(t.await.expect("client"));
    }

    // Everyone else is still served promptly.
    for _ in 0..5 {
        let t = Instant::now();
        let resp = p
            .http
            .get(p.url("/v1/health"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("health answered");
        assert!(resp.status().is_success(), "{}", resp.status());
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "health took {:?} among 200 slow clients",
            t.elapsed()
        );
    }

    // 401 at once, the declared body never awaited.
    for (i, c) in unauthenticated_conns.iter_mut().enumerate() {
        let got = answer_within(c, Duration::from_secs(3)).await;
        assert!(
            got.as_ref().is_ok_and(|t| t.starts_with("HTTP/1.1 401")),
            "unauthenticated client {i}: {got:?}"
        );
    }
    // Cut off once the header timeout has passed (hyper may say 408 first).
    for (i, c) in trickling_conns.iter_mut().enumerate() {
        let got = answer_within(c, Duration::from_secs(4)).await;
        assert!(
            got.as_ref()
                .is_ok_and(|t| t.is_empty() || t.starts_with("reset") || t.contains(" 408 ")),
            "trickling client {i} is still connected: {got:?}"
        );
    }

    // An authenticated client declaring too much is told 413 without
    // sending it.
    let mut c = connect(
        addr.clone(),
        format!(
            "PUT {score} HTTP/1.1\r\nHost: slow\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n",
            p.f.reviewers[0]
        ),
    )
    .await;
    let got = answer_within(&mut c, Duration::from_secs(3)).await;
    assert!(
        got.as_ref().is_ok_and(|t| t.starts_with("HTTP/1.1 413")),
        "authenticated oversized: {got:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

mod two_hundred_slow_clients_do_not_starve_the_server {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(TestPlatform::start_with(Backend::Sqlite, config()).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(TestPlatform::start_with(Backend::Postgres, config()).await).await;
    }
}
