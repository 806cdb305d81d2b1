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

/// axe-core from npm, installed once under `target/`.
fn axe() -> PathBuf {
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

async fn flow(l: Life, mode: &str) {
    if !Path::new(CHROMIUM).exists() {
        eprintln!(
            "SKIPPED candidate browser test ({mode}): {CHROMIUM} is missing; `cargo xtask setup` installs Debian's chromium"
        );
        return;
    }
    let inv = l.invite("Annie Easley", "ae@example.org").await;
    let id = inv["id"].as_str().expect("id").to_string();
    let secret = inv["access_secret"].as_str().expect("secret").to_string();
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
    assert_eq!(report["questions"], l.questions.len(), "{report}");
    let done = report["done_text"].as_str().expect("done text");
    assert!(done.contains("we received all your answers"), "{done}");
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
    // The page's retake re-records before anything is sent, so the server
    // stored one take per question and counted no re-upload.
    assert!(rows.iter().all(|r| r.2 == 0), "{rows:?}");
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
