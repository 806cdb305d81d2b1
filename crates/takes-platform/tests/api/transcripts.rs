//! The transcription stage: each engine on a real answer, retries with
//! back-off and the failure admins see, and what the transcript endpoint
//! answers while the transcript is pending, failed or done.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use takes_platform::config::ServerConfig;
use takes_platform::transcription::config::{CommandConfig, EngineKind, OpenAiConfig};

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;
use crate::support::Backend;
use crate::uploads::clip;

/// An invited candidate's first answer (the demo clip c01-q1, 23.6 s of
/// speech); returns its response id.
async fn answer(l: &Life, n: usize) -> String {
    let inv = l
        .invite_agreed("Grace Hopper", &format!("gh{n}@example.org"))
        .await;
    let secret = inv["access_secret"].as_str().expect("secret").to_string();
    let bytes = std::fs::read(clip(1)).expect("demo clip");
    let (s, a) = l.upload(&secret, &l.questions[0], bytes, None).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a["response_id"].as_str().expect("response id").to_string()
}

/// The transcript endpoint's answer: status, `Transcript-State`, body.
async fn transcript(l: &Life, response: &str) -> (StatusCode, String, String) {
    let resp = l
        .request(Method::GET, &format!("/v1/responses/{response}/transcript"))
        .bearer_auth(&l.recruiter)
        .send()
        .await
        .expect("transcript");
    let status = resp.status();
    let state = resp
        .headers()
        .get("transcript-state")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if status == StatusCode::ACCEPTED {
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("10")
        );
    }
    (status, state, resp.text().await.expect("body"))
}

