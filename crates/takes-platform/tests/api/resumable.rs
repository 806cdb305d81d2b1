//! Resumable answer uploads (tus 1.0 core): a cut mid-upload resumes from
//! the acknowledged offset and the server assembles exactly the bytes that
//! were sent; the finished take is remuxed so it has a seek index; every
//! refusal happens before bytes are kept and leaves nothing behind.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;
use crate::uploads::clip;

/// A demo clip written the way MediaRecorder writes WebM: as a stream,
/// with no seek index (Cues).
fn live_recording(n: u32) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(clip(n))
        .args(["-c", "copy", "-f", "webm", "pipe:1"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success());
    assert!(
        !has_cues(&out.stdout),
        "the stream-written file already has Cues"
    );
    out.stdout
}

/// Whether a WebM file has a Cues element (the seek index).
fn has_cues(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == [0x1C, 0x53, 0xBB, 0x6B])
}

fn secret_of(inv: &Value) -> String {
    inv["access_secret"].as_str().expect("secret").to_string()
}

impl Life {
    pub(crate) async fn create_upload(
        &self,
        secret: &str,
        question: &str,
        length: usize,
    ) -> (StatusCode, Value, String) {
        let resp = self
            .request(
                Method::POST,
                &format!("/v1/candidate/responses/{question}/uploads"),
            )
            .bearer_auth(secret)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .send()
            .await
            .expect("send");
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body, location)
    }

    pub(crate) async fn patch(
        &self,
        secret: &str,
        location: &str,
        offset: usize,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value, Option<u64>) {
        let resp = self
            .request(Method::PATCH, location)
            .bearer_auth(secret)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(bytes)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        let at = resp
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body, at)
    }

    async fn head_offset(&self, secret: &str, location: &str) -> (StatusCode, Option<u64>) {
        let resp = self
            .request(Method::HEAD, location)
            .bearer_auth(secret)
            .send()
            .await
            .expect("send");
        let at = resp
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        (resp.status(), at)
    }

    fn files(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path().join("media"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

lifecycle_test!(
    a_cut_upload_resumes_and_the_take_is_remuxed,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Dorothy Vaughan", "dv@example.org").await;
        let secret = secret_of(&inv);
        let q1 = l.questions[0].clone();
        let sent = live_recording(1);

        let (s, _) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, created, location) = l.create_upload(&secret, &q1, sent.len()).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["offset"], 0);
        assert_eq!(created["location"], location.as_str());

        let first = 40_000;
        let (s, _, at) = l.patch(&secret, &location, 0, sent[..first].to_vec()).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(at, Some(first as u64));

        // The wrong offset is refused and names the right one.
        let (s, p, _) = l.patch(&secret, &location, 0, sent[..10].to_vec()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "Upload-Offset");
        assert!(
            p["detail"]
                .as_str()
                .expect("detail")
                .contains(&first.to_string()),
            "{p}"
        );

        // The connection drops in the middle of a PATCH: what arrived is
        // kept, and HEAD says where to continue.
        let piece = sent[first..first + 30_000].to_vec();
        let stream = futures::stream::unfold(0u8, move |step| {
            let piece = piece.clone();
            async move {
                match step {
                    0 => Some((Ok::<Vec<u8>, std::io::Error>(piece), 1)),
                    1 => {
                        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
                        Some((Err(std::io::Error::other("cable pulled")), 2))
                    }
                    _ => None,
                }
            }
        });
        let cut = l
            .request(Method::PATCH, &location)
            .bearer_auth(&secret)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", first.to_string())
            .header("Content-Length", (sent.len() - first).to_string())
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await;
        assert!(cut.is_err() || cut.is_ok_and(|r| !r.status().is_success()));
        let (s, at) = l.head_offset(&secret, &location).await;
        assert_eq!(s, StatusCode::OK);
        let resume_at = at.expect("Upload-Offset") as usize;
        assert_eq!(resume_at, first + 30_000, "the bytes that arrived are kept");

        // The cut request's handler may still be winding down: a client
        // that is told "busy" asks again shortly.
        let mut tries = 0;
        let (s, done) = loop {
            let (s, done, _) = l
                .patch(&secret, &location, resume_at, sent[resume_at..].to_vec())
                .await;
            if s == StatusCode::CONFLICT && done["field"] == "upload_id" && tries < 50 {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
            break (s, done);
        };
        assert_eq!(s, StatusCode::CREATED, "{done}");
        let d = done["duration_s"].as_f64().expect("duration");
        assert!((d - 23.6).abs() < 0.3, "{d}");
        assert_eq!(done["retakes_used"], 0);

        // Exactly the bytes sent were assembled (their hash is the take's),
        // and the kept file is the remuxed one: it has a seek index.
        let (sha, key): (String, String) = sqlx::query_as(
            "SELECT m.sha256, m.storage_key FROM media_objects m JOIN responses r ON r.media_object_id = m.id WHERE r.id = $1",
        )
        .bind(done["response_id"].as_str().expect("id"))
        .fetch_one(&l.state.db.pool)
        .await
        .expect("media row");
        assert_eq!(sha, hex::encode(Sha256::digest(&sent)));
        let stored = std::fs::read(l.dir.path().join("media").join(&key)).expect("stored file");
        assert!(has_cues(&stored), "the stored take has no seek index");
        let probe = std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(l.dir.path().join("media").join(&key))
            .output()
            .expect("ffprobe");
        let secs: f64 = String::from_utf8_lossy(&probe.stdout)
            .trim()
            .parse()
            .expect("duration");
        assert!((secs - 23.6).abs() < 0.3, "{secs}");
        // Seeking into the middle lands there (on the keyframe before 12 s).
        let seek = std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-read_intervals",
                "12%+#1",
                "-select_streams",
                "v",
                "-show_entries",
                "packet=pts_time",
                "-of",
                "csv=p=0",
            ])
            .arg(l.dir.path().join("media").join(&key))
            .output()
            .expect("ffprobe");
        let landed: f64 = String::from_utf8_lossy(&seek.stdout)
            .lines()
            .next()
            .and_then(|l| l.trim().trim_end_matches(',').parse().ok())
            .expect("a packet after seeking");
        assert!(
            (5.0..=12.5).contains(&landed),
            "seek to 12 s landed at {landed}"
        );

        // The upload is finished: nothing of it is left but the take.
        let (s, _) = l.head_offset(&secret, &location).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(l.files(), vec![key]);
    }
);

