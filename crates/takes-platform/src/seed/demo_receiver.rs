//! The demo's stand-in for an ATS: a webhook receiver inside the demo
//! process, subscribed to `decision.made`, that checks each delivery's
//! Standard Webhooks signature and answers 204 (401 when it does not
//! verify). A decision taken in `takes demo` is therefore really delivered
//! over HTTP, and the board shows its sync state turn to delivered.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{audit, users, webhooks as store};
use crate::webhooks::{netguard::Network, signing};

/// How far a delivery's `webhook-timestamp` may be from now (the Standard
/// Webhooks replay window).
const TOLERANCE_S: i64 = 5 * 60;

/// One delivery the receiver accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub event_type: String,
    pub body: serde_json::Value,
}

struct Sink {
    key: Vec<u8>,
    received: Mutex<Vec<Received>>,
    refused: Mutex<usize>,
}

/// The running receiver; [`DemoReceiver::stop`] ends it.
pub struct DemoReceiver {
    pub addr: SocketAddr,
    sink: Arc<Sink>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoReceiver {
    /// Every verified delivery so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.sink
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Deliveries refused because their signature or timestamp did not verify.
    pub fn refused(&self) -> usize {
        self.sink.refused.lock().map(|n| *n).unwrap_or_default()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts the receiver on a free loopback port, registers it as a webhook
/// endpoint for `decision.made` (created by the demo's admin), and returns
/// the state with loopback allowed as a webhook destination: the demo's
/// one private-network exception, for its own process.
pub async fn start(state: AppState) -> anyhow::Result<(AppState, DemoReceiver)> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("cannot listen for the demo's webhook receiver")?;
    let addr = listener.local_addr()?;
    let secret = signing::new_secret();
    let key = signing::key_of(&secret).context("a fresh webhook secret does not decode")?;
    let sink = Arc::new(Sink {
        key,
        received: Mutex::new(Vec::new()),
        refused: Mutex::new(0),
    });

    let mut config = (*state.config).clone();
    let loopback = Network::parse(&format!("{}/32", addr.ip())).map_err(anyhow::Error::msg)?;
    config.allow_private_networks.push(loopback);
    let state = state.with_config(config);
    register(&state, &format!("http://{addr}/hooks"), &secret).await?;

    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(deliver))
        .with_state(sink.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "the demo's webhook receiver stopped");
        }
    });
    Ok((
        state,
        DemoReceiver {
            addr,
            sink,
            shutdown: Some(tx),
            task,
        },
    ))
}

async fn register(state: &AppState, url: &str, secret: &str) -> anyhow::Result<()> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let (admin, _) = users::by_name(&mut w.tx, super::demo::ADMIN)
        .await?
        .context("the demo data has no admin to own its webhook endpoint")?;
    let id = new_id();
    store::insert_endpoint(
        &mut w.tx,
        store::NewEndpoint {
            id: &id,
            url,
            description: "takes demo: the built-in ATS stand-in",
            event_types_json: r#"["decision.made"]"#,
            secret,
            created_by: &admin,
            contact_email: None,
            at: now,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("registering the demo's webhook receiver: {e}"))?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: Some(&admin),
            action: "webhook_endpoint.created",
            entity_type: "webhook_endpoint",
            entity_id: &id,
            detail: serde_json::json!({"url": url, "event_types": ["decision.made"]}),
        },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

async fn deliver(State(sink): State<Arc<Sink>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match verify(&sink.key, &headers, &body, unix_now_s()) {
        Some(id) => {
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let event_type = body["type"].as_str().unwrap_or_default().to_string();
            if let Ok(mut r) = sink.received.lock() {
                r.push(Received {
                    id,
                    event_type,
                    body,
                });
            }
            StatusCode::NO_CONTENT
        }
        None => {
            if let Ok(mut n) = sink.refused.lock() {
                *n += 1;
            }
            StatusCode::UNAUTHORIZED
        }
    }
}

fn unix_now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The message id when one of the `v1` signatures matches and the
/// timestamp is within the window; compared in constant time.
fn verify(key: &[u8], headers: &HeaderMap, body: &[u8], now_s: i64) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let id = header("webhook-id")?;
    let ts: i64 = header("webhook-timestamp")?.parse().ok()?;
    if (now_s - ts).abs() > TOLERANCE_S {
        return None;
    }
    let signed = [id.as_bytes(), b".", ts.to_string().as_bytes(), b".", body].concat();
    header("webhook-signature")?
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|sig| {
            Hmac::<Sha256>::new_from_slice(key)
                .map(|mut mac| {
                    mac.update(&signed);
                    mac.verify_slice(&sig).is_ok()
                })
                .unwrap_or(false)
        })
        .then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(id: &str, ts: i64, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("webhook-id", id.parse().expect("id"));
        h.insert("webhook-timestamp", ts.to_string().parse().expect("ts"));
        h.insert("webhook-signature", sig.parse().expect("sig"));
        h
    }

    #[test]
    fn verifies_the_signature_and_the_window() {
        let key = signing::key_of(&signing::new_secret()).expect("key");
        let body = r#"{"type":"decision.made"}"#;
        let good = signing::sign(&key, "msg_1", 1_000, body);
        let ok = headers("msg_1", 1_000, &format!("v1,bm90aXQ= {good}"));
        assert_eq!(
            verify(&key, &ok, body.as_bytes(), 1_010).as_deref(),
            Some("msg_1")
        );
        assert!(verify(&key, &ok, b"{}", 1_010).is_none(), "another body");
        assert!(
            verify(&key, &ok, body.as_bytes(), 1_000 + TOLERANCE_S + 1).is_none(),
            "too old"
        );
        let other = signing::key_of(&signing::new_secret()).expect("key");
        assert!(
            verify(&other, &ok, body.as_bytes(), 1_010).is_none(),
            "another key"
        );
        let missing = HeaderMap::new();
        assert!(verify(&key, &missing, body.as_bytes(), 1_010).is_none());
    }
}
