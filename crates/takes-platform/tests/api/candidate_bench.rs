//! Figures of the candidate page for `docs/BENCHMARKS.md` (run by `cargo
//! xtask bench candidate`; ignored in the ordinary test run): the bytes a
//! candidate moves before the first question is shown, the time from the
//! last chunk of a 2-minute 720p answer to "saved", and the upload
//! throughput of 20 candidates sending such an answer at once, all over
//! loopback against a real server on SQLite.

use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::invitations::{no_tweak, Life};
use crate::support::Backend;

const CHUNK: usize = 256 * 1024;

/// What the page downloads and sends before the first question appears,
/// in its order: the page and its assets, the interview, consent, the
/// upload-speed test (64 KiB up) and the practice question (nothing sent).
async fn bytes_before_first_question(l: &Life, secret: &str) -> (u64, Vec<(String, u64)>) {
    let mut parts = Vec::new();
    for path in [
        "/candidate",
        "/candidate/assets/app.js",
        "/candidate/assets/app.css",
        "/candidate/assets/en.json",
    ] {
        let resp = l.request(Method::GET, path).send().await.expect("get");
        let headers = header_bytes(resp.headers());
        let body = resp.bytes().await.expect("body").len() as u64;
        parts.push((format!("GET {path}"), headers + body));
    }
    let resp = l
        .request(Method::GET, "/v1/candidate/interview")
        .bearer_auth(secret)
        .send()
        .await
        .expect("interview");
    let headers = header_bytes(resp.headers());
    parts.push((
        "GET /v1/candidate/interview".into(),
        headers + resp.bytes().await.expect("body").len() as u64,
    ));
    let consent = json!({"decision": "agreed", "text_version": "2026-12-02.en"}).to_string();
    let sent = consent.len() as u64;
    let resp = l
        .request(Method::PUT, "/v1/candidate/consent")
        .bearer_auth(secret)
        .header("content-type", "application/json")
        .body(consent)
        .send()
        .await
        .expect("consent");
    let headers = header_bytes(resp.headers());
    parts.push((
        "PUT /v1/candidate/consent".into(),
        sent + headers + resp.bytes().await.expect("body").len() as u64,
    ));
    let resp = l
        .request(Method::POST, "/v1/candidate/speed-test")
        .bearer_auth(secret)
        .body(vec![0u8; 64 * 1024])
        .send()
        .await
        .expect("speed test");
    let headers = header_bytes(resp.headers());
    parts.push((
        "POST /v1/candidate/speed-test".into(),
        64 * 1024 + headers + resp.bytes().await.expect("body").len() as u64,
    ));
    (parts.iter().map(|p| p.1).sum(), parts)
}

fn header_bytes(h: &reqwest::header::HeaderMap) -> u64 {
    // "Name: value\r\n" per header, and a status line.
    17 + h
        .iter()
        .map(|(k, v)| (k.as_str().len() + v.len() + 4) as u64)
        .sum::<u64>()
}

/// A 2-minute 1280x720 answer written as MediaRecorder writes WebM (VP8 and
/// Opus, no seek index), made once and kept under `target/bench-media/`.
fn two_minute_720p() -> Vec<u8> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("bench-media");
    let path = dir.join("answer-720p-120s.webm");
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    std::fs::create_dir_all(&dir).expect("bench media dir");
    // Written aside and renamed, so an interrupted run leaves no half file.
    let part = dir.join("answer-720p-120s.part.webm");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300",
            "-t",
            "120",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "2M",
            "-c:a",
            "libopus",
            "-b:a",
            "64k",
            "-live",
            "1",
            "-f",
            "webm",
        ])
        .arg(&part)
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&part, &path).expect("keep the answer");
    std::fs::read(&path).expect("answer")
}

/// Uploads `bytes` with tus in `CHUNK`s; returns the seconds of the last
/// PATCH (last byte sent to "saved": checked, remuxed, stored).
async fn tus_upload(l: &Life, secret: &str, question: &str, bytes: &[u8]) -> f64 {
    let (s, take) = l.start_take(secret, question).await;
    assert_eq!(s, StatusCode::CREATED, "{take}");
    let (s, created, location) = l.create_upload(secret, question, bytes.len()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let mut at = 0;
    loop {
        let end = (at + CHUNK).min(bytes.len());
        let started = Instant::now();
        let (s, body, next) = l
            .patch(secret, &location, at, bytes[at..end].to_vec())
            .await;
        if end == bytes.len() {
            assert_eq!(s, StatusCode::CREATED, "{body}");
            return started.elapsed().as_secs_f64();
        }
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        at = next.expect("offset") as usize;
    }
}

async fn longer_questions(l: &Life) {
    sqlx::query("UPDATE questions SET time_limit_s = 180")
        .execute(&l.state.db.pool)
        .await
        .expect("limits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: cargo xtask bench candidate"]
async fn candidate_page_figures() {
    let l = Life::start(Backend::Sqlite, no_tweak).await;
    longer_questions(&l).await;
    let mut report = serde_json::Map::new();

    let inv = l.invite("Bench Candidate", "bench@example.org").await;
    let secret = inv["access_secret"].as_str().expect("secret").to_string();
    let (total, parts) = bytes_before_first_question(&l, &secret).await;
    report.insert("bytes_before_first_question".into(), json!(total));
    report.insert("bytes_parts".into(), json!(parts));

    let answer = two_minute_720p();
    let started = Instant::now();
    let last_chunk_to_saved = tus_upload(&l, &secret, &l.questions[0], &answer).await;
    report.insert("answer_bytes".into(), json!(answer.len()));
    report.insert(
        "answer_upload_s".into(),
        json!(started.elapsed().as_secs_f64()),
    );
    report.insert("last_chunk_to_saved_s".into(), json!(last_chunk_to_saved));

    // 20 candidates, each sending a realistic answer (the same 2-minute
    // 720p take) at the same time.
    let clip = answer;
    let mut secrets = Vec::new();
    for i in 0..20 {
        let inv = l
            .invite_agreed(&format!("Candidate {i}"), &format!("c{i}@example.org"))
            .await;
        secrets.push(inv["access_secret"].as_str().expect("secret").to_string());
    }
    let l = std::sync::Arc::new(l);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in secrets {
        let (l, clip) = (l.clone(), clip.clone());
        tasks.push(tokio::spawn(async move {
            let q = l.questions[0].clone();
            tus_upload(&l, &s, &q, &clip).await
        }));
    }
    for t in tasks {
        t.await.expect("upload task");
    }
    let wall = started.elapsed().as_secs_f64();
    let mb = (clip.len() * 20) as f64 / 1e6;
    report.insert("concurrent_candidates".into(), json!(20));
    report.insert("concurrent_wall_s".into(), json!(wall));
    report.insert("concurrent_mb".into(), json!(mb));
    report.insert("concurrent_mb_per_s".into(), json!(mb / wall));
    report.insert("concurrent_answer_bytes".into(), json!(clip.len()));
    println!("BENCH {}", Value::Object(report));
}