lifecycle_test!(
    resumable_uploads_are_refused_before_bytes_are_kept,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Mary Jackson", "mj@example.org").await;
        let secret = secret_of(&inv);
        let answers = format!(
            "SELECT COUNT(*) FROM responses WHERE interview_id = '{}'",
            inv["id"].as_str().expect("id")
        );
        let q1 = l.questions[0].clone();
        let sent = live_recording(2);

        // Bad secret, unknown question, bad lengths.
        let (s, _, _) = l.create_upload("ci_not-a-secret", &q1, 10).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, p, _) = l.create_upload(&secret, "no-such-question", 10).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(p["field"], "question_id");
        let (s, p, _) = l.create_upload(&secret, &q1, 0).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "Upload-Length");
        let huge = l.state.config.invitations.max_upload_bytes as usize + 1;
        let (s, p, _) = l.create_upload(&secret, &q1, huge).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
        let (s, p) = l
            .call(
                l.request(
                    Method::POST,
                    &format!("/v1/candidate/responses/{q1}/uploads"),
                )
                .bearer_auth(&secret),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], "Upload-Length");
        assert!(l.files().is_empty(), "{:?}", l.files());

        // An upload belongs to a take the page started first.
        let (s, p, _) = l.create_upload(&secret, &q1, 100).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["field"], "question_id");
        assert!(l.files().is_empty(), "{:?}", l.files());
        let (s, _) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CREATED);

        // Bytes past the announced length, and a chunk of another type.
        let (_, _, location) = l.create_upload(&secret, &q1, 100).await;
        let (s, p, _) = l.patch(&secret, &location, 0, vec![0u8; 101]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, p) = l
            .call(
                l.request(Method::PATCH, &location)
                    .bearer_auth(&secret)
                    .header("Upload-Offset", "0")
                    .header("Content-Type", "video/webm")
                    .body(vec![0u8; 10]),
            )
            .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{p}");
        // Another candidate's secret does not open this upload.
        let other = secret_of(&l.invite_agreed("Someone Else", "se@example.org").await);
        let (s, _) = l.head_offset(&other, &location).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Something that is not a video: refused once complete, nothing kept.
        let (_, _, junk) = l.create_upload(&secret, &q1, 1000).await;
        let (s, p, _) = l.patch(&secret, &junk, 0, vec![7u8; 1000]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .expect("detail")
                .contains("WebM or MP4"),
            "{p}"
        );
        assert_eq!(l.count(&answers).await, 0);

        // The retake allowance (one) is the server's: each take is
        // started, one upload stores it, and a third take is refused.
        for n in [2, 3] {
            if n == 3 {
                let (s, started) = l.start_take(&secret, &q1).await;
                assert_eq!(s, StatusCode::CREATED, "{started}");
            }
            let take = live_recording(n);
            let (s, _, loc) = l.create_upload(&secret, &q1, take.len()).await;
            assert_eq!(s, StatusCode::CREATED);
            let (s, body, _) = l.patch(&secret, &loc, 0, take).await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }
        let (s, p, _) = l.create_upload(&secret, &q1, sent.len()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .expect("detail")
                .contains("start one first"),
            "{p}"
        );
        let (s, p) = l.start_take(&secret, &q1).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"].as_str().expect("detail").contains("retake"),
            "{p}"
        );

        // After the window: 410 for creation and for an open upload.
        let (s, _) = l.start_take(&secret, &l.questions[1]).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, _, open) = l.create_upload(&secret, &l.questions[1], sent.len()).await;
        l.clock.advance(400 * 24 * 3_600_000);
        let (s, p, _) = l.create_upload(&secret, &l.questions[1], sent.len()).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        let (s, p, _) = l.patch(&secret, &open, 0, sent.clone()).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        assert_eq!(l.count(&answers).await, 1);
    }
);

lifecycle_test!(
    a_whole_body_upload_is_remuxed_like_a_resumable_one,
    no_tweak,
    |l: Life| async move {
        let inv = l
            .invite_agreed("Evelyn Boyd Granville", "ebg@example.org")
            .await;
        let secret = secret_of(&inv);
        let sent = live_recording(2);
        let (s, a) = l.upload(&secret, &l.questions[0], sent.clone(), None).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let (sha, key): (String, String) = sqlx::query_as(
            "SELECT m.sha256, m.storage_key FROM media_objects m JOIN responses r ON r.media_object_id = m.id WHERE r.id = $1",
        )
        .bind(a["response_id"].as_str().expect("id"))
        .fetch_one(&l.state.db.pool)
        .await
        .expect("media row");
        // The hash names what was sent; the kept file is the remuxed one.
        assert_eq!(sha, hex::encode(Sha256::digest(&sent)));
        let stored = std::fs::read(l.dir.path().join("media").join(&key)).expect("stored file");
        assert!(has_cues(&stored), "a PUT take has no seek index");
        // A retry of the same bytes is still recognised as the same take.
        let (s, r) = l.upload(&secret, &l.questions[0], sent, None).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["replayed"], true);
    }
);