/// `(start, end, text)` of each cue of a WebVTT document.
fn cues(vtt: &str) -> Vec<(f64, f64, String)> {
    let secs = |t: &str| {
        t.trim().split(':').fold(0.0, |acc, p| {
            acc * 60.0 + p.parse::<f64>().expect("timestamp")
        })
    };
    vtt.split("\n\n")
        .filter_map(|block| {
            let mut lines = block.lines().skip_while(|l| !l.contains("-->"));
            let timing = lines.next()?;
            let (a, b) = timing.split_once("-->")?;
            Some((secs(a), secs(b), lines.collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

async fn failures(l: &Life, token: &str, query: &str) -> (StatusCode, Value) {
    l.call(
        l.request(Method::GET, &format!("/v1/transcripts/failures{query}"))
            .bearer_auth(token),
    )
    .await
}

lifecycle_test!(
    the_default_engine_transcribes_a_real_answer,
    no_tweak,
    |l: Life| async move {
        let r = answer(&l, 1).await;
        let (s, state, body) = transcript(&l, &r).await;
        assert_eq!(
            (s, state.as_str()),
            (StatusCode::ACCEPTED, "pending"),
            "{body}"
        );
        let pending: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(pending["state"], "pending");
        assert_eq!(pending["attempts"], 0);

        let stored = takes_platform::transcription::run_due(&l.state)
            .await
            .expect("run");
        assert_eq!(stored, 1);
        let (s, state, vtt) = transcript(&l, &r).await;
        assert_eq!((s, state.as_str()), (StatusCode::OK, "done"), "{vtt}");
        assert!(vtt.starts_with("WEBVTT"), "{vtt}");
        let cues = cues(&vtt);
        assert!(!cues.is_empty(), "{vtt}");
        // The clip says "... a logistics customer ... was furious ... every
        // four hours ... three days ..."; pocketsphinx is modest (it
        // misses "listened"), but gets these.
        let text = cues
            .iter()
            .map(|c| c.2.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        for word in [
            "logistics",
            "customer",
            "furious",
            "four hours",
            "three days",
        ] {
            assert!(text.contains(word), "{word:?} missing from {text:?}");
        }
        for pair in cues.windows(2) {
            assert!(
                pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].0 + 0.01,
                "{cues:?}"
            );
        }
        assert!(cues.iter().all(|c| c.0 < c.1 && c.1 <= 24.0), "{cues:?}");
        let (s, f) = failures(&l, &l.recruiter, "").await;
        assert_eq!(
            (s, f.as_array().map(Vec::len)),
            (StatusCode::OK, Some(0)),
            "{f}"
        );
    }
);

fn command(argv: &[&str]) -> impl FnOnce(&mut ServerConfig) {
    let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
    move |c: &mut ServerConfig| {
        c.transcription.engine = EngineKind::Command;
        c.transcription.command = Some(CommandConfig {
            argv,
            env: [("CUE_TEXT".to_string(), "from the command".to_string())].into(),
        });
    }
}

lifecycle_test!(
    the_command_engine_runs_a_local_program,
    command(&[
        "sh",
        "-c",
        // Checks it was given a 16 kHz mono WAV, then writes WebVTT.
        "head -c 44 \"$0\" | od -An -tx1 | tr -d ' \\n' | grep -q '^52494646.*57415645.*0100' \
         && printf 'WEBVTT\\n\\n00:00:01.500 --> 00:00:03.000\\n%s\\n\\n00:00:04.000 --> 00:00:05.250\\nsecond\\n' \
            \"$CUE_TEXT\" > \"$1/answer.vtt\"",
        "{input}",
        "{output_dir}",
    ]),
    |l: Life| async move {
        let r = answer(&l, 1).await;
        assert_eq!(
            takes_platform::transcription::run_due(&l.state).await.expect("run"),
            1
        );
        let (s, state, vtt) = transcript(&l, &r).await;
        assert_eq!((s, state.as_str()), (StatusCode::OK, "done"), "{vtt}");
        assert_eq!(
            cues(&vtt),
            vec![
                (1.5, 3.0, "from the command".to_string()),
                (4.0, 5.25, "second".to_string())
            ]
        );
    }
);

lifecycle_test!(
    the_server_transcribes_in_the_background,
    |c: &mut ServerConfig| {
        command(&[
            "sh",
            "-c",
            "printf '[{\"start\": 0.2, \"end\": 1.0, \"text\": \"%s\"}]' \"$CUE_TEXT\"",
        ])(c);
        c.transcription.poll_interval_ms = 100;
    },
    |l: Life| async move {
        let r = answer(&l, 1).await;
        // No one calls run_due: the server's worker does it on its own.
        for _ in 0..200 {
            if transcript(&l, &r).await.0 == StatusCode::OK {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (s, state, vtt) = transcript(&l, &r).await;
        assert_eq!((s, state.as_str()), (StatusCode::OK, "done"), "{vtt}");
        assert_eq!(cues(&vtt), vec![(0.2, 1.0, "from the command".to_string())]);
    }
);

lifecycle_test!(
    a_failing_engine_is_retried_with_back_off_then_fails_visibly,
    |c: &mut ServerConfig| {
        command(&[
            "sh",
            "-c",
            "echo 'whisper: model file ggml-base.bin missing' >&2; exit 7",
        ])(c);
        c.transcription.max_attempts = 2;
        c.transcription.first_retry_seconds = 60;
    },
    |l: Life| async move {
        let r = answer(&l, 1).await;
        let run = || async {
            takes_platform::transcription::run_due(&l.state)
                .await
                .expect("run")
        };
        assert_eq!(run().await, 0);
        let (s, state, body) = transcript(&l, &r).await;
        assert_eq!(
            (s, state.as_str()),
            (StatusCode::ACCEPTED, "pending"),
            "{body}"
        );
        let pending: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(pending["attempts"], 1);
        let err = pending["last_error"].as_str().unwrap_or_default();
        assert!(
            err.contains("exit status 7") && err.contains("ggml-base.bin missing"),
            "{err}"
        );

        let (s, f) = failures(&l, &l.recruiter, "").await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f[0]["response_id"], r.as_str());
        assert_eq!(f[0]["state"], "pending");
        assert_eq!(f[0]["engine"], "command");
        assert!(f[0]["next_attempt_at"].is_string(), "{f}");

        // Not due again before the back-off.
        l.clock.advance(59_000);
        assert_eq!(run().await, 0);
        assert_eq!(failures(&l, &l.recruiter, "").await.1[0]["attempts"], 1);
        l.clock.advance(2_000);
        assert_eq!(run().await, 0);

        let (s, state, body) = transcript(&l, &r).await;
        assert_eq!(
            (s, state.as_str()),
            (StatusCode::CONFLICT, "failed"),
            "{body}"
        );
        let problem: Value = serde_json::from_str(&body).expect("problem");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(
            detail.starts_with("transcript failed: ") && detail.contains("ggml-base.bin"),
            "{detail}"
        );
        let (_, f) = failures(&l, &l.recruiter, "?limit=5").await;
        assert_eq!(f[0]["state"], "failed");
        assert_eq!(f[0]["attempts"], 2);
        assert!(f[0].get("next_attempt_at").is_none(), "{f}");
        // Given up: no further attempts.
        l.clock.advance(86_400_000);
        assert_eq!(run().await, 0);
        assert_eq!(failures(&l, &l.recruiter, "").await.1[0]["attempts"], 2);

        let (s, p) = failures(&l, &l.reviewer_tokens[0], "").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, p) = failures(&l, &l.recruiter, "?limit=0").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "limit");
    }
);

/// What the fake transcription server saw of one request.
#[derive(Debug, Clone, Default)]
struct Seen {
    authorization: String,
    content_type: String,
    fields: Vec<(String, String)>,
    file_name: String,
    file_head: Vec<u8>,
}

/// An OpenAI-compatible transcription server: answers verbose_json, or,
/// when `vtt_only`, refuses it (as some servers do) and answers `vtt`.
struct FakeWhisper {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    vtt_only: Arc<std::sync::atomic::AtomicBool>,
}

impl FakeWhisper {
    async fn start() -> FakeWhisper {
        use axum::http::HeaderMap;
        use axum::routing::post;
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let vtt_only: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (s, v) = (seen.clone(), vtt_only.clone());
        let app = axum::Router::new().route(
            "/v1/audio/transcriptions",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (seen, vtt_only) = (s.clone(), v.clone());
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let mut got = Seen {
                        authorization: h("authorization"),
                        content_type: h("content-type"),
                        ..Seen::default()
                    };
                    let boundary = got
                        .content_type
                        .split("boundary=")
                        .nth(1)
                        .unwrap_or("-")
                        .to_string();
                    parse_multipart(&body, &boundary, &mut got);
                    let format = got
                        .fields
                        .iter()
                        .find(|f| f.0 == "response_format")
                        .map(|f| f.1.clone())
                        .unwrap_or_default();
                    seen.lock().expect("lock").push(got);
                    let only_vtt = vtt_only.load(std::sync::atomic::Ordering::SeqCst);
                    match format.as_str() {
                        "verbose_json" if !only_vtt => (
                            StatusCode::OK,
                            r#"{"task":"transcribe","language":"english","duration":23.6,"text":"Hello there. I listened.",
                               "segments":[{"id":0,"start":0.4,"end":2.2,"text":" Hello there."},
                                           {"id":1,"start":2.5,"end":4.0,"text":" I listened."}]}"#
                                .to_string(),
                        ),
                        "vtt" => (
                            StatusCode::OK,
                            "WEBVTT\n\n00:00:00.800 --> 00:00:02.000\nFrom vtt.\n".to_string(),
                        ),
                        _ => (
                            StatusCode::BAD_REQUEST,
                            r#"{"error":{"message":"response_format not supported"}}"#.to_string(),
                        ),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeWhisper {
            base,
            seen,
            vtt_only,
        }
    }
}

fn parse_multipart(body: &[u8], boundary: &str, got: &mut Seen) {
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut starts = Vec::new();
    let d = delimiter.as_bytes();
    for i in 0..text.len().saturating_sub(d.len()) {
        if &text[i..i + d.len()] == d {
            starts.push(i);
        }
    }
    for pair in starts.windows(2) {
        let part = &text[pair[0] + d.len()..pair[1]];
        let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let mut content = &part[split + 4..];
        if content.ends_with(b"\r\n") {
            content = &content[..content.len() - 2];
        }
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        if let Some(file) = head
            .split("filename=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        {
            got.file_name = file.to_string();
            got.file_head = content.iter().take(44).copied().collect();
        } else {
            got.fields
                .push((name, String::from_utf8_lossy(content).to_string()));
        }
    }
}

async fn openai_engine(backend: Backend) {
    let fake = FakeWhisper::start().await;
    let base = fake.base.clone();
    let l = Life::start(backend, move |c| {
        c.transcription.engine = EngineKind::Openai;
        c.transcription.openai = Some(OpenAiConfig {
            base_url: format!("{base}/"),
            model: "whisper-test".into(),
            api_key: Some("sk-test".into()),
            language: None,
        });
    })
    .await;
    let r = answer(&l, 1).await;
    assert_eq!(
        takes_platform::transcription::run_due(&l.state)
            .await
            .expect("run"),
        1
    );
    let (s, state, vtt) = transcript(&l, &r).await;
    assert_eq!((s, state.as_str()), (StatusCode::OK, "done"), "{vtt}");
    assert_eq!(
        cues(&vtt),
        vec![
            (0.4, 2.2, "Hello there.".to_string()),
            (2.5, 4.0, "I listened.".to_string())
        ]
    );
    {
        let seen = fake.seen.lock().expect("lock");
        assert_eq!(seen.len(), 1, "{seen:?}");
        let req = &seen[0];
        assert_eq!(req.authorization, "Bearer sk-test");
        assert!(
            req.content_type
                .starts_with("multipart/form-data; boundary="),
            "{req:?}"
        );
        assert!(
            req.fields
                .contains(&("model".into(), "whisper-test".into())),
            "{req:?}"
        );
        assert!(
            req.fields
                .contains(&("response_format".into(), "verbose_json".into())),
            "{req:?}"
        );
        assert_eq!(req.file_name, "answer.wav");
        // A 16 kHz mono PCM WAV.
        assert_eq!(&req.file_head[..4], b"RIFF");
        assert_eq!(&req.file_head[8..12], b"WAVE");
        assert_eq!(
            u16::from_le_bytes([req.file_head[22], req.file_head[23]]),
            1
        );
        assert_eq!(
            u32::from_le_bytes([
                req.file_head[24],
                req.file_head[25],
                req.file_head[26],
                req.file_head[27]
            ]),
            16_000
        );
    }

    // A server without verbose_json: the stage falls back to `vtt`.
    fake.vtt_only
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let r2 = answer(&l, 2).await;
    assert_eq!(
        takes_platform::transcription::run_due(&l.state)
            .await
            .expect("run"),
        1
    );
    let (s, _, vtt) = transcript(&l, &r2).await;
    assert_eq!(s, StatusCode::OK, "{vtt}");
    assert_eq!(cues(&vtt), vec![(0.8, 2.0, "From vtt.".to_string())]);
    let formats: Vec<String> = fake.seen.lock().expect("lock")[1..]
        .iter()
        .filter_map(|s| {
            s.fields
                .iter()
                .find(|f| f.0 == "response_format")
                .map(|f| f.1.clone())
        })
        .collect();
    assert_eq!(formats, ["verbose_json", "vtt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_engine_speaks_the_transcriptions_api_sqlite() {
    openai_engine(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_engine_speaks_the_transcriptions_api_postgres() {
    openai_engine(Backend::Postgres).await;
}
