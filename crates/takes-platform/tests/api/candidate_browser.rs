//! The candidate page in a real browser: Debian's Chromium, driven by
//! Playwright (`tests/browser/candidate_flow.py`), with a fake camera and
//! microphone fed from files this test makes with ffmpeg. Each run goes
//! through the whole flow against a real server, checks every step with
//! axe-core, and saves screenshots under `target/browser-artifacts/`.
//! Afterwards the server's side is checked through the API and the files:
//! the interview is completed, every take plays with a duration and a seek
//! index, and it is in the reviewers' queues. The server's side of the
//! retake allowance (re-uploads) is covered in `resumable.rs`.
//!
//! Skipped, with a message, only when `/usr/bin/chromium` is missing
//! (`cargo xtask setup` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use serde_json::Value;

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;

const CHROMIUM: &str = "/usr/bin/chromium";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// axe-core from npm, installed once under `target/`. The browser tests
/// run in parallel threads: one installs while the others wait (two
/// `npm install`s into one prefix fail with ENOTEMPTY).
fn axe() -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let prefix = target_dir().join("browser-tools");
    let js = prefix.join("node_modules/axe-core/axe.min.js");
    if !js.exists() {
        run(Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&prefix)
            .arg("axe-core@4"));
    }
    js
}

/// A fake camera (I420 y4m) and microphone (a tone) for Chromium.
fn fake_devices(dir: &Path) -> (PathBuf, PathBuf) {
    let y4m = dir.join("camera.y4m");
    let wav = dir.join("mic.wav");
    run(Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=15",
            "-t",
            "4",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&y4m));
    run(Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=4",
        ])
        .arg(&wav));
    (y4m, wav)
}

fn chromium_missing(mode: &str) -> bool {
    let missing = !Path::new(CHROMIUM).exists();
    if missing {
        eprintln!(
            "SKIPPED candidate browser test ({mode}): {CHROMIUM} is missing; `cargo xtask setup` installs Debian's chromium"
        );
    }
    missing
}

/// Runs the page in Chromium with `secret` in `mode`; returns its report.
async fn browse(l: &Life, secret: &str, mode: &str) -> Value {
    let (y4m, wav) = fake_devices(l.dir.path());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let backend = l.state.db.backend.as_str();
    let out_dir = target_dir()
        .join("browser-artifacts")
        .join(format!("{mode}-{backend}"));
    let script = manifest.join("tests/browser/candidate_flow.py");
    let strings = manifest.join("candidate/i18n/en.json");
    let axe = axe();
    let base = l.base.clone();
    let mode_owned = mode.to_string();
    let secret = secret.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .args([base.as_str(), secret.as_str(), mode_owned.as_str()])
            .args([&out_dir, &y4m, &wav, &axe, &strings])
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("report");
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["foreign_requests"],
        serde_json::json!([]),
        "{report}"
    );
    assert_eq!(report["page_errors"], serde_json::json!([]), "{report}");
    // Nothing moves that no input moved: a control shifting as a video's
    // size arrives takes a tap meant for it (a lost "Start recording").
    assert_eq!(report["layout_shifts"], serde_json::json!([]), "{report}");
    report
}

