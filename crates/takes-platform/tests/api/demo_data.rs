//! `seed demo` loads what the demo promises.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use takes_platform::Clock;

use crate::support::Backend;

async fn check(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, report) = crate::demo_fixture::demo(backend, dir.path()).await;
    let state = storage.open(Clock::System).await.expect("open");
    let roles: Vec<&str> = report.users.iter().map(|u| u.role.as_str()).collect();
    assert!(roles.iter().filter(|r| **r == "reviewer").count() >= 3);
    assert!(roles.contains(&"recruiter") && roles.contains(&"admin"));

    let q = |sql: &'static str| {
        let pool = state.db.pool.clone();
        async move {
            use sqlx::Row;
            sqlx::query(sql)
                .fetch_one(&pool)
                .await
                .expect(sql)
                .get::<i64, _>(0)
        }
    };
    assert!(q("SELECT COUNT(*) FROM job_roles").await >= 3);
    assert!(q("SELECT COUNT(DISTINCT department) FROM job_roles").await >= 2);
    assert_eq!(q("SELECT COUNT(*) FROM question_sets qs WHERE (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = qs.id) NOT BETWEEN 3 AND 5").await, 0);
    assert!(q("SELECT COUNT(*) FROM candidates").await >= 30);
    assert_eq!(q("SELECT COUNT(DISTINCT status) FROM interviews").await, 4);
    assert!(q("SELECT COUNT(*) FROM responses r JOIN interviews i ON i.id = r.interview_id WHERE i.status = 'completed'").await >= 60);
    assert!(q("SELECT COUNT(*) FROM (SELECT interview_id FROM assignments WHERE status = 'submitted' GROUP BY interview_id HAVING COUNT(*) >= 2) x").await >= 3);
    use sqlx::Row;
    let pending = sqlx::query(
        "SELECT u.name, COUNT(a.id) AS n FROM users u LEFT JOIN assignments a ON a.reviewer_id = u.id AND a.status = 'pending' \
         WHERE u.role = 'reviewer' GROUP BY u.name",
    )
    .fetch_all(&state.db.pool)
    .await
    .expect("pending");
    for row in pending {
        let n: i64 = row.get("n");
        assert!(
            n >= 10,
            "{} has only {n} pending assignments",
            row.get::<String, _>("name")
        );
    }
    // Rubrics carry weak / acceptable / strong anchors.
    let anchors = sqlx::query("SELECT anchors_json FROM questions")
        .fetch_all(&state.db.pool)
        .await
        .expect("anchors");
    for row in anchors {
        let text: String = row.get(0);
        for label in ["Weak", "Acceptable", "Strong"] {
            assert!(text.contains(label), "anchor {label} missing in {text}");
        }
    }
    // Responses vary in quality of recording: at least two resolutions.
    let kinds: HashSet<i64> = sqlx::query("SELECT bytes FROM media_objects")
        .fetch_all(&state.db.pool)
        .await
        .expect("media")
        .iter()
        .map(|r| r.get::<i64, _>(0) / 50_000)
        .collect();
    assert!(kinds.len() > 1);

    // Served clips are real video with sound: ffprobe reads a VP9 video and an
    // Opus audio stream whose duration matches the stored one.
    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("start");
    let token = &report.users[0].token;
    let http = reqwest::Client::new();
    let queue: serde_json::Value = http
        .get(format!("{}/v1/queue?status=pending", server.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("queue")
        .json()
        .await
        .expect("json");
    let first = queue["items"][0]["id"].as_str().expect("an assignment");
    let detail: serde_json::Value = http
        .get(format!("{}/v1/assignments/{first}", server.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("detail")
        .json()
        .await
        .expect("json");
    let response = &detail["questions"][0]["response"];
    let media = http
        .get(format!(
            "{}{}",
            server.base_url(),
            response["media_url"].as_str().expect("url")
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("media");
    assert_eq!(media.status(), StatusCode::OK);
    let bytes = media.bytes().await.expect("bytes");
    let file = dir.path().join("clip.webm");
    std::fs::write(&file, &bytes).expect("write");
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name:format=duration",
            "-of",
            "json",
        ])
        .arg(&file)
        .output()
        .expect("ffprobe");
    let probe: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
    let codecs: HashMap<String, String> = probe["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .map(|s| {
            (
                s["codec_type"].as_str().unwrap_or_default().to_string(),
                s["codec_name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        codecs.get("video").map(String::as_str),
        Some("vp9"),
        "{probe}"
    );
    assert_eq!(
        codecs.get("audio").map(String::as_str),
        Some("opus"),
        "{probe}"
    );
    let probed: f64 = probe["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("duration");
    let stored = response["duration_s"].as_f64().expect("duration_s");
    assert!(
        (probed - stored).abs() < 0.1,
        "ffprobe {probed} vs stored {stored}"
    );
    server.stop().await.expect("stop");

    // Seeding twice is refused and changes nothing.
    let before = sqlx::query("SELECT COUNT(*) FROM candidates")
        .fetch_one(&state.db.pool)
        .await
        .expect("n")
        .get::<i64, _>(0);
    assert!(takes_platform::seed::demo::load(&state).await.is_err());
    let after = sqlx::query("SELECT COUNT(*) FROM candidates")
        .fetch_one(&state.db.pool)
        .await
        .expect("n")
        .get::<i64, _>(0);
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_set_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_set_postgres() {
    check(Backend::Postgres).await;
}
