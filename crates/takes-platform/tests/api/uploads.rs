//! The candidate's uploads: real clips checked by real ffprobe, retakes,
//! safe retries, refusals that leave nothing behind, and what completion
//! sets off (routing by load, the queue, acknowledgement and the hiring
//! manager's notice).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;

/// A real recorded answer from the demo set (`n` in 1..=4, 16 to 24 s).
pub fn clip(n: u32) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demo/clips")
        .join(format!("c01-q{n}.webm"))
}

fn read_clip(n: u32) -> Vec<u8> {
    std::fs::read(clip(n)).expect("demo clip")
}

impl Life {
    pub async fn upload(
        &self,
        secret: &str,
        question: &str,
        bytes: Vec<u8>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .request(Method::PUT, &format!("/v1/candidate/responses/{question}"))
            .bearer_auth(secret)
            .header("content-type", "video/webm")
            .body(bytes);
        if let Some(k) = key {
            rb = rb.header("Idempotency-Key", k);
        }
        self.call(rb).await
    }

    /// Files in the media directory (finished and temporary alike).
    pub fn media_files(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("media"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

fn secret_of(inv: &Value) -> String {
    inv["access_secret"].as_str().expect("secret").to_string()
}

/// A PUT of `declared` bytes with `secret`, of which `sent` are written
/// before the answer is read, over a plain socket: what the client reads,
/// or the socket error that took the answer away.
fn refused_mid_body(
    base: &str,
    question: &str,
    secret: &str,
    declared: usize,
    sent: usize,
) -> Result<String, String> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(std::time::Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "PUT /v1/candidate/responses/{question} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {secret}\r\nContent-Type: video/webm\r\nContent-Length: {declared}\r\n\r\n"
    )
    .map_err(|e| format!("head: {e}"))?;
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0;
    while written < sent {
        s.write_all(&chunk)
            .map_err(|e| format!("writing the body after {written} bytes: {e}"))?;
        written += chunk.len();
    }
    // The server has answered by now; a socket it closed with this body
    // unread has been reset.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut answer = vec![0u8; 4096];
    let n = s
        .read(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    Ok(String::from_utf8_lossy(&answer[..n]).into_owned())
}

// A refusal made before the body was wanted (here the credentials) must
// reach a client still sending its upload: a phone on a slow link sees
// "not authorised", not a dropped connection it would retry for ever.
lifecycle_test!(
    a_refusal_reaches_a_client_still_sending_its_body,
    no_tweak,
    |l: Life| async move {
        // A body as large as the server drains (4 MiB), more than the
        // sockets hold: a server that closed on it unread broke the pipe
        // in one try out of three or four, so twenty tries catch it.
        const MIB: usize = 1024 * 1024;
        for round in 0..20 {
            let (base, q) = (l.base.clone(), l.questions[0].clone());
            let answer = tokio::task::spawn_blocking(move || {
                refused_mid_body(&base, &q, "ci_forged", 4 * MIB, 4 * MIB)
            })
            .await
            .expect("join");
            let answer =
                answer.unwrap_or_else(|e| panic!("round {round}: the refusal was lost: {e}"));
            assert!(
                answer.starts_with("HTTP/1.1 401"),
                "round {round}: {answer}"
            );
        }
        assert_eq!(l.media_files(), 0, "a refused upload left a file");
    }
);

lifecycle_test!(
    answers_retakes_and_completion_route_the_interview,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Katherine Johnson", "kj@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = secret_of(&inv);
        let (q1, q2) = (l.questions[0].clone(), l.questions[1].clone());

        let (s, a) = l.upload(&secret, &q1, read_clip(1), None).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(a["retakes_used"], 0);
        assert_eq!(a["retakes_left"], 1);
        assert_eq!(a["interview_status"], "started");
        let d = a["duration_s"].as_f64().expect("duration");
        assert!((d - 23.6).abs() < 0.3, "ffprobe's length: {d}");

        // A retake replaces the take; the allowance is one.
        let (s, b) = l.upload(&secret, &q1, read_clip(2), Some("take-2")).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["retakes_used"], 1);
        assert_eq!(b["retakes_left"], 0);
        assert_eq!(b["response_id"], a["response_id"]);
        let (s, p) = l.upload(&secret, &q1, read_clip(3), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("retake")),
            "{p}"
        );
        // Retrying the accepted take (same key, or same bytes) is safe.
        let (s, r) = l.upload(&secret, &q1, read_clip(2), Some("take-2")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["replayed"], true);
        let (s, r) = l.upload(&secret, &q1, read_clip(2), None).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["retakes_used"], 1);
        // The replaced take's file is gone: one file per answer.
        assert_eq!(l.media_files(), 1);

