//! Range requests and transcripts.

use reqwest::{Method, StatusCode};

use crate::both_backends;
use crate::support::TestPlatform;

async fn ranged(
    p: &TestPlatform,
    range: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = p.request(
        Method::GET,
        &format!("/v1/media/{}", p.f.responses[0]),
        Some(&p.f.reviewers[0]),
    );
    if let Some(r) = range {
        rb = rb.header("Range", r);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.expect("body").to_vec())
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

both_backends!(range_requests, |p: TestPlatform| async move {
    let len = p.f.media.len();
    let (s, h, body) = ranged(&p, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, p.f.media);
    assert_eq!(header(&h, "content-type"), "video/webm");
    assert_eq!(header(&h, "accept-ranges"), "bytes");
    assert_eq!(header(&h, "content-length"), len.to_string());

    let cases: [(&str, usize, usize); 4] = [
        ("bytes=0-99", 0, 99),              // first bytes
        ("bytes=5000-5999", 5000, 5999),    // middle
        ("bytes=-500", len - 500, len - 1), // suffix
        ("bytes=99000-", 99000, len - 1),   // open-ended
    ];
    for (range, start, end) in cases {
        let (s, h, body) = ranged(&p, Some(range)).await;
        assert_eq!(s, StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            header(&h, "content-range"),
            format!("bytes {start}-{end}/{len}"),
            "{range}"
        );
        assert_eq!(header(&h, "content-type"), "video/webm");
        assert_eq!(body, p.f.media[start..=end], "{range}");
    }

    let (s, h, body) = ranged(&p, Some(&format!("bytes={len}-"))).await;
    assert_eq!(s, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&h, "content-range"), format!("bytes */{len}"));
    assert_eq!(header(&h, "content-type"), "application/problem+json");
    let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem");
    assert_eq!(problem["field"], "Range");

    for bad in ["bytes=abc", "pages=0-1", "bytes=5-2"] {
        let (s, h, body) = ranged(&p, Some(bad)).await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::RANGE_NOT_SATISFIABLE,
            "{bad}: {s}"
        );
        assert_eq!(
            header(&h, "content-type"),
            "application/problem+json",
            "{bad}"
        );
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem");
        assert_eq!(problem["field"], "Range", "{bad}");
    }
});

both_backends!(transcripts_are_valid_webvtt, |p: TestPlatform| async move {
    let resp = p
        .request(
            Method::GET,
            &format!("/v1/responses/{}/transcript", p.f.responses[0]),
            Some(&p.f.reviewers[0]),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        header(resp.headers(), "content-type"),
        "text/vtt; charset=utf-8"
    );
    let vtt = resp.text().await.expect("text");
    assert!(vtt.starts_with("WEBVTT\n"), "{vtt}");
    assert!(
        vtt.contains("00:00:00.500 --> 00:00:02.000\nI led the migration."),
        "{vtt}"
    );
    assert!(
        vtt.contains("&amp;") && vtt.contains("&lt;"),
        "markup characters must be escaped: {vtt}"
    );

    // An independent parser: ffmpeg's WebVTT demuxer must read both cues.
    let file = p.dir.path().join("t.vtt");
    std::fs::write(&file, &vtt).expect("write");
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&file)
        .args(["-f", "srt", "-"])
        .output()
        .expect("ffmpeg is installed by `cargo xtask setup`");
    assert!(
        out.status.success(),
        "ffmpeg rejected the WebVTT: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let srt = String::from_utf8_lossy(&out.stdout);
    assert!(srt.contains("00:00:00,500 --> 00:00:02,000"), "{srt}");
    assert!(srt.contains("00:00:02,200 --> 00:00:04,750"), "{srt}");
    assert!(srt.contains("Latency fell by 40%"), "{srt}");
});