async fn flow(l: Life, mode: &str) {
    if chromium_missing(mode) {
        return;
    }
    let inv = l.invite("Annie Easley", "ae@example.org").await;
    let id = inv["id"].as_str().expect("id").to_string();
    let secret = inv["access_secret"].as_str().expect("secret").to_string();
    if mode == "audio" {
        grant_sound_only_and_a_retake(&l, &id).await;
    }
    let report = browse(&l, &secret, mode).await;
    assert_eq!(report["questions"], l.questions.len(), "{report}");
    let done = report["done_text"].as_str().expect("done text");
    assert!(done.contains("we received all your answers"), "{done}");
    // The optional self-identification form was answered and stored apart.
    assert_eq!(report["self_id_sent"], true, "{report}");
    let stored = format!(
        "SELECT COUNT(*) FROM self_identifications WHERE interview_id = '{id}' AND answer = 'woman'"
    );
    assert_eq!(l.count(&stored).await, 1);
    // The done step and the acknowledgement email say one sentence
    // ("received; you will hear from us by DATE"): the email with DATE in
    // UTC, the page in the candidate's zone (the browser runs in
    // Asia/Kolkata).
    let mails = l.deliver().await;
    let ack = mails
        .iter()
        .find(|m| m.header("Subject").starts_with("We received"))
        .expect("the acknowledgement email");
    let role = ack
        .header("Subject")
        .trim_start_matches("We received your video interview for ")
        .to_string();
    let review_by = report["ack_review_by"].as_str().expect("review-by");
    let due =
        time::OffsetDateTime::parse(review_by, &time::format_description::well_known::Rfc3339)
            .expect("an RFC 3339 review-by time");
    let utc = takes_platform::email::templates::human_time(
        (due.unix_timestamp_nanos() / 1_000_000) as i64,
    );
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let in_email = takes_platform::candidate::acknowledgement::sentence(&role, &utc);
    assert!(
        words(&ack.body()).contains(&in_email),
        "email:\n{}\nexpected: {in_email}",
        ack.body()
    );
    let shown = report["ack_text"].as_str().expect("acknowledgement shown");
    let (head, tail) = takes_platform::candidate::acknowledgement::template()
        .split_once("{date}")
        .expect("a {date} in the sentence");
    let head = head.replace("{role}", &role);
    assert!(
        shown.starts_with(&head) && shown.ends_with(tail) && head.ends_with("hear from us by "),
        "done page: {shown}"
    );
    assert!(
        shown.contains("GMT+5:30"),
        "not in the candidate's zone: {shown}"
    );
    assert!(!shown.contains(&utc), "the page says the UTC date: {shown}");
    let mbit = report["upload_mbit"]
        .as_f64()
        .expect("an upload speed estimate");
    assert!(mbit > 0.0, "{report}");
    if mode == "audio" {
        assert_eq!(report["camera_preview_hidden"], true, "{report}");
        assert_eq!(report["retakes_done"], 2, "{report}");
        assert_eq!(
            report["retake_button_after"], "No retakes left for this question.",
            "{report}"
        );
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT m.content_type FROM responses r JOIN media_objects m ON m.id = r.media_object_id \
             WHERE r.interview_id = $1",
        )
        .bind(&id)
        .fetch_all(&l.state.db.pool)
        .await
        .expect("kinds");
        assert!(
            !kinds.is_empty() && kinds.iter().all(|k| k == "audio/webm"),
            "{kinds:?}"
        );
    }
    if mode == "reload" {
        // One creation per question: the cut upload resumed, not restarted.
        assert_eq!(report["posts"], l.questions.len(), "{report}");
        let offsets: Vec<i64> = report["head_offsets"]
            .as_array()
            .expect("offsets")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        assert!(
            offsets.iter().any(|&o| o > 0),
            "no resume from an acknowledged byte: {report}"
        );
    }

    // The server's side: completed, every answer stored, remuxed and
    // playable, one retake used on the first question, and assigned.
    let status: String = sqlx::query_scalar("SELECT status FROM interviews WHERE id = $1")
        .bind(&id)
        .fetch_one(&l.state.db.pool)
        .await
        .expect("status");
    assert_eq!(status, "completed");
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT r.id, m.storage_key, r.retakes_used, r.duration_ms FROM responses r \
         JOIN media_objects m ON m.id = r.media_object_id JOIN questions q ON q.id = r.question_id \
         WHERE r.interview_id = $1 ORDER BY q.position",
    )
    .bind(&id)
    .fetch_all(&l.state.db.pool)
    .await
    .expect("responses");
    assert_eq!(rows.len(), l.questions.len());
    // The page's retake re-records before anything is sent, and the server
    // counted it: each take started, not each upload.
    let retakes_done = report["retakes_done"].as_i64().unwrap_or(0);
    assert_eq!(rows[0].2, retakes_done, "{rows:?}");
    assert!(rows[1..].iter().all(|r| r.2 == 0), "{rows:?}");
    let started: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(started), 0) AS BIGINT) FROM question_takes WHERE interview_id = $1")
            .bind(&id)
            .fetch_one(&l.state.db.pool)
            .await
            .expect("takes started");
    assert_eq!(started, l.questions.len() as i64 + retakes_done, "{report}");
    for (_, key, _, duration_ms) in &rows {
        assert!(*duration_ms > 1_000, "{duration_ms}");
        let path = l.dir.path().join("media").join(key);
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(&path)
            .output()
            .expect("ffprobe");
        let secs: f64 = String::from_utf8_lossy(&probe.stdout)
            .trim()
            .parse()
            .expect("a duration");
        assert!(secs > 1.0, "{secs}");
        if key.ends_with(".webm") {
            let bytes = std::fs::read(&path).expect("take");
            assert!(
                bytes.windows(4).any(|w| w == [0x1C, 0x53, 0xBB, 0x6B]),
                "{key} has no seek index"
            );
        }
    }
    let mut queued = 0;
    for token in &l.reviewer_tokens {
        let (_, queue) = l
            .call(l.request(Method::GET, "/v1/queue").bearer_auth(token))
            .await;
        queued += queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["interview_id"] == id.as_str())
            .count();
    }
    assert!(queued >= 1, "the interview is in no reviewer's queue");
}

lifecycle_test!(whole_flow_on_a_desktop, no_tweak, |l: Life| async move {
    flow(l, "desktop").await
});

lifecycle_test!(whole_flow_on_a_phone, no_tweak, |l: Life| async move {
    flow(l, "phone").await
});

lifecycle_test!(
    whole_flow_by_keyboard_alone,
    no_tweak,
    |l: Life| async move { flow(l, "keyboard").await }
);

lifecycle_test!(
    a_reload_mid_upload_resumes,
    no_tweak,
    |l: Life| async move { flow(l, "reload").await }
);