        let (_, mine) = l
            .call(
                l.request(Method::GET, "/v1/candidate/interview")
                    .bearer_auth(&secret),
            )
            .await;
        assert_eq!(mine["questions"][0]["answered"], true);
        assert_eq!(mine["questions"][0]["retakes_left"], 0);
        assert_eq!(mine["questions"][1]["answered"], false);
        assert_eq!(l.events(&id).await, vec!["invitation.sent"]);

        l.clock.advance(3_600_000);
        let (s, c) = l.upload(&secret, &q2, read_clip(4), None).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_eq!(c["interview_status"], "completed");
        assert_eq!(
            l.events(&id).await,
            vec!["invitation.sent", "interview.completed"]
        );
        let body: String = sqlx::query_scalar(
            "SELECT body FROM webhook_events WHERE interview_id = $1 AND event_type = 'interview.completed'",
        )
        .bind(&id)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("event");
        let event: Value = serde_json::from_str(&body).expect("json");
        let names: Vec<&str> = event["data"]["reviewers"]
            .as_array()
            .expect("reviewers")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        // Rev A already had open work; B and C had none.
        assert_eq!(names, vec!["Rev B", "Rev C"]);
        assert_eq!(event["data"]["response_count"], 2);
        let mut assigned: Vec<String> =
            sqlx::query_scalar("SELECT reviewer_id FROM assignments WHERE interview_id = $1")
                .bind(&id)
                .fetch_all(&l.state.db.pool)
                .await
                .expect("assignments");
        assigned.sort();
        let mut expected = l.reviewer_ids[1..].to_vec();
        expected.sort();
        assert_eq!(assigned, expected);

        // After completion nothing changes (the secret is spent: 410), but
        // a retry of the final upload still answers.
        let (s, p) = l.upload(&secret, &q2, read_clip(1), None).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        let (s, again) = l.upload(&secret, &q2, read_clip(4), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["acknowledgement"], c["acknowledgement"], "{again}");
        assert_eq!(again["review_by"], c["review_by"], "{again}");
        assert!(
            a["acknowledgement"].is_null(),
            "only completion acknowledges"
        );

        // The interview is in Rev B's queue, due 48 h after completion,
        // with the final take and its retake count.
        let (_, queue) = l
            .call(
                l.request(Method::GET, "/v1/queue")
                    .bearer_auth(&l.reviewer_tokens[1]),
            )
            .await;
        let item = queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["interview_id"] == id.as_str())
            .cloned()
            .expect("assigned interview in the queue");
        assert_eq!(
            item["due_at"],
            takes_platform::clock::rfc3339(crate::invitations::T0 + 49 * 3_600_000)
        );
        let (_, qa) = l
            .call(
                l.request(Method::GET, "/v1/queue")
                    .bearer_auth(&l.reviewer_tokens[0]),
            )
            .await;
        assert!(qa["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["interview_id"] != id.as_str()));
        let (s, detail) = l
            .call(
                l.request(
                    Method::GET,
                    &format!("/v1/assignments/{}", item["id"].as_str().expect("id")),
                )
                .bearer_auth(&l.reviewer_tokens[1]),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{detail}");
        let r1 = &detail["questions"][0]["response"];
        assert_eq!(r1["retakes_used"], 1);
        let media = l
            .request(
                Method::GET,
                &format!("/v1/media/{}", r1["id"].as_str().expect("id")),
            )
            .bearer_auth(&l.reviewer_tokens[1])
            .send()
            .await
            .expect("media");
        assert_eq!(media.status(), StatusCode::OK);
        assert_eq!(media.bytes().await.expect("bytes").to_vec(), read_clip(2));
        let vtt = l
            .request(
                Method::GET,
                &format!(
                    "/v1/responses/{}/transcript",
                    r1["id"].as_str().expect("id")
                ),
            )
            .bearer_auth(&l.reviewer_tokens[1])
            .send()
            .await
            .expect("transcript");
        // Transcribed in the background (tests/api/transcripts.rs): pending.
        assert_eq!(vtt.status(), StatusCode::ACCEPTED);
        assert_eq!(
            vtt.headers()
                .get("transcript-state")
                .and_then(|v| v.to_str().ok()),
            Some("pending")
        );

        // Invitation, acknowledgement, hiring manager.
        let mails = l.deliver().await;
        assert_eq!(mails.len(), 3, "{mails:?}");
        let ack = mails
            .iter()
            .find(|m| m.header("Subject").starts_with("We received"))
            .expect("acknowledgement");
        assert_eq!(ack.to, vec!["kj@example.org"]);
        let body = ack.body();
        assert!(body.contains("Hello Katherine Johnson"), "{body}");
        assert!(
            body.contains("You will hear from us by Saturday 16 January 2027, 09:00 UTC."),
            "{body}"
        );
        // One sentence for the email and the done page: the page's
        // localised `acknowledgement` string, with the date the upload
        // answer hands the page (which shows it in the candidate's zone).
        let strings: serde_json::Value =
            serde_json::from_str(include_str!("../../candidate/i18n/en.json")).expect("en.json");
        let role = ack
            .header("Subject")
            .trim_start_matches("We received your video interview for ")
            .to_string();
        let sentence = strings["acknowledgement"]
            .as_str()
            .expect("the acknowledgement string")
            .replace("{role}", &role)
            .replace("{date}", "Saturday 16 January 2027, 09:00 UTC");
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words(&body).contains(&sentence), "{body}\n{sentence}");
        assert_eq!(c["review_by"], "2027-01-16T09:00:00.000Z", "{c}");
        let shown = c["acknowledgement"].as_str().expect("acknowledgement text");
        assert_eq!(words(shown), words(&body));
        let hm = mails
            .iter()
            .find(|m| m.to == vec!["hm@example.com"])
            .expect("hiring manager notice");
        let body = hm.body();
        assert!(
            hm.header("Subject").contains("Katherine Johnson"),
            "{}",
            hm.data
        );
        assert!(body.contains("Rev B, Rev C"), "{body}");
        assert!(
            body.contains("Saturday 16 January 2027, 09:00 UTC"),
            "{body}"
        );
    }
);

