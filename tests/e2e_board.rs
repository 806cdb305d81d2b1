//! End-to-end: a recruiter triages on the board — the real `takes` binary
//! inside tmux against a real platform server (in-process, demo data) —
//! rejects three candidates in one bulk action, and a webhook receiver on
//! loopback gets exactly three decision events, their Standard Webhooks
//! signatures checked by the independent Python `standardwebhooks`
//! package.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Home, Server, Tmux};
use reqwest::Method;
use serde_json::{json, Value};

/// One POST the receiver got: webhook-id, -timestamp, -signature, body.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    ts: String,
    sig: String,
    body: String,
}

/// A webhook receiver on loopback answering 204 to everything.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/ats", listener.local_addr().expect("addr"));
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut headers = std::collections::HashMap::new();
            let mut line = String::new();
            // Request line, then headers up to the blank line.
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
            }
            let len: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let h = |k: &str| headers.get(k).cloned().unwrap_or_default();
            sink.lock().expect("lock").push(Received {
                id: h("webhook-id"),
                ts: h("webhook-timestamp"),
                sig: h("webhook-signature"),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let _ = stream.write_all(
                b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (url, got)
}

fn verify_with_python(secret: &str, got: &[Received]) {
    let mut items: Vec<Value> = got
        .iter()
        .map(|r| json!({"id": r.id, "ts": r.ts, "sig": r.sig, "body": r.body, "expect": true}))
        .collect();
    // A tampered copy must fail, so the check itself can fail.
    if let Some(first) = got.first() {
        items.push(json!({"id": first.id, "ts": first.ts, "sig": first.sig,
                          "body": format!("{} ", first.body), "expect": false}));
    }
    let script = r#"
import json, sys
from datetime import datetime, timezone
from standardwebhooks.webhooks import Webhook
secret, items = sys.argv[1], json.load(sys.stdin)
wh = Webhook(secret)
for it in items:
    expected = wh.sign(it["id"], datetime.fromtimestamp(int(it["ts"]), tz=timezone.utc), it["body"])
    ok = expected in it["sig"].split(" ")
    if ok:
        wh.verify(it["body"], {"webhook-id": it["id"], "webhook-timestamp": it["ts"],
                               "webhook-signature": it["sig"]})
    if ok != it["expect"]:
        print(f"signature check of {it['id']} gave {ok}, expected {it['expect']}")
        sys.exit(1)
print("ok")
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&items).expect("json").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "standardwebhooks (installed by `cargo xtask setup`) rejected a signature:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Completes the open reviews of interviews awaiting them (through the
/// API, as their reviewers) until `n` interviews are ready to decide.
fn ensure_ready(srv: &Server, recruiter: &str, n: usize) {
    let ready = |srv: &Server| {
        srv.get_json(recruiter, "/v1/board?stage=ready_to_decide&limit=100")["total"]
            .as_u64()
            .unwrap_or(0) as usize
    };
    let awaiting = srv.get_json(recruiter, "/v1/board?stage=awaiting_reviews&limit=100");
    for item in awaiting["items"].as_array().cloned().unwrap_or_default() {
        if ready(srv) >= n {
            return;
        }
        for r in item["reviewers"].as_array().cloned().unwrap_or_default() {
            if r["submitted"] == true {
                continue;
            }
            let name = r["name"].as_str().unwrap_or_default();
            let Some((_, token)) = srv.users.get(name).cloned() else {
                continue;
            };
            let a = r["assignment_id"].as_str().unwrap_or_default();
            let detail = srv.get_json(&token, &format!("/v1/assignments/{a}"));
            for q in detail["questions"].as_array().cloned().unwrap_or_default() {
                let rating = q["rubric"]["scale_min"].as_i64().unwrap_or(1);
                let (s, body) = srv.send_json(
                    &token,
                    Method::PUT,
                    &format!(
                        "/v1/assignments/{a}/scores/{}",
                        q["id"].as_str().unwrap_or("")
                    ),
                    Some(json!({"rating": rating})),
                );
                assert_eq!(s, 200, "{body}");
            }
            let (s, body) = srv.send_json(
                &token,
                Method::POST,
                &format!("/v1/assignments/{a}/submit"),
                None,
            );
            assert_eq!(s, 200, "{body}");
        }
    }
    assert!(
        ready(srv) >= n,
        "the demo should give {n} interviews ready to decide"
    );
}

#[test]
fn recruiter_rejects_three_in_one_bulk_action_and_the_ats_gets_three_signed_events() {
    let srv = Server::start_with_config("allow_private_networks = [\"127.0.0.1\"]\n");
    let recruiter = srv.token_of_role("recruiter");
    let admin = srv.token_of_role("admin");
    let (url, got) = receiver();
    let (s, endpoint) = srv.send_json(
        &admin,
        Method::POST,
        "/v1/webhooks/endpoints",
        Some(json!({"url": url, "event_types": ["decision.made"]})),
    );
    assert_eq!(s, 201, "{endpoint}");
    let secret = endpoint["secret"].as_str().expect("secret").to_string();
    ensure_ready(&srv, &recruiter, 3);
    let ready = srv.get_json(&recruiter, "/v1/board?stage=ready_to_decide&limit=3");
    let chosen: Vec<(String, String)> = ready["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().expect("id").to_string(),
                i["candidate_name"].as_str().expect("name").to_string(),
            )
        })
        .collect();
    assert_eq!(chosen.len(), 3);

    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &recruiter, 160, 40);
    t.wait_queue();
    t.keys(&["T"]);
    // Through every tab back to "ready to decide".
    t.wait_for("ready to decide", 10);
    for _ in 0..TABS {
        t.keys(&["Tab"]);
    }
    // The tab's own page, loaded: only ready interviews (no invitation
    // windows or reviews still running from the tabs passed through).
    t.wait("the ready to decide page", 10, |s| {
        s.contains(&chosen[0].1)
            && s.contains(&chosen[2].1)
            && s.contains("ready")
            && !s.contains("loading…")
            && !s.contains("window ")
            && !s.contains("reviewing")
    });
    t.keys(&["Space", "Space", "Space"]);
    t.wait_for("3 selected", 5);
    t.keys(&["D"]);
    t.wait_for("Decision — 3 candidates", 5);
    t.keys(&["r"]);
    t.text("Role filled");
    t.keys(&["Enter"]);
    let confirm = t.wait_for("reject 3:", 5);
    for (_, name) in &chosen {
        assert!(
            confirm.contains(name.as_str()),
            "the confirmation names {name}: {confirm}"
        );
    }
    t.keys(&["y"]);
    t.wait_for("Decision recorded: reject 3 candidates", 10);

    // Exactly three `decision.made` events reach the receiver, signed.
    let start = Instant::now();
    while got.lock().expect("lock").len() < 3 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let received = got.lock().expect("lock").clone();
    assert_eq!(received.len(), 3, "{received:?}");
    let mut ids: Vec<String> = received
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_str(&r.body).expect("json body");
            assert_eq!(v["type"], "decision.made", "{v}");
            assert_eq!(v["data"]["decision"], "reject", "{v}");
            assert_eq!(v["data"]["reason"], "Role filled");
            // Ready to decide: every assigned review is in the summary.
            let scores = &v["data"]["scores"];
            assert!(scores["reviewers_submitted"].as_i64() > Some(0), "{v}");
            assert_eq!(
                scores["reviewers_submitted"], scores["reviewers_assigned"],
                "{v}"
            );
            v["data"]["interview_id"]
                .as_str()
                .expect("interview")
                .to_string()
        })
        .collect();
    ids.sort();
    let mut want: Vec<String> = chosen.iter().map(|c| c.0.clone()).collect();
    want.sort();
    assert_eq!(ids, want);
    verify_with_python(&secret, &received);

    // With no key pressed, the three rows stay where they were and their
    // sync state turns to delivered: the board polls while one is queued.
    t.wait("three rows delivered, no key pressed", 20, |s| {
        chosen.iter().all(|(_, name)| {
            s.lines().any(|l| {
                l.contains(name.as_str()) && l.contains("reject") && l.contains("delivered")
            })
        })
    });

    // The decided tab shows them too after a reload.
    t.keys(&["Tab", "r"]);
    let decided = t.wait("three delivered", 15, |s| {
        s.matches("delivered").count() >= 3
    });
    assert!(decided.contains("reject by"), "{decided}");
    t.keys(&["q", "q"]);
    t.assert_exits_cleanly(5);
}

/// Tab presses from "ready to decide" round to it again.
const TABS: usize = 5;