/// The role's recruiter grants sound only and one extra retake, through
/// the API.
async fn grant_sound_only_and_a_retake(l: &Life, interview: &str) {
    let (_, me) = l
        .call(l.request(Method::GET, "/v1/me").bearer_auth(&l.recruiter))
        .await;
    sqlx::query("INSERT INTO role_recruiters (job_role_id, user_id, added_at) VALUES ($1, $2, $3)")
        .bind(&l.role)
        .bind(me["id"].as_str().expect("my id"))
        .bind(crate::invitations::T0)
        .execute(&l.state.db.pool)
        .await
        .expect("recruiter of the role");
    let (s, a) = l
        .call(
            l.request(
                Method::PUT,
                &format!("/v1/invitations/{interview}/accommodations"),
            )
            .bearer_auth(&l.recruiter)
            .json(&serde_json::json!({"audio_only": true, "extra_retakes": 1})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{a}");
}

lifecycle_test!(
    sound_only_and_an_extra_retake_as_accommodated,
    no_tweak,
    |l: Life| async move { flow(l, "audio").await }
);

/// What a link that opens nothing shows: a clear message, nothing to
/// record with, and nothing stored.
async fn gone(l: &Life, secret: &str, expected: &str) {
    let stored =
        "SELECT (SELECT COUNT(*) FROM candidate_consents) + (SELECT COUNT(*) FROM media_objects)";
    let before = l.count(stored).await;
    let report = browse(l, secret, "gone").await;
    let strings: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("candidate/i18n/en.json"),
        )
        .expect("strings"),
    )
    .expect("json");
    assert_eq!(report["alert"], strings[expected], "{report}");
    assert_eq!(report["media_elements"], 0, "{report}");
    assert!(
        report["buttons"]
            .as_array()
            .expect("buttons")
            .iter()
            .all(|b| b != "Start recording" && b != "Continue"),
        "{report}"
    );
    assert_eq!(
        l.count(stored).await,
        before,
        "a closed link stored something"
    );
}

lifecycle_test!(
    closed_and_unknown_links_get_a_clear_page_and_store_nothing,
    no_tweak,
    |l: Life| async move {
        if chromium_missing("gone") {
            return;
        }
        gone(&l, "ci_this-secret-was-never-issued", "bad_secret").await;

        let late = l.invite("Dorothy Vaughan", "dv@example.org").await;
        l.clock.advance(100 * 3_600_000);
        gone(
            &l,
            late["access_secret"].as_str().expect("secret"),
            "closed_expired",
        )
        .await;

        let done = l.invite_agreed("Katherine Johnson", "kj@example.org").await;
        let secret = done["access_secret"].as_str().expect("secret").to_string();
        for (i, q) in l.questions.iter().enumerate() {
            let clip = std::fs::read(crate::uploads::clip(i as u32 + 1)).expect("clip");
            let (s, a) = l.upload(&secret, q, clip, None).await;
            assert!(s.is_success(), "{a}");
        }
        gone(&l, &secret, "closed_completed").await;
    }
);

// The role's intro video with captions, uploaded through the API: the
// welcome step shows a default captions track in the role's language, and
// the browser loads its cues.
lifecycle_test!(
    the_intro_video_shows_its_captions,
    no_tweak,
    |l: Life| async move {
        if chromium_missing("captions") {
            return;
        }
        let upload = |path: &'static str, kind: &'static str, body: Vec<u8>| {
            l.call(
                l.request(Method::PUT, path)
                    .bearer_auth(&l.recruiter)
                    .header("content-type", kind)
                    .body(body),
            )
        };
        let clip = std::fs::read(crate::uploads::clip(1)).expect("clip");
        let (s, video) = upload("/v1/process/intro-videos", "video/webm", clip).await;
        assert!(s.is_success(), "{video}");
        let vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome, and thank you for applying.\n\n00:02.000 --> 00:04.000\nHere is how it works.\n";
        let (s, captions) = upload("/v1/process/intro-captions", "text/vtt", vtt.into()).await;
        assert!(s.is_success(), "{captions}");
        // Named by the role as an applied process document does
        // (`recording_options.rs` covers the document's path to here).
        sqlx::query(
            "UPDATE job_roles SET intro_video_media_id = $1, intro_captions_media_id = $2, \
             intro_captions_language = 'en-GB' WHERE id = $3",
        )
        .bind(video["media_id"].as_str().expect("video id"))
        .bind(captions["media_id"].as_str().expect("captions id"))
        .bind(&l.role)
        .execute(&l.state.db.pool)
        .await
        .expect("the role's intro video");
        let inv = l.invite("Mary Jackson", "mj@example.org").await;
        let report = browse(
            &l,
            inv["access_secret"].as_str().expect("secret"),
            "captions",
        )
        .await;
        let track = &report["track"];
        assert_eq!(track["kind"], "captions", "{report}");
        assert_eq!(track["default"], true, "{report}");
        assert_eq!(track["srclang"], "en-GB", "{report}");
        assert_eq!(report["track_mode"], "showing", "{report}");
        assert_eq!(
            report["cues"],
            serde_json::json!([
                "Welcome, and thank you for applying.",
                "Here is how it works."
            ]),
            "{report}"
        );
    }
);