lifecycle_test!(
    refused_uploads_say_why_and_leave_nothing_behind,
    |c: &mut takes_platform::config::ServerConfig| c.invitations.max_upload_bytes = 110_000,
    |l: Life| async move {
        let inv = l.invite_agreed("Hedy Lamarr", "hedy@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = secret_of(&inv);
        let q1 = l.questions[0].clone();
        let good = read_clip(2); // 107 425 bytes, under the limit

        let (s, p) = l
            .upload(
                &secret,
                &q1,
                b"just some text, not a video\n".to_vec(),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("not a video")),
            "{p}"
        );
        assert_eq!(p["field"], "body");

        let (s, p) = l
            .upload(&secret, &q1, good[..good.len() / 3].to_vec(), None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("incomplete") || d.contains("damaged")),
            "{p}"
        );

        let (s, p) = l.upload(&secret, &q1, read_clip(1), None).await; // 112 549 bytes
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("110000")),
            "{p}"
        );

        // Streamed without a length: the limit still holds mid-stream.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = read_clip(1)
            .chunks(16 * 1024)
            .map(|c| Ok(c.to_vec()))
            .collect();
        let (s, p) = l
            .call(
                l.request(Method::PUT, &format!("/v1/candidate/responses/{q1}"))
                    .bearer_auth(&secret)
                    .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks))),
            )
            .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");

        let (s, p) = l.upload(&secret, &q1, Vec::new(), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");

        // Longer than the question allows (60 s + 10 s margin).
        sqlx::query("UPDATE questions SET time_limit_s = 10 WHERE id = $1")
            .bind(&q1)
            .execute(&l.state.db.pool)
            .await
            .expect("limit");
        let (s, p) = l.upload(&secret, &q1, good.clone(), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("allows 10 s")),
            "{p}"
        );

        let (s, p) = l
            .upload(&secret, "no-such-question", good.clone(), None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(p["field"], "question_id");
        let (s, _) = l.upload(&l.recruiter, &q1, good.clone(), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = l.upload("ci_forged", &q1, good.clone(), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        assert_eq!(l.media_files(), 0, "refused uploads left files behind");
        assert_eq!(l.count("SELECT COUNT(*) FROM media_objects").await, 0);
        let (_, inv) = l
            .call(
                l.request(Method::GET, &format!("/v1/invitations/{id}"))
                    .bearer_auth(&l.recruiter),
            )
            .await;
        assert_eq!(inv["status"], "invited");
        assert_eq!(inv["answered_count"], 0);

        // And a good one still goes through.
        sqlx::query("UPDATE questions SET time_limit_s = 60 WHERE id = $1")
            .bind(&q1)
            .execute(&l.state.db.pool)
            .await
            .expect("limit");
        let (s, a) = l.upload(&secret, &q1, good, None).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(l.media_files(), 1);
    }
);

lifecycle_test!(
    the_document_describes_the_upload_as_a_binary_video,
    no_tweak,
    |l: Life| async move {
        let (_, doc) = l.call(l.request(Method::GET, "/v1/openapi.json")).await;
        let op = &doc["paths"]["/v1/candidate/responses/{question_id}"]["put"];
        let schema = &op["requestBody"]["content"]["video/webm"]["schema"];
        let schema = match schema["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or_default()],
            None => schema,
        };
        assert_eq!(schema["type"], "string", "{op}");
        assert_eq!(schema["format"], "binary", "{op}");
        assert_eq!(
            op["security"][0]["candidate_secret"],
            serde_json::json!([]),
            "{op}"
        );
        assert!(doc["components"]["securitySchemes"]["candidate_secret"].is_object());
    }
);

lifecycle_test!(
    the_last_two_answers_at_once_complete_the_interview_once,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Mary Jackson", "mj@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        let secret = secret_of(&inv);
        let (a, b) = tokio::join!(
            l.upload(&secret, &l.questions[0], read_clip(1), None),
            l.upload(&secret, &l.questions[1], read_clip(2), None)
        );
        assert_eq!(
            (a.0, b.0),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{a:?} {b:?}"
        );
        let completed = [&a.1, &b.1]
            .iter()
            .filter(|r| r["interview_status"] == "completed")
            .count();
        assert_eq!(completed, 1, "{a:?} {b:?}");
        assert_eq!(
            l.events(&id).await,
            vec!["invitation.sent", "interview.completed"]
        );
        let assigned = l
            .count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE interview_id = '{id}'"
            ))
            .await;
        assert_eq!(assigned, 2);
        assert_eq!(
            l.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'acknowledgement'")
                .await,
            1
        );
    }
);

lifecycle_test!(
    a_reused_idempotency_key_with_other_bytes_is_refused,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Grace Hopper", "gh@example.org").await;
        let secret = secret_of(&inv);
        let q1 = l.questions[0].clone();
        let (s, a) = l.upload(&secret, &q1, read_clip(1), Some("k-1")).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");

        // Other bytes under the same key: a client bug, not a replay.
        let (s, p) = l.upload(&secret, &q1, read_clip(2), Some("k-1")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "Idempotency-Key", "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("k-1")),
            "{p}"
        );
        // Nothing changed: the first take stays, no retake was used, and
        // the true retry still replays it.
        let (s, r) = l.upload(&secret, &q1, read_clip(1), Some("k-1")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["replayed"], true);
        assert_eq!(r["retakes_used"], 0);
        assert_eq!(l.media_files(), 1);
    }
);

/// A short MP4 with H.264 video and AAC audio: what Safari's MediaRecorder
/// writes where WebM is not supported.
fn safari_like_mp4(dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join("safari.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30",
        ])
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t", "3"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args(["-c:a", "aac", "-movflags", "+faststart"])
        .arg(&out)
        .status()
        .expect("ffmpeg must be installed");
    assert!(status.success(), "ffmpeg could not write the MP4");
    std::fs::read(&out).expect("the MP4")
}

lifecycle_test!(
    an_mp4_answer_with_h264_and_aac_is_accepted,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Grace Hopper", "gh@example.org").await;
        let secret = secret_of(&inv);
        let q1 = l.questions[0].clone();
        let dir = tempfile::tempdir().expect("temp dir");
        let mp4 = safari_like_mp4(dir.path());

        let (s, a) = l
            .call(
                l.request(Method::PUT, &format!("/v1/candidate/responses/{q1}"))
                    .bearer_auth(&secret)
                    .header("content-type", "video/mp4")
                    .body(mp4),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let d = a["duration_s"].as_f64().expect("duration");
        assert!((d - 3.0).abs() < 0.3, "ffprobe's length: {d}");
        // Stored and served as MP4, not forced into WebM.
        let response = a["response_id"].as_str().expect("response id");
        let mime: String = sqlx::query_scalar(
            "SELECT m.content_type FROM responses r \
                 JOIN media_objects m ON m.id = r.media_object_id WHERE r.id = $1",
        )
        .bind(response)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("the response row");
        assert_eq!(mime, "video/mp4");
    }
);
